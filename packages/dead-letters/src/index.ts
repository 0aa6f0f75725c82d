// The dead-letter port and its adapters, and the parked-events port (held out-of-order events) and its adapters.
export * from './port.js'
export { leadsInPayload } from './leads.js'
export { sqliteDeadLetters } from './sqlite/store.js'
export { postgresDeadLetters, type PostgresDeadLettersOptions } from './postgres/store.js'
export { openDeadLetters, openParkedEvents, type DeadLetterChoice } from './open.js'
export * from './parked/port.js'
export { sqliteParkedEvents } from './parked/sqlite/store.js'
export { postgresParkedEvents } from './parked/postgres/store.js'
