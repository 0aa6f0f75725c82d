// Cross-cutting runtime pieces every service shares: SQLite opener, config, logger, metrics.
export * from './sqlite.js'
