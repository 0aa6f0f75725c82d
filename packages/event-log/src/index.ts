// The event log port and its adapters.
export * from './port.js'
export { embeddedEventLog } from './embedded/log.js'
export { kafkaEventLog, kafkaLogCreator, UndecodableLogMessage, type KafkaEventLogOptions } from './kafka/log.js'
export { toMessage, fromMessage, type EventMessage } from './kafka/message.js'
export { kafkaClient, idempotentProducer, ensureTopics } from './kafka/client.js'
