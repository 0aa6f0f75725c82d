// The relay as its own process: event store → `lead-events`, with a health endpoint.
import { join } from 'node:path'
import { ensureTopics, idempotentProducer, kafkaClient } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen } from '@leadstream/http-edge'
import {
  commonSettings,
  configOrExit,
  createLogger,
  createMetrics,
  engineRules,
  eventStoreSettings,
  httpSettings,
  IntFromEnv,
  kafkaSettings,
  onShutdown,
  setting,
  sqliteCheckpoints,
  tokenSettings,
} from '@leadstream/runtime'
import { relay } from './relay.js'
import { relayRoutes } from './routes.js'

const config = configOrExit(
  'leadstream-relay',
  'follows the event store and publishes every event to Kafka',
  {
    ...commonSettings,
    ...httpSettings(8082),
    ...kafkaSettings,
    ...eventStoreSettings,
    ...tokenSettings,
    relayBatch: setting('LEADSTREAM_RELAY_BATCH', IntFromEnv('events', 1, 100000), 'events per Kafka send', '2000'),
  },
  (c) => [...engineRules(c), ...(c.kafkaBrokers.length === 0 ? ['KAFKA_BROKERS: missing (the relay publishes to Kafka)'] : [])],
)
const logger = createLogger('relay', config.logLevel)
const tokens = { ingest: config.ingestTokens, analyst: config.analystTokens, operator: config.operatorTokens }
const metrics = createMetrics()
// Another process appends: poll the log's head often (a cheap indexed max) to keep append → publish latency low.
const store = await openEventStore(config, { pollMs: 5 })
const checkpoints = sqliteCheckpoints(join(config.dataDir, 'relay.db'))
const kafka = kafkaClient(config.kafkaBrokers, 'leadstream-relay', logger)
const producer = idempotentProducer(kafka)
await ensureTopics(kafka, [{ topic: config.eventsTopic, partitions: config.topicPartitions }])
await producer.connect()
const r = relay({ store, producer, checkpoints, logger, metrics }, { topic: config.eventsTopic, batch: config.relayBatch })
r.start()

const app = httpApp([relayRoutes(r, { tokens })], {
  metrics,
  logger,
  service: 'relay',
  health: async () => {
    const s = await r.status()
    return { ok: s.state !== 'failed', relay: s }
  },
})
const server = await listen(app, { host: config.host, port: config.port, tokens, logger, timeouts: config })
process.stdout.write(`relay is serving at ${server.url}\n`)

onShutdown(logger, async () => {
  await server.close()
  await r.stop()
  await producer.disconnect()
  checkpoints.close()
  await store.close()
})
