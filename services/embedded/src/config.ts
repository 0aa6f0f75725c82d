// Settings of the embedded mode (`pnpm start`): every one an environment variable, decoded at start-up.
import { ingestSettings, retentionSettings } from '@leadstream/ingest'
import { projectorSettings } from '@leadstream/projector'
import { querySettings } from '@leadstream/query-api'
import { webhookSettings } from '@leadstream/webhooks'
import * as t from 'io-ts'
import {
  setting,
  commonSettings,
  deadLetterSettings,
  eventStoreSettings,
  idempotencySettings,
  httpSettings,
  privacySettings,
  tokenSettings,
  viewStoreSettings,
  type ConfigOf,
} from '@leadstream/runtime'

export const embeddedSettings = {
  projectorThread: setting(
    'LEADSTREAM_PROJECTOR_THREAD',
    t.keyof({ worker: null, inline: null }),
    "run projections in a worker thread (their own core) or inline on the HTTP server's event loop",
    'worker',
  ),
  ...commonSettings,
  ...httpSettings(8080),
  ...tokenSettings,
  ...eventStoreSettings,
  ...viewStoreSettings,
  ...deadLetterSettings,
  ...idempotencySettings,
  ...privacySettings,
  ...ingestSettings,
  ...retentionSettings,
  ...projectorSettings,
  ...querySettings,
  webhooks: setting(
    'LEADSTREAM_WEBHOOKS',
    t.keyof({ on: null, off: null }),
    'run the webhook dispatcher (signed deliveries to subscriptions) in this process',
    'on',
  ),
  webhookThread: setting(
    'LEADSTREAM_WEBHOOK_THREAD',
    t.keyof({ worker: null, inline: null }),
    "run the webhook dispatcher and sender in a worker thread (their own core) or inline on the HTTP server's event loop",
    'worker',
  ),
  ...webhookSettings,
}

export type EmbeddedConfig = ConfigOf<typeof embeddedSettings>
