// The projector as its own process: the embedded log or Kafka → views, with a health endpoint.
import { embeddedEventLog, ensureTopics, kafkaClient, kafkaEventLog, type EventLog } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen } from '@leadstream/http-edge'
import { commonSettings, configOrExit, createLogger, createMetrics, engineRules, eventStoreSettings, httpSettings, kafkaSettings, onShutdown, viewStoreSettings } from '@leadstream/runtime'
import { openViewStore } from '@leadstream/view-store'
import { projector } from './projector.js'
import { projectorServiceSettings, projectorSettings } from './settings.js'

const config = configOrExit(
  'leadstream-projector',
  'reads the event log and keeps the views',
  { ...commonSettings, ...httpSettings(8083), ...kafkaSettings, ...eventStoreSettings, ...viewStoreSettings, ...projectorSettings, ...projectorServiceSettings },
  (c) => [...engineRules(c), ...(c.eventLog === 'kafka' && c.kafkaBrokers.length === 0 ? ['KAFKA_BROKERS: missing (LEADSTREAM_EVENT_LOG=kafka reads from Kafka)'] : [])],
)
const logger = createLogger('projector', config.logLevel)
const metrics = createMetrics()
const views = await openViewStore(config)
const store = config.eventLog === 'embedded' ? await openEventStore(config, { pollMs: 5 }) : null
const openLog = async (): Promise<EventLog> => {
  if (store !== null) return embeddedEventLog(store)
  const kafka = kafkaClient(config.kafkaBrokers, 'leadstream-projector', logger)
  await ensureTopics(kafka, [{ topic: config.eventsTopic, partitions: config.topicPartitions }])
  return kafkaEventLog({ kafka, topic: config.eventsTopic, groupId: config.projectorGroup })
}
const log = await openLog()
const proj = projector({ log, views, metrics, logger }, { maxBatch: config.projectorBatch })
proj.start()

const app = httpApp([], {
  metrics,
  logger,
  health: async () => {
    const s = await proj.status()
    return { ok: s.state !== 'failed', projector: s }
  },
})
const server = await listen(app, { host: config.host, port: config.port, tokens: { ingest: [], analyst: [], operator: [] }, logger })
process.stdout.write(`projector is serving at ${server.url}\n`)

onShutdown(logger, async () => {
  await server.close()
  // The batch in hand commits (views + checkpoint in one transaction) or does not; then the consumer leaves.
  await proj.stop()
  await views.close()
  await store?.close()
})
