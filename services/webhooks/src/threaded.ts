// The webhook dispatcher and sender in a worker thread (the embedded mode's default, as the projector's): routing,
// recording and signed POSTs then run on their own core instead of the HTTP server's event loop. The owner keeps
// what serves requests: its own connection to the delivery log for the operators' routes and the per-subscription
// gauges; the dispatcher is reached by request/answer messages, and the worker forwards its attempt metrics
// (deliveries by outcome, append → delivery latency) to the owner's one registry in batches.
import { Worker } from 'node:worker_threads'
import type { CircuitState, DispatcherView, LogReplayView } from '@leadstream/api'
import { openWebhookStore, type Subscription } from '@leadstream/delivery-log'
import type { EventStoreChoice } from '@leadstream/event-store'
import type { KeyStore, KeyStoreChoice } from '@leadstream/privacy'
import type { Logger } from '@leadstream/runtime'
import type { Registry } from 'prom-client'
import type { DispatcherControl } from './dispatcher.js'
import { attemptMetrics, subscriptionGauges } from './metrics.js'
import type { ReplayFrom } from './replay.js'
import { webhookAdminRoutes } from './routes.js'
import { withSealedSecrets } from './secrets.js'
import type { WebhookConfig } from './settings.js'
import type { Webhooks } from './start.js'

/** What the worker needs to open its own connections (structured-cloneable settings, no live objects). */
export type WebhookWorkerSettings = WebhookConfig & EventStoreChoice & KeyStoreChoice & { readonly dataDir: string; readonly logLevel: string }

export type WorkerOp =
  | { readonly op: 'status' }
  | { readonly op: 'circuit'; readonly subscriptionId: string }
  | { readonly op: 'subscriptionsChanged' }
  | { readonly op: 'wake' }
  | { readonly op: 'replayFromLog'; readonly subscription: Subscription; readonly from: ReplayFrom }
  | { readonly op: 'replayProgress'; readonly subscriptionId: string }
  | { readonly op: 'report' }
  | { readonly op: 'stop' }
export type WorkerRequest = WorkerOp & { readonly id: number }

/** Attempt metrics gathered in the worker since its last report: counts by (subscription, outcome), latencies in seconds. */
export interface AttemptReport {
  readonly deliveries: ReadonlyArray<readonly [string, string, number]>
  readonly latencies: ReadonlyArray<number>
}

export type WorkerAnswer =
  | { readonly ready: true }
  | { readonly attempts: AttemptReport }
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string }

export const webhooksInWorker = async (
  settings: WebhookWorkerSettings,
  ports: { readonly keys: KeyStore | null; readonly registry: Registry; readonly logger: Logger; readonly now?: () => Date },
): Promise<Webhooks> => {
  const now = ports.now ?? (() => new Date())
  // Opened (and migrated) here first: the worker opens the same delivery log after.
  const store = withSealedSecrets(await openWebhookStore(settings), ports.keys)
  subscriptionGauges(ports.registry, store, now)
  // A scrape first asks the worker for the attempts it has not reported yet (one request for the whole scrape).
  let flushing: Promise<void> | null = null
  const flush = (): Promise<void> =>
    (flushing ??= (
      crashed === null
        ? call<null>({ op: 'report' }).then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve()
    ).finally(() => (flushing = null)))
  const attempts = attemptMetrics(ports.registry, flush)
  // From sources, src/webhooks-worker.mjs registers tsx in the new thread, then loads worker.ts; built,
  // dist/webhooks-worker.mjs is worker.ts compiled (deploy/build.mjs makes it an entry point of the embedded bundle).
  const worker = new Worker(new URL('./webhooks-worker.mjs', import.meta.url), { workerData: settings })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let next = 0
  let crashed: Error | null = null
  // Not awaited: the thread loads its modules (most of a second from sources) while the server starts. Requests
  // posted meanwhile wait in the thread's port; a thread that fails to start answers them with its error.
  let ready = false
  worker.once('message', (m: WorkerAnswer) => {
    if ('ready' in m) ready = true
  })
  worker.on('message', (m: WorkerAnswer) => {
    if ('ready' in m) return
    if ('attempts' in m) {
      for (const [subscription, outcome, n] of m.attempts.deliveries) attempts.deliveries.inc({ subscription, outcome }, n)
      for (const s of m.attempts.latencies) attempts.latency.observe(s)
      return
    }
    const p = pending.get(m.id)
    pending.delete(m.id)
    if (m.ok) p?.resolve(m.value)
    else p?.reject(new Error(m.error))
  })
  worker.on('error', (e) => {
    crashed = e
    ports.logger.error({ err: e.message }, 'webhook thread died')
    for (const p of pending.values()) p.reject(e)
    pending.clear()
  })
  const call = <A>(op: WorkerOp): Promise<A> => {
    if (crashed !== null) return Promise.reject(crashed)
    const id = next++
    return new Promise<A>((resolve, reject) => {
      pending.set(id, { resolve: (v) => resolve(v as A), reject })
      worker.postMessage({ ...op, id })
    })
  }
  const tell = (op: WorkerOp): void =>
    void call(op).catch((e: unknown) =>
      ports.logger.warn({ op: op.op, err: e instanceof Error ? e.message : String(e) }, 'webhook thread did not take a message'),
    )

  const dispatcher: DispatcherControl = {
    subscriptionsChanged: () => tell({ op: 'subscriptionsChanged' }),
    wake: () => tell({ op: 'wake' }),
    circuit: (subscriptionId) => (crashed === null ? call<CircuitState>({ op: 'circuit', subscriptionId }) : Promise.resolve('closed')),
    status: async () => {
      if (crashed !== null) {
        const c: Error = crashed
        return { state: 'failed', head: 0, lag: 0, lastError: `webhook thread died: ${c.message}` }
      }
      return call<DispatcherView>({ op: 'status' })
    },
    replayFromLog: (subscription, from) => call<LogReplayView | null>({ op: 'replayFromLog', subscription, from }),
    replayProgress: (subscriptionId) => call<LogReplayView | null>({ op: 'replayProgress', subscriptionId }),
  }
  let closing: Promise<void> | null = null
  return {
    store,
    dispatcher,
    routes: (tokens) => webhookAdminRoutes({ store, dispatcher, now }, { tokens }),
    close: () =>
      (closing ??= (async () => {
        // Drains in the worker (the batch in hand, the deliveries in flight), then ends the thread; one still
        // loading has read and sent nothing yet: it is ended at once.
        if (crashed === null && ready) await call({ op: 'stop' })
        await worker.terminate()
        for (const p of pending.values()) p.reject(new Error('webhook thread stopped'))
        pending.clear()
        await store.close()
      })()),
  }
}
