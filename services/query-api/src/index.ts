// The query API service: views → HTTP.
export * from './routes.js'
export * from './params.js'
export * from './admin.js'
export * from './settings.js'
export * from './fresh.js'
export * from './present.js'
export * from './csv.js'
export * from './exports.js'
