// Ingest as its own process: HTTP inbound, and the `leads.inbound` consumer when Kafka is configured.
import { randomUUID } from 'node:crypto'
import { openDeadLetters, openParkedEvents } from '@leadstream/dead-letters'
import { leadsProjection, withSources } from '@leadstream/domain'
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
  viewStoreSettings,
} from '@leadstream/runtime'
import { openErasureAudit, openPersonalData, subjectsInText } from '@leadstream/privacy'
import { liveViews, openViewStore } from '@leadstream/view-store'
import { privacyHttpRoutes, privacyPorts, resumePending, retentionLoop, sweep } from './privacy/index.js'
import { kafkaInbound } from './kafkaInbound.js'
import { parkingSweeper } from './parking.js'
import { eventRoutes } from './events.js'
import { ingestRoutes } from './routes.js'
import { ingestKafkaSettings, ingestSettings, retentionSettings } from './settings.js'

const config = configOrExit(
  'leadstream-ingest',
  'leads in over HTTP (and Kafka) → decide → append to the event store',
  {
    ...commonSettings,
    ...httpSettings(8081),
    ...tokenSettings,
    ...eventStoreSettings,
    ...deadLetterSettings,
    ...idempotencySettings,
    ...privacySettings,
    ...viewStoreSettings,
    ...ingestSettings,
    ...retentionSettings,
    ...kafkaSettings,
    ...ingestKafkaSettings,
  },
  engineRules,
)
const logger = createLogger('ingest', config.logLevel)
const metrics = createMetrics()
const store = await openEventStore(config)
// Before anything is appended: a master key that does not open the key store stops the process here.
const personal = await openPersonalData(config, logger)
// Each dead letter records the subjects its payload names (keyed HMACs), so an erasure can purge it.
const deadLetters = await openDeadLetters(config, subjectsInText(personal.secret))
const parked = await openParkedEvents(config)
const audit = await openErasureAudit(config)
// Read only: the erasure waits for the views to apply its events before it empties the WALs, and retention
// finds its candidates there.
const baseViews = await openViewStore(config, 1, logger)
const views = liveViews({ projection: leadsProjection.name, base: baseViews, openViews: (g) => openViewStore(config, g, logger) })
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
    : kafkaInbound(ports, {
        kafka,
        producer,
        topic: config.inboundTopic,
        dlqTopic: config.dlqTopic,
        groupId: config.ingestGroup,
        sessionTimeoutMs: config.kafkaSessionMs,
      })
if (kafka !== null && producer !== null && inbound !== null) {
  await ensureTopics(kafka, [
    { topic: config.inboundTopic, partitions: config.topicPartitions },
    { topic: config.dlqTopic, partitions: 1 },
  ])
  await producer.connect()
  await inbound.start()
  logger.info({ topic: config.inboundTopic, dlq: config.dlqTopic }, 'consuming inbound leads from Kafka')
}

const admin = kafka?.admin() ?? null
await admin?.connect()
const privacy = privacyPorts({
  store,
  personal,
  deadLetters,
  parked,
  answers: idempotencyKeys,
  audit,
  views,
  dataDir: config.dataDir,
  inbound: admin === null ? null : { admin, topic: config.inboundTopic, groupId: config.ingestGroup },
  viewsWaitMs: config.erasureViewsWaitMs,
  now: () => new Date(),
  newId: randomUUID,
  metrics,
  logger,
})
await resumePending(privacy)
const retention = config.retentionDays === 0 ? null : { days: config.retentionDays, everyMs: config.retentionEveryMinutes * 60_000 }
const retentionTimer = retention === null ? null : retentionLoop(privacy, retention)
const privacyRoutes = privacyHttpRoutes(privacy, {
  tokens,
  bodyLimitBytes: config.bodyLimitBytes,
  retentionDays: retention?.days ?? null,
  sweepNow: retention === null ? null : () => sweep(privacy, retention, new Date()),
})

const sweeper = parkingSweeper(ports, config.parkSweepMs)

const app = httpApp(
  [
    ingestRoutes(ports, {
      tokens,
      idempotencyKeys,
      bodyLimitBytes: config.bodyLimitBytes,
      maxBatch: config.maxBatch,
      marketplaceSecrets: config.marketplaceSecrets,
    }),
    eventRoutes(store, { tokens, unseal: privacy.unseal }),
    privacyRoutes,
  ],
  {
    metrics,
    logger,
    service: 'ingest',
    health: async () => {
      const k = inbound?.status() ?? null
      return { ok: k === null || k.state !== 'failed', kafka: k }
    },
  },
)
const server = await listen(app, { host: config.host, port: config.port, tokens, logger, timeouts: config })
process.stdout.write(`ingest is serving at ${server.url}\n`)

onShutdown(logger, async () => {
  await server.close()
  await retentionTimer?.stop()
  // Disconnecting lets the batch in hand finish: its appends land and its offset is committed, or neither.
  await inbound?.stop()
  await sweeper.stop()
  await producer?.disconnect()
  await admin?.disconnect()
  await views.close()
  await Promise.all([baseViews.close(), store.close(), deadLetters.close(), parked.close(), idempotencyKeys.close(), audit.close(), personal.close()])
})
