// The one way services build a kafkajs client and its idempotent producer.
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { kafkaLogCreator } from './log.js'

type Log = Parameters<typeof kafkaLogCreator>[0]

export const kafkaClient = (brokers: ReadonlyArray<string>, clientId: string, logger: Log): Kafka =>
  new Kafka({ clientId, brokers: [...brokers], logLevel: logLevel.WARN, logCreator: kafkaLogCreator(logger), retry: { retries: 8 } })

/** Idempotent producer: the broker drops a retried send it already has, so a retry never duplicates or reorders. */
export const idempotentProducer = (kafka: Kafka): Producer => kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: true })
