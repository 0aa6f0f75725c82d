// Builds the webhook part of a process from its settings: the delivery log, the dispatcher on the given event
// log, its metrics on the process's registry. Shared by the embedded server and the webhooks service.
import type { Router } from 'express'
import type { EventLog } from '@leadstream/event-log'
import type { Tokens } from '@leadstream/http-edge'
import type { Logger } from '@leadstream/runtime'
import { openWebhookStore, type WebhookStore } from '@leadstream/delivery-log'
import type { Registry } from 'prom-client'
import { dispatcher, type Dispatcher } from './dispatcher.js'
import { webhookMetrics } from './metrics.js'
import { webhookAdminRoutes } from './routes.js'
import { nothingOpened, personalOpener } from './personal.js'
import type { KeyStore } from '@leadstream/privacy'
import type { WebhookConfig } from './settings.js'

export interface Webhooks {
  readonly store: WebhookStore
  readonly dispatcher: Dispatcher
  routes(tokens: Tokens): (router: Router) => void
  /** Drains: stops reading the log, lets in-flight deliveries finish, closes the delivery log. */
  close(): Promise<void>
}

export const startWebhooks = async (
  config: WebhookConfig & { readonly dataDir: string },
  ports: {
    /** The log as stored (personal data sealed): the dispatcher keeps it sealed and opens it per attempt. */
    readonly log: EventLog
    /** The key store that opens contact data (null: none is sent, only notes). */
    readonly keys: KeyStore | null
    readonly registry: Registry
    readonly logger: Logger
    readonly now?: () => Date
  },
): Promise<Webhooks> => {
  const now = ports.now ?? (() => new Date())
  const store = await openWebhookStore(config)
  const metrics = webhookMetrics(ports.registry, store, now)
  const d = dispatcher(
    { log: ports.log, store, logger: ports.logger, metrics, now, openPersonal: ports.keys === null ? nothingOpened : personalOpener(ports.keys) },
    {
      maxBatch: config.webhookBatch,
      retentionDays: config.webhookRetentionDays,
      timeoutMs: config.webhookTimeoutMs,
      concurrency: config.webhookConcurrency,
      pollMs: config.webhookPollMs,
      retry: { baseMs: config.webhookRetryBaseMs, maxMs: config.webhookRetryMaxMs, maxAttempts: config.webhookMaxAttempts, maxRetryAfterMs: config.webhookRetryAfterMaxMs },
      circuit: { threshold: config.webhookCircuitThreshold, cooldownMs: config.webhookCircuitCooldownMs, maxCooldownMs: config.webhookCircuitMaxCooldownMs },
    },
  )
  d.start()
  let closing: Promise<void> | null = null
  return {
    store,
    dispatcher: d,
    routes: (tokens) => webhookAdminRoutes({ store, dispatcher: d, now }, { tokens }),
    close: () =>
      (closing ??= (async () => {
        await d.stop()
        await store.close()
      })()),
  }
}
