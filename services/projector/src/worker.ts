// The projection supervisor in a worker thread (the embedded mode's default): projecting then runs on its
// own core instead of sharing the HTTP server's event loop. Talks to its owner by request/answer messages.
import { parentPort, workerData } from 'node:worker_threads'
import { openDeadLetters } from '@leadstream/dead-letters'
import { embeddedEventLog } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { openKeyStore, openingLog } from '@leadstream/privacy'
import { createLogger, createMetrics } from '@leadstream/runtime'
import { dropViewStore, openViewStore } from '@leadstream/view-store'
import { supervisor } from './supervisor.js'
import type { WorkerRequest, WorkerSettings } from './threaded.js'

const settings = workerData as WorkerSettings
const port = parentPort
if (port === null) throw new Error('projector worker started outside a worker thread')

const logger = createLogger('projector', settings.logLevel)
// Appends happen on the owner's thread: this connection notices them by polling the log head.
const store = await openEventStore(settings, { pollMs: 5 })
const base = await openViewStore(settings, 1, logger)
const deadLetters = await openDeadLetters(settings)
// The owner thread opened the key store first (and created the embedded master key if needed): this opens it again.
const keys = await openKeyStore(settings)
const log = openingLog(embeddedEventLog(store), keys)
const leads = supervisor(
  {
    base,
    openViews: (g) => openViewStore(settings, g, logger),
    dropViews: (g, s) => dropViewStore(settings, g, s),
    openLog: async () => log,
    metrics: createMetrics(),
    logger,
    deadLetters,
  },
  {
    projection: settings.projection,
    codeVersion: settings.codeVersion,
    maxBatch: settings.projectorBatch,
    buildBatch: settings.rebuildBatch,
    onPoison: settings.onPoison,
  },
)
await leads.start()

port.on('message', (m: WorkerRequest) => {
  const answer = async (): Promise<unknown> => {
    switch (m.op) {
      case 'status':
        return leads.status()
      case 'rebuild':
        return leads.rebuild()
      case 'setPaused':
        return leads.setPaused(m.paused)
      case 'stop':
        await leads.stop()
        await Promise.all([base.close(), store.close(), deadLetters.close(), keys.close()])
        return null
      default: {
        const never: never = m
        return never
      }
    }
  }
  answer().then(
    (value) => port.postMessage({ id: m.id, ok: true, value }),
    (e: unknown) => port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
  )
})
port.postMessage({ ready: true })
