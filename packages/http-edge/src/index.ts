// HTTP edge pieces shared by the services: error mapping, roles, body reading, idempotency keys.
export * from './errors.js'
export * from './auth.js'
export * from './body.js'
export * from './idempotency.js'
export { sqliteIdempotencyKeys } from './sqlite/idempotency.js'
export * from './app.js'
export * from './listen.js'
export * from './mount.js'
