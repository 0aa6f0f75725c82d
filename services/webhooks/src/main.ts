// The webhook dispatcher as its own process (distributed mode): a consumer group on `lead-events` (or the
// embedded store's log) → the delivery log → signed POSTs, with health, metrics and the operators' routes.
// One replica: two senders over one delivery log would send deliveries twice (still at least once, but noisy).
import { embeddedEventLog, ensureTopics, kafkaClient, kafkaEventLog, type EventLog } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen } from '@leadstream/http-edge'
import { openPersonalData } from '@leadstream/privacy'
import {
  commonSettings,
  configOrExit,
  createLogger,
  createMetrics,
  engineRules,
  eventStoreSettings,
  httpSettings,
  kafkaSettings,
  onShutdown,
  privacySettings,
  tokenSettings,
} from '@leadstream/runtime'
import { webhookServiceSettings, webhookSettings } from './settings.js'
import { startWebhooks } from './start.js'

const config = configOrExit(
  'leadstream-webhooks',
  'reads the event log and delivers signed webhooks to the subscriptions',
  {
    ...commonSettings,
    ...httpSettings(8084),
    ...tokenSettings,
    ...kafkaSettings,
    ...eventStoreSettings,
    ...privacySettings,
    ...webhookSettings,
    ...webhookServiceSettings,
  },
  (c) => [
    ...engineRules(c),
    ...(c.webhookStore === 'postgres' && c.postgresUrl === '' ? ['LEADSTREAM_POSTGRES_URL: missing (LEADSTREAM_WEBHOOK_STORE=postgres needs it)'] : []),
    ...(c.eventLog === 'kafka' && c.kafkaBrokers.length === 0 ? ['KAFKA_BROKERS: missing (LEADSTREAM_EVENT_LOG=kafka reads from Kafka)'] : []),
  ],
)
const logger = createLogger('webhooks', config.logLevel)
const metrics = createMetrics()
const tokens = { ingest: config.ingestTokens, analyst: config.analystTokens, operator: config.operatorTokens }
// The key store opens contact data for subscriptions that ask for it (the one ingest seals with: shared PostgreSQL).
const personal = await openPersonalData(config, logger)
const store = config.eventLog === 'embedded' ? await openEventStore(config, { pollMs: 5 }) : null
const kafka = store === null ? kafkaClient(config.kafkaBrokers, 'leadstream-webhooks', logger) : null
const openLog = async (): Promise<EventLog> => {
  if (store !== null) return embeddedEventLog(store, { idleWaitMs: 250 })
  const client = kafka ?? kafkaClient(config.kafkaBrokers, 'leadstream-webhooks', logger)
  await ensureTopics(client, [{ topic: config.eventsTopic, partitions: config.topicPartitions }])
  return kafkaEventLog({ kafka: client, topic: config.eventsTopic, groupId: config.webhookGroup, sessionTimeoutMs: config.kafkaSessionMs })
}
// A replay from the log reads `lead-events` from each partition's start in a consumer group of its own.
const openReplayLog =
  kafka === null
    ? undefined
    : (name: string) =>
        kafkaEventLog({ kafka, topic: config.eventsTopic, groupId: `${config.webhookGroup}-replay-${name}`, sessionTimeoutMs: config.kafkaSessionMs })
const webhooks = await startWebhooks(config, {
  log: await openLog(),
  ...(openReplayLog === undefined ? {} : { openReplayLog }),
  keys: personal.keys,
  registry: metrics.registry,
  logger,
})

const app = httpApp([webhooks.routes(tokens)], {
  metrics,
  logger,
  service: 'webhooks',
  health: async () => {
    const d = await webhooks.dispatcher.status()
    return { ok: d.state !== 'failed', webhooks: d }
  },
})
const server = await listen(app, { host: config.host, port: config.port, tokens, logger, timeouts: config })
process.stdout.write(`webhooks is serving at ${server.url}\n`)

onShutdown(logger, async () => {
  await server.close()
  // Stops reading the log after the batch in hand (recorded with its checkpoint, or not), then lets the
  // deliveries in flight finish and records them; what is cut short is sent again at the next start.
  await webhooks.close()
  await store?.close()
  await personal.close()
})
