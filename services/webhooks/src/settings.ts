// Settings of the webhook dispatcher (embedded and its own service): where the delivery log lives, how hard and
// how often to try, when to give an endpoint a rest.
import * as t from 'io-ts'
import { IntFromEnv, postgresSettings, setting, StringFromEnv, type ConfigOf } from '@leadstream/runtime'

export const webhookSettings = {
  webhookStore: setting(
    'LEADSTREAM_WEBHOOK_STORE',
    t.keyof({ sqlite: null, postgres: null }),
    'webhook subscriptions and delivery log: sqlite (webhooks.db in the data dir) or postgres (schema <LEADSTREAM_POSTGRES_SCHEMA>_webhooks)',
    'sqlite',
  ),
  ...postgresSettings,
  webhookTimeoutMs: setting('LEADSTREAM_WEBHOOK_TIMEOUT_MS', IntFromEnv('ms', 100, 120000), 'most time a receiver may take to answer one delivery', '10000'),
  webhookConcurrency: setting(
    'LEADSTREAM_WEBHOOK_CONCURRENCY',
    IntFromEnv('deliveries', 1, 256),
    'deliveries in flight at once per subscription (one per lead)',
    '32',
  ),
  webhookMaxAttempts: setting(
    'LEADSTREAM_WEBHOOK_MAX_ATTEMPTS',
    IntFromEnv('attempts', 1, 100),
    'attempts before a delivery is parked (operators replay it); with the default backoff 30 span 9 to 18 hours',
    '30',
  ),
  webhookRetryBaseMs: setting(
    'LEADSTREAM_WEBHOOK_RETRY_BASE_MS',
    IntFromEnv('ms', 1, 3600000),
    'first retry waits about this long, doubling per attempt (with jitter)',
    '1000',
  ),
  webhookRetryMaxMs: setting('LEADSTREAM_WEBHOOK_RETRY_MAX_MS', IntFromEnv('ms', 1, 86400000), 'longest wait between two attempts', '3600000'),
  webhookRetryAfterMaxMs: setting(
    'LEADSTREAM_WEBHOOK_RETRY_AFTER_MAX_MS',
    IntFromEnv('ms', 0, 86400000),
    'a Retry-After (429, 503) longer than this is read as this',
    '3600000',
  ),
  webhookCircuitThreshold: setting(
    'LEADSTREAM_WEBHOOK_CIRCUIT_THRESHOLD',
    IntFromEnv('failures', 1, 1000),
    'consecutive failures that open an endpoint’s circuit',
    '5',
  ),
  webhookCircuitCooldownMs: setting(
    'LEADSTREAM_WEBHOOK_CIRCUIT_COOLDOWN_MS',
    IntFromEnv('ms', 1, 3600000),
    'an open circuit lets one probe through after this long (doubling per failed probe)',
    '30000',
  ),
  webhookCircuitMaxCooldownMs: setting(
    'LEADSTREAM_WEBHOOK_CIRCUIT_MAX_COOLDOWN_MS',
    IntFromEnv('ms', 1, 86400000),
    'longest rest of an open circuit',
    '600000',
  ),
  webhookPrivateNetworks: setting(
    'LEADSTREAM_WEBHOOK_PRIVATE_NETWORKS',
    t.keyof({ refuse: null, allow: null }),
    'https deliveries to private or loopback addresses (receivers on your own network): refuse or allow; link-local (cloud metadata) and unspecified addresses are always refused, plain http goes to loopback only',
    'refuse',
  ),
  webhookPollMs: setting(
    'LEADSTREAM_WEBHOOK_POLL_MS',
    IntFromEnv('ms', 5, 60000),
    'how often retries falling due are looked for (new events wake the sender at once)',
    '200',
  ),
  webhookRetentionDays: setting(
    'LEADSTREAM_WEBHOOK_RETENTION_DAYS',
    IntFromEnv('days', 1, 3650),
    'delivered deliveries are kept this long (replay reaches back this far), then deleted; pending and parked ones stay',
    '7',
  ),
  webhookBatch: setting(
    'LEADSTREAM_WEBHOOK_BATCH',
    IntFromEnv('events', 1, 100000),
    'log events the dispatcher routes per transaction (smaller: shorter pauses of the embedded server’s event loop)',
    '250',
  ),
}

export type WebhookConfig = ConfigOf<typeof webhookSettings>

/** The webhooks service (distributed mode) only: which log it reads. */
export const webhookServiceSettings = {
  eventLog: setting(
    'LEADSTREAM_EVENT_LOG',
    t.keyof({ embedded: null, kafka: null }),
    'where the dispatcher reads events: embedded (the SQLite event store) or kafka',
    'embedded',
  ),
  webhookGroup: setting('LEADSTREAM_WEBHOOK_GROUP', StringFromEnv, 'Kafka consumer group of the webhook dispatcher', 'leadstream-webhooks'),
}
