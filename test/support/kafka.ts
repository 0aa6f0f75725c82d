// Kafka test support. The broker is a real one, started outside the tests by `bash deploy/kafka/broker.sh start`,
// which prints the address to put in KAFKA_BROKERS (a comma list, e.g. 127.0.0.1:19092).
// The rule for suites that need it (requireKafka): in CI a missing broker FAILS the run; locally the suite says
// loudly that it did not run, and registers no cases.
import { testIdentitySecret } from './privacy.js'
import { randomBytes } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'

/** The brokers named by KAFKA_BROKERS, or null when it is unset or empty. */
export const kafkaBrokers = (): string[] | null => {
  const list = (process.env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b.length > 0)
  return list.length > 0 ? list : null
}

/**
 * The brokers for a suite that needs Kafka. KAFKA_BROKERS set: its brokers. Unset in CI (CI=true): throws, so the
 * run fails instead of silently skipping. Unset elsewhere: one loud line on stderr, and null (run no cases).
 */
export const requireKafka = (suiteName: string): string[] | null => {
  const brokers = kafkaBrokers()
  if (brokers !== null) return brokers
  if (process.env.CI === 'true') {
    throw new Error(
      `KAFKA_BROKERS is not set in CI: "${suiteName}" needs a Kafka broker. ` +
        'CI must start one (bash deploy/kafka/broker.sh start) and export the KAFKA_BROKERS line it prints.',
    )
  }
  process.stderr.write(`!!! KAFKA_BROKERS is not set: ${suiteName} did not run (start a broker: bash deploy/kafka/broker.sh start)\n`)
  return null
}

const levels: Record<string, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
}

/** A kafkajs client for tests: silent unless KAFKAJS_LOG_LEVEL (error|warn|info|debug) asks for its log. */
export const kafkaClient = (brokers: string[], clientId = 'leadstream-test'): Kafka =>
  new Kafka({
    clientId,
    brokers,
    logLevel: levels[(process.env.KAFKAJS_LOG_LEVEL ?? 'nothing').toLowerCase()] ?? logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 10000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 2000 },
  })

/** A topic name no other test (nor an earlier run against the same broker) uses. */
export const uniqueTopic = (prefix: string): string => {
  const clean = prefix.replace(/[^a-zA-Z0-9._-]/g, '-').slice(0, 150)
  return `${clean}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`
}

/** Creates a topic (replication factor 1) and waits until every partition has a leader. Throws if it exists. */
export const createTopic = async (brokers: string[], name: string, partitions: number): Promise<void> => {
  const admin = kafkaClient(brokers, 'leadstream-test-admin').admin()
  await admin.connect()
  try {
    const created = await admin.createTopics({
      topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
      waitForLeaders: true,
      timeout: 15000,
    })
    if (!created) throw new Error(`topic ${name} already exists`)
  } finally {
    await admin.disconnect()
  }
}

/** Deletes topics, best effort (for a suite's cleanup). */
export const deleteTopics = async (brokers: string[], names: string[]): Promise<void> => {
  const admin = kafkaClient(brokers, 'leadstream-test-admin').admin()
  try {
    await admin.connect()
    await admin.deleteTopics({ topics: names, timeout: 10000 })
  } catch {
    // cleanup only: the broker's data is disposable anyway
  } finally {
    await admin.disconnect().catch(() => undefined)
  }
}

export interface PipelineTopics {
  readonly inbound: string
  readonly dlq: string
  readonly events: string
}

/**
 * Fresh topics (inbound and events with 3 partitions, a 1-partition DLQ) and the environment that points
 * every leadstream service at them, over `dataDir`, with consumer groups no other run shares.
 */
export const pipeline = async (brokers: string[], dataDir: string, prefix: string): Promise<{ topics: PipelineTopics; env: Record<string, string> }> => {
  const topics = { inbound: uniqueTopic(`${prefix}.inbound`), dlq: uniqueTopic(`${prefix}.dlq`), events: uniqueTopic(`${prefix}-events`) }
  await createTopic(brokers, topics.inbound, 3)
  await createTopic(brokers, topics.dlq, 1)
  await createTopic(brokers, topics.events, 3)
  const env = {
    LEADSTREAM_DATA_DIR: dataDir,
    LEADSTREAM_PORT: '0',
    LEADSTREAM_LOG_LEVEL: 'warn',
    KAFKA_BROKERS: brokers.join(','),
    LEADSTREAM_INBOUND_TOPIC: topics.inbound,
    LEADSTREAM_DLQ_TOPIC: topics.dlq,
    LEADSTREAM_EVENTS_TOPIC: topics.events,
    LEADSTREAM_INGEST_GROUP: `ingest-${topics.events}`,
    LEADSTREAM_PROJECTOR_GROUP: `projector-${topics.events}`,
    LEADSTREAM_EVENT_LOG: 'kafka',
    LEADSTREAM_IDENTITY_SECRET: testIdentitySecret,
  }
  return { topics, env }
}
