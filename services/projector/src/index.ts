// The projector service: event log → projections → view store.
export * from './projector.js'
export * from './settings.js'
export * from './supervisor.js'
export * from './routes.js'
export * from './threaded.js'
