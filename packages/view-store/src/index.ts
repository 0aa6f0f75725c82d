// The view store port and its adapters.
export * from './port.js'
export { sqliteViewStore, type SqliteViewStoreOptions } from './sqlite/store.js'
export { postgresViewStore, type PostgresViewStoreOptions } from './postgres/store.js'
export { openViewStore, type ViewStoreChoice } from './open.js'
