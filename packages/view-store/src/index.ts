// The view store port and its adapters.
export * from './port.js'
export { leadRow, leadUpsertSql, sqliteViewStore, type LeadRow, type SqliteViewStoreOptions } from './sqlite/store.js'
export { postgresViewStore, type PostgresViewStoreOptions } from './postgres/store.js'
export { dropViewStore, openViewStore, type ViewStoreChoice } from './open.js'
export { liveViews, type LiveViews, type LiveViewsOptions } from './live.js'
export { viewOfSummary } from './leadView.js'
export { awaitPosition } from './wait.js'
