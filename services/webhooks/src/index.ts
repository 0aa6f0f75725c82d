// The webhook dispatcher service: log → delivery log → signed POSTs; operators' routes; settings.
export * from './dispatcher.js'
export * from './sender.js'
export * from './metrics.js'
export * from './routes.js'
export * from './settings.js'
export * from './start.js'
export * from './personal.js'
export * from './replay.js'
