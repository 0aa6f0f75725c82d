// The query API service: views → HTTP.
export * from './routes.js'
export * from './analytics.js'
export * from './filters.js'
export * from './params.js'
export * from './admin.js'
export * from './settings.js'
