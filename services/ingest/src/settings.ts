// Settings of ingest (also part of the embedded mode's).
import * as t from 'io-ts'
import { Storefront, type SourceMap } from '@leadstream/domain'
import { IntFromEnv, ListFromEnv, setting, StringFromEnv } from '@leadstream/runtime'

/** Lead-source mappings, `TestDrive=AzureMarketplace,Foo=AppSource`. */
export const SourcesFromEnv = new t.Type<SourceMap, string, unknown>(
  'lead sources',
  (u): u is SourceMap => typeof u === 'object' && u !== null,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected source=Storefront pairs')
    const out: Record<string, Storefront> = {}
    for (const pair of u
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '')) {
      const [k, v] = pair.split('=').map((s) => s.trim())
      if (k === undefined || k === '' || v === undefined || !Storefront.is(v))
        return t.failure(u, c, `expected source=AppSource or source=AzureMarketplace pairs, got "${pair}"`)
      out[k] = v
    }
    return t.success(out)
  },
  (a) =>
    Object.entries(a)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
)

export const ingestSettings = {
  leadSources: setting('LEADSTREAM_LEAD_SOURCES', SourcesFromEnv, 'extra lead-source mappings, e.g. TestDrive=AzureMarketplace', ''),
  bodyLimitBytes: setting('LEADSTREAM_BODY_LIMIT_BYTES', IntFromEnv('bytes', 1024, 1024 ** 3), 'largest request body accepted', String(16 * 1024 * 1024)),
  maxBatch: setting('LEADSTREAM_MAX_BATCH', IntFromEnv('leads', 1, 100000), 'most leads in one POST', '10000'),
  parkForSeconds: setting(
    'LEADSTREAM_PARK_FOR_SECONDS',
    IntFromEnv('seconds', 1, 90 * 24 * 3600),
    'how long a lifecycle event whose lead is not captured yet is held (parked) before it goes to dead letters',
    String(24 * 3600),
  ),
  parkSweepMs: setting(
    'LEADSTREAM_PARK_SWEEP_MS',
    IntFromEnv('milliseconds', 10, 3_600_000),
    'how often parked events past their bound are moved to dead letters',
    '10000',
  ),
  marketplaceSecrets: setting(
    'LEADSTREAM_MARKETPLACE_SECRETS',
    ListFromEnv,
    'comma-separated webhook secrets accepted as ?code=<secret> on POST /v1/marketplace/leads (for Partner Center, which cannot send a token)',
    '',
  ),
}

/** Retention of personal data (README, "Personal data"): erased per data subject once all their leads are idle. */
export const retentionSettings = {
  retentionDays: setting(
    'LEADSTREAM_RETENTION_DAYS',
    IntFromEnv('days', 0, 36500),
    "erase a person's personal data once none of their leads has had an event for this many days; 0: never (retention off)",
    '0',
  ),
  retentionEveryMinutes: setting(
    'LEADSTREAM_RETENTION_EVERY_MINUTES',
    IntFromEnv('minutes', 1, 7 * 24 * 60),
    'how often the retention sweep runs (when retention is on)',
    '60',
  ),
  erasureViewsWaitMs: setting(
    'LEADSTREAM_ERASURE_VIEWS_WAIT_MS',
    IntFromEnv('milliseconds', 0, 600_000),
    'how long an erasure (before it empties the WALs) and a retention sweep (before it lists candidates) wait for the views to catch up; past it they go on and log a warning',
    '30000',
  ),
}

export const ingestKafkaSettings = {
  ingestGroup: setting('LEADSTREAM_INGEST_GROUP', StringFromEnv, 'Kafka consumer group of ingest on the inbound topic', 'leadstream-ingest'),
}
