// The event store port and its adapters.
export * from './port.js'
export { sqliteEventStore, type SqliteEventStoreOptions } from './sqlite/store.js'
