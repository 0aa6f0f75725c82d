// A Supervisor whose projections run in a worker thread (worker.ts). The owner keeps the same interface:
// status, rebuild, pause/resume and stop are messages; the gauges of status land in the owner's metrics.
import { Worker } from 'node:worker_threads'
import type { Metrics } from '@leadstream/runtime'
import type { OnPoison } from './projector.js'
import type { ProjectionStatus, Supervisor } from './supervisor.js'

/** What the worker needs to open its own connections (structured-cloneable settings, no live objects). */
export interface WorkerSettings {
  readonly dataDir: string
  readonly eventStore: 'sqlite' | 'eventstoredb'
  readonly eventStoreUrl: string
  readonly viewStore: 'sqlite' | 'postgres'
  readonly deadLetterStore: 'sqlite' | 'postgres'
  readonly postgresUrl: string
  readonly postgresSchema: string
  readonly keyStore: 'sqlite' | 'postgres'
  readonly masterKey: string
  readonly masterKeyFile: string
  readonly previousMasterKeys: ReadonlyArray<string>
  readonly projectorBatch: number
  readonly rebuildBatch: number
  readonly onPoison: OnPoison
  readonly logLevel: string
  readonly projection: string
  readonly codeVersion: number
}

type Op = { op: 'status' } | { op: 'rebuild' } | { op: 'setPaused'; paused: boolean } | { op: 'stop' }
export type WorkerRequest = Op & { readonly id: number }
type WorkerAnswer =
  | { readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: string }

export const supervisorInWorker = async (settings: WorkerSettings, metrics: Metrics): Promise<Supervisor> => {
  // From sources, src/worker.mjs registers tsx in the new thread, then loads worker.ts; built, dist/worker.mjs is
  // worker.ts compiled (deploy/build.mjs makes it an entry point beside each bundle that starts this thread).
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), { workerData: settings })
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  let next = 0
  let crashed: Error | null = null
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject)
    worker.on('message', function ready(m: WorkerAnswer) {
      if ('ready' in m) {
        worker.off('message', ready)
        worker.off('error', reject)
        resolve()
      }
    })
  })
  worker.on('message', (m: WorkerAnswer) => {
    if ('ready' in m) return
    const p = pending.get(m.id)
    pending.delete(m.id)
    if (m.ok) p?.resolve(m.value)
    else p?.reject(new Error(m.error))
  })
  worker.on('error', (e) => {
    crashed = e
    for (const p of pending.values()) p.reject(e)
    pending.clear()
  })
  const call = <A>(op: Op): Promise<A> => {
    if (crashed !== null) return Promise.reject(crashed)
    const id = next++
    return new Promise<A>((resolve, reject) => {
      pending.set(id, { resolve: (v) => resolve(v as A), reject })
      worker.postMessage({ ...op, id })
    })
  }
  return {
    start: async () => undefined,
    stop: async () => {
      if (crashed === null) await call({ op: 'stop' })
      await worker.terminate()
    },
    status: async () => {
      if (crashed !== null) {
        const c: Error = crashed
        return { projection: settings.projection, registry: null, paused: false, generations: [], failure: `projector thread died: ${c.message}` }
      }
      const s = await call<ProjectionStatus>({ op: 'status' })
      for (const g of s.generations) {
        const labels = { projection: s.projection, generation: String(g.generation), role: g.role }
        metrics.projectionLag.set(labels, g.lag)
        metrics.projectionRate.set(labels, g.eventsPerSecond)
        metrics.projectionPosition.set({ projection: s.projection }, g.position)
      }
      return s
    },
    rebuild: () => call({ op: 'rebuild' }),
    setPaused: (paused) => call({ op: 'setPaused', paused }),
  }
}
