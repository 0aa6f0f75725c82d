// The relay service: event store → Kafka.
export * from './relay.js'
export * from './routes.js'
