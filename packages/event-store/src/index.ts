// The event store port and its adapters.
export * from './port.js'
export { sqliteEventStore, type SqliteEventStoreOptions } from './sqlite/store.js'
export type { EventStoreDbOptions } from './esdb/store.js'
export { checkSqliteEventStore, type CheckReport, type CheckResult } from './sqlite/check.js'
export { openEventStore, type EventStoreChoice } from './open.js'
