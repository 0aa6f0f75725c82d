// The erasure audit: port, adapters and the opener that picks one from the settings.
export * from './port.js'
export { sqliteErasureAudit } from './sqlite.js'
export { postgresErasureAudit } from './postgres.js'
export { openErasureAudit, type AuditChoice } from './open.js'
