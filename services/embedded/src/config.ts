// Settings of the embedded mode (`pnpm start`): every one an environment variable, decoded at start-up.
import { IntFromEnv, ListFromEnv, setting, SourcesFromEnv, StringFromEnv, type ConfigOf } from '@leadstream/runtime'

export const embeddedSettings = {
  dataDir: setting('LEADSTREAM_DATA_DIR', StringFromEnv, 'directory of the SQLite files (events, views, dead letters)', './data'),
  host: setting('LEADSTREAM_HOST', StringFromEnv, 'address to listen on; forced to 127.0.0.1 while no tokens are configured', '127.0.0.1'),
  port: setting('LEADSTREAM_PORT', IntFromEnv('port', 0, 65535), 'HTTP port (0 picks a free one)', '8080'),
  ingestTokens: setting('LEADSTREAM_INGEST_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the ingest role (write leads, commands, catalogue)', ''),
  analystTokens: setting('LEADSTREAM_ANALYST_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the analyst role (read views and leads)', ''),
  operatorTokens: setting('LEADSTREAM_OPERATOR_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the operator role (admin; may do everything)', ''),
  leadSources: setting('LEADSTREAM_LEAD_SOURCES', SourcesFromEnv, 'extra lead-source mappings, e.g. TestDrive=AzureMarketplace', ''),
  bodyLimitBytes: setting('LEADSTREAM_BODY_LIMIT_BYTES', IntFromEnv('bytes', 1024, 1024 ** 3), 'largest request body accepted', String(16 * 1024 * 1024)),
  maxBatch: setting('LEADSTREAM_MAX_BATCH', IntFromEnv('leads', 1, 100000), 'most leads in one POST', '10000'),
  projectorBatch: setting('LEADSTREAM_PROJECTOR_BATCH', IntFromEnv('events', 1, 100000), 'events the projector applies per transaction', '5000'),
  readWaitMs: setting('LEADSTREAM_READ_WAIT_MS', IntFromEnv('ms', 0, 30000), 'how long a read with minPosition waits by default', '5000'),
  logLevel: setting('LEADSTREAM_LOG_LEVEL', StringFromEnv, 'pino log level (fatal, error, warn, info, debug)', 'info'),
}

export type EmbeddedConfig = ConfigOf<typeof embeddedSettings>
