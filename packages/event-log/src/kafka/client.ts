// The one way services build a kafkajs client and its idempotent producer.
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs'
import { kafkaLogCreator } from './log.js'

type Log = Parameters<typeof kafkaLogCreator>[0]

export const kafkaClient = (brokers: ReadonlyArray<string>, clientId: string, logger: Log): Kafka =>
  new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.WARN, logCreator: kafkaLogCreator(logger), retry: { retries: 8 } })

/** Idempotent producer: the broker drops a retried send it already has, so a retry never duplicates or reorders. */
export const idempotentProducer = (kafka: Kafka): Producer =>
  kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // Murmur2 like the Java client, so a key lands on the same partition whoever produces it.
    createPartitioner: Partitioners.DefaultPartitioner,
    // An idempotent producer keeps retrying rather than give up and break its sequence numbers.
    retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
  })

/**
 * Creates the topics a service needs when they are missing (an existing topic is left as it is), and waits
 * for their leaders, so a consumer never subscribes to a topic that is not there yet.
 */
export const ensureTopics = async (kafka: Kafka, topics: ReadonlyArray<{ readonly topic: string; readonly partitions: number }>): Promise<void> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t.topic))
    if (missing.length > 0) await admin.createTopics({ topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })), waitForLeaders: true })
  } finally {
    await admin.disconnect()
  }
}
