// The projector as its own process: the embedded log or Kafka → views, with health and operators' routes.
import { join } from 'node:path'
import { openDeadLetters } from '@leadstream/dead-letters'
import { leadsProjection } from '@leadstream/domain'
import { existsSync } from 'node:fs'
import { chainedEventLog, embeddedEventLog, ensureTopics, kafkaClient, kafkaEventLog, topicTruncated, type EventLog } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen } from '@leadstream/http-edge'
import {
  commonSettings,
  configOrExit,
  deadLetterSettings,
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
import { openPersonalData } from '@leadstream/privacy'
import { dropViewStore, openViewStore } from '@leadstream/view-store'
import { projectionRoutes } from './routes.js'
import { projectorServiceSettings, projectorSettings } from './settings.js'
import { supervisor } from './supervisor.js'

const config = configOrExit(
  'leadstream-projector',
  'reads the event log and keeps the views',
  {
    ...commonSettings,
    ...httpSettings(8083),
    ...tokenSettings,
    ...kafkaSettings,
    ...eventStoreSettings,
    ...viewStoreSettings,
    ...deadLetterSettings,
    ...privacySettings,
    ...projectorSettings,
    ...projectorServiceSettings,
  },
  (c) => [
    ...engineRules(c),
    ...(c.eventLog === 'kafka' && c.kafkaBrokers.length === 0 ? ['KAFKA_BROKERS: missing (LEADSTREAM_EVENT_LOG=kafka reads from Kafka)'] : []),
  ],
)
const logger = createLogger('projector', config.logLevel)
const metrics = createMetrics()
const tokens = { ingest: config.ingestTokens, analyst: config.analystTokens, operator: config.operatorTokens }
// The key store opens what the log holds sealed; a master key that does not open it stops the process here.
const personal = await openPersonalData(config, logger)
const base = await openViewStore(config, 1, logger)
// Parked poison events (LEADSTREAM_PROJECTION_ON_POISON=park): beside this projector's data, or shared in PostgreSQL.
const deadLetters = await openDeadLetters(config)
const store = config.eventLog === 'embedded' ? await openEventStore(config, { pollMs: 5 }) : null
const kafka = store === null ? kafkaClient(config.kafkaBrokers, 'leadstream-projector', logger) : null
if (kafka !== null) await ensureTopics(kafka, [{ topic: config.eventsTopic, partitions: config.topicPartitions }])

/** Checkpoints of a history read from the event store are kept apart from Kafka's partitions. */
const HISTORY_PARTITION = -1

/**
 * Each generation reads the whole log on its own: its own consumer group on Kafka, from the earliest offset.
 * When retention has removed the start of the topic, a rebuilt generation first reads the history from the
 * event store itself (shared SQLite file or EventStoreDB), then Kafka.
 */
const openLog = async (generation: number): Promise<EventLog> => personal.opening(await sealedLog(generation))
const sealedLog = async (generation: number): Promise<EventLog> => {
  if (store !== null) return embeddedEventLog(store)
  if (kafka === null) throw new Error('no event log configured')
  const live = kafkaEventLog({
    kafka,
    topic: config.eventsTopic,
    groupId: generation === 1 ? config.projectorGroup : `${config.projectorGroup}-g${generation}`,
    sessionTimeoutMs: config.kafkaSessionMs,
  })
  if (generation === 1 || !(await topicTruncated(kafka, config.eventsTopic))) return live
  const reachable = config.eventStore === 'eventstoredb' || existsSync(join(config.dataDir, 'events.db'))
  if (!reachable) {
    logger.warn(
      { generation },
      `${config.eventsTopic} no longer holds every event and the event store is not reachable from here: rebuilding from what Kafka holds`,
    )
    return live
  }
  logger.info({ generation }, `${config.eventsTopic} no longer holds every event: the rebuild reads the history from the event store, then Kafka`)
  const history = await openEventStore(config, { pollMs: 5 })
  return chainedEventLog(embeddedEventLog(history, { partition: HISTORY_PARTITION, untilCaughtUp: true }), live)
}
const leads = supervisor(
  { base, openViews: (g) => openViewStore(config, g), dropViews: (g, s) => dropViewStore(config, g, s), openLog, metrics, logger, deadLetters },
  {
    projection: leadsProjection.name,
    codeVersion: leadsProjection.version,
    maxBatch: config.projectorBatch,
    buildBatch: config.rebuildBatch,
    onPoison: config.onPoison,
  },
)
await leads.start()

const app = httpApp([projectionRoutes(new Map([[leadsProjection.name, leads]]), { tokens })], {
  metrics,
  logger,
  service: 'projector',
  health: async () => {
    const s = await leads.status()
    return { ok: !s.generations.some((g) => g.state === 'failed'), projections: [s] }
  },
})
const server = await listen(app, { host: config.host, port: config.port, tokens, logger, timeouts: config })
process.stdout.write(`projector is serving at ${server.url}\n`)

onShutdown(logger, async () => {
  await server.close()
  // The batch in hand commits (views + checkpoint in one transaction) or does not; then the consumers leave.
  await leads.stop()
  await base.close()
  await deadLetters.close()
  await store?.close()
  await personal.close()
})
