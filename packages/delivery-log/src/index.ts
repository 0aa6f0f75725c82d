// Signed webhooks out: what events become for subscribers, Standard Webhooks signing, retry and circuit rules,
// and the delivery log port with its adapters.
export * from './messages.js'
export * from './sign.js'
export * from './retry.js'
export * from './port.js'
export { sqliteWebhookStore } from './sqlite/store.js'
export { postgresWebhookStore, type PostgresWebhookStoreOptions } from './postgres/store.js'
export { openWebhookStore, type WebhookStoreChoice } from './open.js'
