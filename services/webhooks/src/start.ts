// Builds the webhook part of a process from its settings: the delivery log, the dispatcher on the given event
// log, its metrics on the process's registry. Shared by the embedded server and the webhooks service.
import type { Router } from 'express'
import type { EventLog } from '@leadstream/event-log'
import type { Tokens } from '@leadstream/http-edge'
import type { Logger } from '@leadstream/runtime'
import { openWebhookStore, type WebhookStore } from '@leadstream/delivery-log'
import type { Registry } from 'prom-client'
import { dispatcher, type DispatcherControl } from './dispatcher.js'
import { subscriptionGauges, attemptMetrics, type WebhookMetrics } from './metrics.js'
import { webhookAdminRoutes } from './routes.js'
import { nothingOpened, personalOpener } from './personal.js'
import type { KeyStore } from '@leadstream/privacy'
import { withSealedSecrets } from './secrets.js'
import type { WebhookConfig } from './settings.js'

export interface Webhooks {
  readonly store: WebhookStore
  /** The dispatcher, on this thread or in a worker thread (threaded.ts). */
  readonly dispatcher: DispatcherControl
  routes(tokens: Tokens): (router: Router) => void
  /** Drains: stops reading the log, lets in-flight deliveries finish, closes the delivery log. */
  close(): Promise<void>
}

export const startWebhooks = async (
  config: WebhookConfig & { readonly dataDir: string },
  ports: {
    /** The log as stored (personal data sealed): the dispatcher keeps it sealed and opens it per attempt. */
    readonly log: EventLog
    /** Kafka: a log of its own per replay from the log (a new consumer group); absent: replays read `log`. */
    readonly openReplayLog?: (name: string) => EventLog
    /** The key store that opens contact data and notes (null: none is sent). */
    readonly keys: KeyStore | null
    readonly registry: Registry
    /** A worker thread's: where the attempt metrics go (forwarded to the owner's registry, which has the gauges). */
    readonly attempts?: WebhookMetrics
    readonly logger: Logger
    readonly now?: () => Date
  },
): Promise<Webhooks> => {
  const now = ports.now ?? (() => new Date())
  const store = withSealedSecrets(await openWebhookStore(config), ports.keys)
  if (ports.attempts === undefined) subscriptionGauges(ports.registry, store, now)
  const metrics = ports.attempts ?? attemptMetrics(ports.registry)
  const d = dispatcher(
    {
      log: ports.log,
      ...(ports.openReplayLog === undefined ? {} : { openReplayLog: ports.openReplayLog }),
      store,
      logger: ports.logger,
      metrics,
      now,
      openPersonal: ports.keys === null ? nothingOpened : personalOpener(ports.keys),
    },
    {
      maxBatch: config.webhookBatch,
      retentionDays: config.webhookRetentionDays,
      timeoutMs: config.webhookTimeoutMs,
      concurrency: config.webhookConcurrency,
      pollMs: config.webhookPollMs,
      privateNetworks: config.webhookPrivateNetworks,
      retry: {
        baseMs: config.webhookRetryBaseMs,
        maxMs: config.webhookRetryMaxMs,
        maxAttempts: config.webhookMaxAttempts,
        maxRetryAfterMs: config.webhookRetryAfterMaxMs,
      },
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
