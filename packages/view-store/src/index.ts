// The view store port and its adapters.
export * from './port.js'
export { sqliteViewStore, type SqliteViewStoreOptions } from './sqlite/store.js'
