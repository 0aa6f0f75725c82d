// The event log port and its adapters.
export * from './port.js'
export { embeddedEventLog } from './embedded/log.js'
