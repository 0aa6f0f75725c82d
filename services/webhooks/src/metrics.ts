// The webhook metrics, on the process's one registry: deliveries by outcome, append → delivery latency, and per
// subscription (read from the delivery log at scrape time) pending, parked, lag, last success and failure rate.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { WebhookStore } from '@leadstream/delivery-log'

/** What the sender records per attempt (a worker thread forwards these to the owner's registry: threaded.ts). */
export interface WebhookMetrics {
  readonly deliveries: { inc(labels: { readonly subscription: string; readonly outcome: string }, value?: number): void }
  readonly latency: { observe(seconds: number): void }
}

/** The per-subscription gauges (read from the delivery log at scrape time) and the attempt metrics, on `registry`. */
export const webhookMetrics = (registry: Registry, store: WebhookStore, now: () => Date): WebhookMetrics => {
  subscriptionGauges(registry, store, now)
  return attemptMetrics(registry)
}

export const subscriptionGauges = (registry: Registry, store: WebhookStore, now: () => Date): void => {
  const perSubscription = (name: string, help: string, value: (s: Awaited<ReturnType<WebhookStore['stats']>>, at: Date) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['subscription'],
      registers: [registry],
      async collect() {
        this.reset()
        const at = now()
        for (const s of await store.subscriptions()) {
          const v = value(await store.stats(s.id, at), at)
          if (v !== null) this.set({ subscription: s.id }, v)
        }
      },
    })
  perSubscription('leadstream_webhook_pending', 'Deliveries waiting per subscription', (s) => s.pending)
  perSubscription('leadstream_webhook_parked', 'Deliveries parked after their last attempt, per subscription', (s) => s.parked)
  perSubscription('leadstream_webhook_lag_seconds', 'Age of the oldest pending delivery per subscription', (s, at) =>
    s.oldestPendingAt === null ? 0 : Math.max(0, (at.getTime() - Date.parse(s.oldestPendingAt)) / 1000),
  )
  perSubscription('leadstream_webhook_last_success_timestamp_seconds', 'When a delivery last succeeded, per subscription', (s) =>
    s.lastSuccessAt === null ? null : Date.parse(s.lastSuccessAt) / 1000,
  )
  perSubscription('leadstream_webhook_failure_ratio', 'Failed attempts / attempts over the last 15 minutes, per subscription', (s) =>
    s.attemptsRecent === 0 ? 0 : s.failuresRecent / s.attemptsRecent,
  )
}

/** `beforeScrape`: a worker thread's attempts are brought in first, so a scrape shows every attempt made before it. */
export const attemptMetrics = (registry: Registry, beforeScrape?: () => Promise<void>): WebhookMetrics => {
  const collect = beforeScrape === undefined ? {} : { collect: beforeScrape }
  return {
    deliveries: new Counter({
      name: 'leadstream_webhook_deliveries_total',
      help: 'Webhook attempts by outcome (delivered, failed = will retry, parked)',
      labelNames: ['subscription', 'outcome'],
      registers: [registry],
      ...collect,
    }),
    latency: new Histogram({
      name: 'leadstream_webhook_append_to_delivery_seconds',
      help: 'From the event’s append to its successful delivery',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60, 600],
      registers: [registry],
      ...collect,
    }),
  }
}
