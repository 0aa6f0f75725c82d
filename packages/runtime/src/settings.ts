// Setting groups the services share, so each variable means the same thing in every process.
import * as t from 'io-ts'
import { IntFromEnv, ListFromEnv, setting, StringFromEnv } from './config.js'

export const commonSettings = {
  dataDir: setting('LEADSTREAM_DATA_DIR', StringFromEnv, 'directory of the SQLite files (events, views, dead letters, checkpoints)', './data'),
  logLevel: setting('LEADSTREAM_LOG_LEVEL', StringFromEnv, 'pino log level (fatal, error, warn, info, debug, silent)', 'info'),
}

export const httpSettings = (defaultPort: number) => ({
  host: setting('LEADSTREAM_HOST', StringFromEnv, 'address to listen on; forced to 127.0.0.1 while no tokens are configured', '127.0.0.1'),
  port: setting('LEADSTREAM_PORT', IntFromEnv('port', 0, 65535), 'HTTP port (0 picks a free one)', String(defaultPort)),
  // A slow or stalled client is cut off (408, connection closed) instead of holding a connection for minutes.
  headersTimeoutMs: setting('LEADSTREAM_HEADERS_TIMEOUT_MS', IntFromEnv('ms', 100, 600000), 'most time a client may take to send the request headers', '10000'),
  requestTimeoutMs: setting(
    'LEADSTREAM_REQUEST_TIMEOUT_MS',
    IntFromEnv('ms', 100, 3600000),
    'most time a client may take to send a whole request, body included',
    '60000',
  ),
  keepAliveTimeoutMs: setting('LEADSTREAM_KEEP_ALIVE_TIMEOUT_MS', IntFromEnv('ms', 100, 600000), 'how long an idle keep-alive connection is kept open', '5000'),
})

/** The server timeouts of `httpSettings`. */
export interface HttpTimeouts {
  readonly headersTimeoutMs: number
  readonly requestTimeoutMs: number
  readonly keepAliveTimeoutMs: number
}

/** The defaults of `httpSettings`, for servers that tests and benchmarks start without reading settings. */
export const defaultHttpTimeouts: HttpTimeouts = { headersTimeoutMs: 10000, requestTimeoutMs: 60000, keepAliveTimeoutMs: 5000 }

export const tokenSettings = {
  ingestTokens: setting('LEADSTREAM_INGEST_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the ingest role (write leads, commands, catalogue)', ''),
  analystTokens: setting('LEADSTREAM_ANALYST_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the analyst role (read views and leads)', ''),
  operatorTokens: setting('LEADSTREAM_OPERATOR_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the operator role (admin; may do everything)', ''),
}

export const kafkaSettings = {
  kafkaBrokers: setting('KAFKA_BROKERS', ListFromEnv, 'comma-separated Kafka bootstrap brokers (host:port); empty = no Kafka', ''),
  eventsTopic: setting('LEADSTREAM_EVENTS_TOPIC', StringFromEnv, 'Kafka topic the relay publishes events to and projectors read', 'lead-events'),
  inboundTopic: setting('LEADSTREAM_INBOUND_TOPIC', StringFromEnv, 'Kafka topic ingest consumes upstream leads from', 'leads.inbound'),
  topicPartitions: setting(
    'LEADSTREAM_TOPIC_PARTITIONS',
    IntFromEnv('partitions', 1, 1000),
    'partitions of lead-events and leads.inbound when leadstream creates them',
    '3',
  ),
  dlqTopic: setting('LEADSTREAM_DLQ_TOPIC', StringFromEnv, 'Kafka topic rejected inbound messages go to, reason in headers', 'leads.inbound.dlq'),
  // kafkajs has no static membership: a killed consumer's partitions wait this long before they move on.
  kafkaSessionMs: setting(
    'LEADSTREAM_KAFKA_SESSION_MS',
    IntFromEnv('ms', 6000, 300000),
    'consumer group session timeout: after a crash, its partitions wait this long before another consumer (or its restart) takes them',
    '10000',
  ),
}

/** Which event store a service uses; `eventstoredb` needs EVENTSTORE_URL. */
export const eventStoreSettings = {
  eventStore: setting(
    'LEADSTREAM_EVENT_STORE',
    t.keyof({ sqlite: null, eventstoredb: null }),
    'event store engine: sqlite (events.db in the data dir) or eventstoredb',
    'sqlite',
  ),
  eventStoreUrl: setting('EVENTSTORE_URL', StringFromEnv, 'EventStoreDB/KurrentDB connection string, e.g. esdb://host:2113?tls=false (for eventstoredb)', ''),
}

/** Where the PostgreSQL stores live (views, and in the distributed mode dead letters and Idempotency-Key answers). */
export const postgresSettings = {
  postgresUrl: setting(
    'LEADSTREAM_POSTGRES_URL',
    StringFromEnv,
    'PostgreSQL connection string, e.g. postgres://user@host:5432/db (for any postgres store)',
    '',
  ),
  postgresSchema: setting(
    'LEADSTREAM_POSTGRES_SCHEMA',
    StringFromEnv,
    'PostgreSQL schema holding the views; dead letters and Idempotency-Key answers use <schema>_dead_letters and <schema>_idempotency',
    'leadstream',
  ),
}

/** Which view store a service uses; `postgres` needs LEADSTREAM_POSTGRES_URL. */
export const viewStoreSettings = {
  viewStore: setting(
    'LEADSTREAM_VIEW_STORE',
    t.keyof({ sqlite: null, postgres: null }),
    'view store engine: sqlite (views.db in the data dir) or postgres',
    'sqlite',
  ),
  ...postgresSettings,
}

/** A store that lives in the data dir by default, or in PostgreSQL (then LEADSTREAM_POSTGRES_URL). */
const sqliteOrPostgres = (env: string, doc: string) => setting(env, t.keyof({ sqlite: null, postgres: null }), doc, 'sqlite')

/** Where rejected payloads are kept; `postgres` (the distributed mode) is one table every service shares. */
export const deadLetterSettings = {
  deadLetterStore: sqliteOrPostgres(
    'LEADSTREAM_DEAD_LETTER_STORE',
    'dead letters: sqlite (dead-letters.db in the data dir, seen by this process only) or postgres (shared by every service)',
  ),
  ...postgresSettings,
}

/** Where the answers of Idempotency-Key requests are kept (README, "Guarantees and failure modes"). */
export const idempotencySettings = {
  idempotencyStore: sqliteOrPostgres(
    'LEADSTREAM_IDEMPOTENCY_STORE',
    'Idempotency-Key answers: sqlite (events.db, written with the append; idempotency.db beside EventStoreDB) or postgres (shared by every ingest replica)',
  ),
  ...postgresSettings,
}

/** 32 bytes in base64, or empty (unset). The message never repeats the value: it is a key. */
const KeyFromEnv = new t.Type<string, string, unknown>(
  'master key',
  (u): u is string => typeof u === 'string',
  (u, c) =>
    typeof u === 'string' && (u.trim() === '' || Buffer.from(u.trim(), 'base64').length === 32) && /^[A-Za-z0-9+/]*={0,2}$/.test(u.trim())
      ? t.success(u.trim())
      : t.failure(u, c, 'expected 32 bytes in base64 (openssl rand -base64 32); the value is not shown'),
  t.identity,
)

/** Personal data (README, "Personal data"): where data keys live and the master key that wraps them. */
export const privacySettings = {
  keyStore: sqliteOrPostgres(
    'LEADSTREAM_KEY_STORE',
    'data keys of personal data: sqlite (keys.db in the data dir) or postgres (<schema>_keys, shared by every service)',
  ),
  masterKey: setting(
    'LEADSTREAM_MASTER_KEY',
    KeyFromEnv,
    'master key wrapping the data keys: 32 random bytes in base64; unset: LEADSTREAM_MASTER_KEY_FILE, else <data dir>/master.key (created on first start)',
    '',
  ),
  masterKeyFile: setting(
    'LEADSTREAM_MASTER_KEY_FILE',
    StringFromEnv,
    'file holding the master key (32 bytes in base64), when LEADSTREAM_MASTER_KEY is unset',
    '',
  ),
  previousMasterKeys: setting(
    'LEADSTREAM_PREVIOUS_MASTER_KEYS',
    ListFromEnv,
    'comma-separated previous master keys (base64, or key files) that still unwrap during a rotation',
    '',
  ),
  identitySecret: setting(
    'LEADSTREAM_IDENTITY_SECRET',
    StringFromEnv,
    'secret keying the HMAC of pseudonymous ids (lead ids from emails, subjects); unset: one generated once and kept in the key store',
    '',
  ),
  ...postgresSettings,
}

/** Settings that only make sense together: each broken pair named the way a missing setting is. */
export const engineRules = (
  c: Partial<{
    eventStore: string
    eventStoreUrl: string
    viewStore: string
    deadLetterStore: string
    idempotencyStore: string
    keyStore: string
    masterKey: string
    masterKeyFile: string
    postgresUrl: string
  }>,
): ReadonlyArray<string> => [
  // A key store shared by several processes needs one master key they all have: a master.key each would make
  // per process would wrap keys the others cannot open (and be lost with a container's disk).
  ...(c.keyStore === 'postgres' && c.masterKey === '' && c.masterKeyFile === ''
    ? [
        'LEADSTREAM_MASTER_KEY: missing (LEADSTREAM_KEY_STORE=postgres needs it, or LEADSTREAM_MASTER_KEY_FILE: every service sharing the key store must have the same master key)',
      ]
    : []),
  ...(c.eventStore === 'eventstoredb' && c.eventStoreUrl === '' ? ['EVENTSTORE_URL: missing (LEADSTREAM_EVENT_STORE=eventstoredb needs it)'] : []),
  ...(
    [
      ['LEADSTREAM_VIEW_STORE', c.viewStore],
      ['LEADSTREAM_DEAD_LETTER_STORE', c.deadLetterStore],
      ['LEADSTREAM_IDEMPOTENCY_STORE', c.idempotencyStore],
      ['LEADSTREAM_KEY_STORE', c.keyStore],
    ] as const
  )
    .filter(([, v]) => v === 'postgres' && c.postgresUrl === '')
    .map(([name]) => `LEADSTREAM_POSTGRES_URL: missing (${name}=postgres needs it)`),
]
