// Ingest as its own process: HTTP inbound, and the `leads.inbound` consumer when Kafka is configured.
import { randomUUID } from 'node:crypto'
import { openDeadLetters, openParkedEvents } from '@leadstream/dead-letters'
import { withSources } from '@leadstream/domain'
import { ensureTopics, idempotentProducer, kafkaClient } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen, openIdempotencyKeys } from '@leadstream/http-edge'
import {
  commonSettings,
  configOrExit,
  deadLetterSettings,
  idempotencySettings,
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
import { openPersonalData } from '@leadstream/privacy'
import { kafkaInbound } from './kafkaInbound.js'
import { parkingSweeper } from './parking.js'
import { eventRoutes } from './events.js'
import { ingestRoutes } from './routes.js'
import { ingestKafkaSettings, ingestSettings } from './settings.js'

const config = configOrExit(
  'leadstream-ingest',
  'leads in over HTTP (and Kafka) → decide → append to the event store',
  { ...commonSettings, ...httpSettings(8081), ...tokenSettings, ...eventStoreSettings, ...deadLetterSettings, ...idempotencySettings, ...privacySettings, ...ingestSettings, ...kafkaSettings, ...ingestKafkaSettings },
  engineRules,
)
const logger = createLogger('ingest', config.logLevel)
const metrics = createMetrics()
const store = await openEventStore(config)
// Before anything is appended: a master key that does not open the key store stops the process here.
const personal = await openPersonalData(config, logger)
const deadLetters = await openDeadLetters(config)
const parked = await openParkedEvents(config)
const idempotencyKeys = await openIdempotencyKeys(config, store)
const tokens = { ingest: config.ingestTokens, analyst: config.analystTokens, operator: config.operatorTokens }
// Appends go through the sealing store: the event store (and so the relay and Kafka) holds ciphertext only.
const ports = {
  store: personal.sealing(store),
  seal: personal.seal,
  deadLetters,
  parked,
  parkForMs: config.parkForSeconds * 1000,
  sources: withSources(config.leadSources),
  identity: personal.identity,
  now: () => new Date(),
  newId: randomUUID,
  metrics,
  logger,
}

const kafka = config.kafkaBrokers.length > 0 ? kafkaClient(config.kafkaBrokers, 'leadstream-ingest', logger) : null
const producer = kafka === null ? null : idempotentProducer(kafka)
const inbound =
  kafka === null || producer === null
    ? null
    : kafkaInbound(ports, { kafka, producer, topic: config.inboundTopic, dlqTopic: config.dlqTopic, groupId: config.ingestGroup, sessionTimeoutMs: config.kafkaSessionMs })
if (kafka !== null && producer !== null && inbound !== null) {
  await ensureTopics(kafka, [
    { topic: config.inboundTopic, partitions: config.topicPartitions },
    { topic: config.dlqTopic, partitions: 1 },
  ])
  await producer.connect()
  await inbound.start()
  logger.info({ topic: config.inboundTopic, dlq: config.dlqTopic }, 'consuming inbound leads from Kafka')
}

const sweeper = parkingSweeper(ports, config.parkSweepMs)

const app = httpApp([ingestRoutes(ports, { tokens, idempotencyKeys, bodyLimitBytes: config.bodyLimitBytes, maxBatch: config.maxBatch, marketplaceSecrets: config.marketplaceSecrets }), eventRoutes(store, { tokens })], {
  metrics,
  logger,
  service: 'ingest',
  health: async () => {
    const k = inbound?.status() ?? null
    return { ok: k === null || k.state !== 'failed', kafka: k }
  },
})
const server = await listen(app, { host: config.host, port: config.port, tokens, logger, timeouts: config })
process.stdout.write(`ingest is serving at ${server.url}\n`)

onShutdown(logger, async () => {
  await server.close()
  // Disconnecting lets the batch in hand finish: its appends land and its offset is committed, or neither.
  await inbound?.stop()
  await sweeper.stop()
  await producer?.disconnect()
  await Promise.all([store.close(), deadLetters.close(), parked.close(), idempotencyKeys.close(), personal.close()])
})
