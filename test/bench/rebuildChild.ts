// The rebuild of the scale step, in a process of its own so its peak RSS is the rebuild's: what the projector
// service holds while it builds a new generation (the event store, the key store opening personal data, the
// projector, the view store and its writer thread), not the benchmark's generated history.
import { testPersonalData } from '../support/privacy.js'
import { join } from 'node:path'
import { sqliteEventStore } from '@leadstream/event-store'
import { sqliteViewStore } from '@leadstream/view-store'
import { projectAll } from './projection.js'

export interface RebuildJob {
  /** A data directory holding events.db and the key store the events were sealed with. */
  readonly dir: string
  readonly batch: number
}

export type RebuildMessage =
  | { readonly type: 'progress'; readonly position: number; readonly head: number; readonly seconds: number }
  | {
      readonly type: 'done'
      readonly events: number
      readonly seconds: number
      readonly indexSeconds: number
      readonly cpuSeconds: number
      readonly leads: number
      /** RSS once the stores were open, just before the rebuild began. */
      readonly rssBefore: number
      /** The process's peak RSS (getrusage), bytes. */
      readonly rssPeak: number
    }

const send = (m: RebuildMessage) => process.send?.(m)

process.once('message', (job: RebuildJob) => {
  void (async () => {
    const personal = await testPersonalData(job.dir, '')
    const store = sqliteEventStore({ path: join(job.dir, 'events.db') })
    const path = join(job.dir, 'views-rebuild.db')
    const views = sqliteViewStore({ path })
    const rssBefore = process.memoryUsage.rss()
    const cpu0 = process.cpuUsage()
    const r = await projectAll(store, views, {
      maxBatch: job.batch,
      build: true,
      open: (l) => personal.opening(l),
      onProgress: (position, head, seconds) => send({ type: 'progress', position, head, seconds }),
    })
    const cpu = process.cpuUsage(cpu0)
    const leads = (await views.counts('all')).filter((c) => c.metric === 'leads').reduce((n, c) => n + c.n, 0)
    const rssPeak = process.resourceUsage().maxRSS * 1024
    await views.close()
    await store.close()
    await personal.close()
    send({ type: 'done', ...r, cpuSeconds: (cpu.user + cpu.system) / 1e6, leads, rssBefore, rssPeak })
    process.disconnect()
  })().catch((e: unknown) => {
    process.stderr.write(`rebuild child: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  })
})
