// The webhook dispatcher and sender in a worker thread (threaded.ts starts it): reads the embedded store's log
// through its own connection, records and sends as in-process, answers its owner's requests, and reports its
// attempt metrics to the owner's registry every reportMs (and before it stops).
import { parentPort, workerData } from 'node:worker_threads'
import { embeddedEventLog } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { openKeyStore } from '@leadstream/privacy'
import { createLogger, createMetrics } from '@leadstream/runtime'
import type { WebhookMetrics } from './metrics.js'
import { startWebhooks } from './start.js'
import type { AttemptReport, WebhookWorkerSettings, WorkerRequest } from './threaded.js'

const settings = workerData as WebhookWorkerSettings
const port = parentPort
if (port === null) throw new Error('webhook worker started outside a worker thread')

/** How often attempt metrics go to the owner: often enough for a scrape, seldom enough to cost it nothing. */
const reportMs = 250

const logger = createLogger('webhooks', settings.logLevel)
// Appends happen on the owner's thread: this connection notices them by polling the log head.
const store = await openEventStore(settings, { pollMs: 5 })
// The owner thread opened the key store first (and created the embedded master key if needed): this opens it again.
const keys = await openKeyStore(settings)

let counts = new Map<string, readonly [string, string, number]>()
let latencies: number[] = []
const attempts: WebhookMetrics = {
  deliveries: {
    inc: ({ subscription, outcome }, value = 1) => {
      const key = `${subscription}\u0000${outcome}`
      counts.set(key, [subscription, outcome, (counts.get(key)?.[2] ?? 0) + value])
    },
  },
  latency: { observe: (seconds) => void latencies.push(seconds) },
}
const report = (): void => {
  if (counts.size === 0 && latencies.length === 0) return
  const r: AttemptReport = { deliveries: [...counts.values()], latencies }
  counts = new Map()
  latencies = []
  port.postMessage({ attempts: r })
}
const reporting = setInterval(report, reportMs)

const webhooks = await startWebhooks(settings, {
  log: embeddedEventLog(store, { idleWaitMs: 250 }),
  keys,
  registry: createMetrics().registry,
  attempts,
  logger,
})
// The routes live on the owner's thread; this one is only the dispatcher. startWebhooks hands out a control.
const d = webhooks.dispatcher

port.on('message', (m: WorkerRequest) => {
  const answer = async (): Promise<unknown> => {
    switch (m.op) {
      case 'status':
        return d.status()
      case 'circuit':
        return d.circuit(m.subscriptionId)
      case 'subscriptionsChanged':
        return d.subscriptionsChanged()
      case 'wake':
        return d.wake()
      case 'replayFromLog':
        return d.replayFromLog(m.subscription, m.from)
      case 'replayProgress':
        return d.replayProgress(m.subscriptionId)
      case 'report':
        report()
        return null
      case 'stop':
        clearInterval(reporting)
        await webhooks.close()
        await Promise.all([store.close(), keys.close()])
        report()
        return null
      default: {
        const never: never = m
        return never
      }
    }
  }
  answer().then(
    (value) => port.postMessage({ id: m.id, ok: true, value: value ?? null }),
    (e: unknown) => port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  )
})
port.postMessage({ ready: true })
