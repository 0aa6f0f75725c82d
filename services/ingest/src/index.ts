// The ingest service: leads in (HTTP, and the inbound Kafka topic in the distributed mode) → decide → append.
export * from './ports.js'
export * from './leads.js'
export * from './commands.js'
export * from './routes.js'
export * from './kafkaInbound.js'
export * from './settings.js'
export * from './replay.js'
export * from './events.js'
