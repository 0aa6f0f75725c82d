// Picks the delivery log's adapter from settings (LEADSTREAM_WEBHOOK_STORE), for every composition root.
import { join } from 'node:path'
import type { WebhookStore } from './port.js'
import { postgresWebhookStore } from './postgres/store.js'
import { sqliteWebhookStore } from './sqlite/store.js'

export interface WebhookStoreChoice {
  readonly webhookStore: 'sqlite' | 'postgres'
  readonly dataDir: string
  readonly postgresUrl: string
  readonly postgresSchema: string
}

export const openWebhookStore = async (c: WebhookStoreChoice): Promise<WebhookStore> =>
  c.webhookStore === 'postgres'
    ? postgresWebhookStore({ connectionString: c.postgresUrl, schema: `${c.postgresSchema}_webhooks` })
    : sqliteWebhookStore({ path: join(c.dataDir, 'webhooks.db') })
