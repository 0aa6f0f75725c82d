// The dead-letter port and its adapters.
export * from './port.js'
export { sqliteDeadLetters } from './sqlite/store.js'
export { postgresDeadLetters, type PostgresDeadLettersOptions } from './postgres/store.js'
export { openDeadLetters, type DeadLetterChoice } from './open.js'
