// The dead-letter port and its adapters.
export * from './port.js'
export { sqliteDeadLetters } from './sqlite/store.js'
