// The query API service: views → HTTP.
export * from './routes.js'
export * from './params.js'
export * from './admin.js'
export * from './settings.js'
