// The event log port and its adapters.
export * from './port.js'
export { embeddedEventLog, type EmbeddedLogOptions } from './embedded/log.js'
export { kafkaEventLog, kafkaLogCreator, topicTruncated, topicWatermarks, UndecodableLogMessage, type KafkaEventLogOptions } from './kafka/log.js'
export { toMessage, fromMessage, type EventMessage } from './kafka/message.js'
export { kafkaClient, idempotentProducer, ensureTopics } from './kafka/client.js'
export { chainedEventLog } from './chained.js'
