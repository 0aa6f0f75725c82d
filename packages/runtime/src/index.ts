// Cross-cutting runtime pieces every service shares: SQLite opener, config, logger, metrics.
export * from './sqlite.js'
export * from './storage.js'
export * from './config.js'
export * from './log.js'
export * from './metrics.js'
export * from './checkpoints.js'
export * from './settings.js'
export * from './process.js'
