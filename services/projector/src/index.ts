// The projector service: event log → projections → view store.
export * from './projector.js'
export * from './settings.js'
