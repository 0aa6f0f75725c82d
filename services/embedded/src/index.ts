// The embedded mode as a library (tests and benchmarks start it in-process).
export * from './config.js'
export * from './embedded.js'
