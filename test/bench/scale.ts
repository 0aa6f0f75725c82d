// The scale step: a store filled to BENCH_SCALE_EVENTS (10M by default) through appendMany, with the append
// curve to that size beside bare inserts of the same rows, then a rebuild of its views in a process of its own,
// whose peak RSS is the memory figure. It is the long step of `pnpm bench` (over an hour at 10M here).
import { testPersonalData } from '../support/privacy.js'
import { fork } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sqliteEventStore } from '@leadstream/event-store'
import { curveReport, fillWithCurve } from './curve.js'
import { leadHistory } from './history.js'
import { int, type Figure } from './report.js'
import type { RebuildJob, RebuildMessage } from './rebuildChild.js'
import { mib } from './rss.js'

export interface ScaleOptions {
  readonly dir: string
  readonly events: number
  readonly batch: number
  readonly segment: number
  readonly rebuildBatch: number
  readonly seed: number
  readonly captureShare: number
  readonly classifications: number
  /** Where the curve's PNG goes (empty: not written). */
  readonly plot: string
  readonly say: (s: string) => void
  readonly progress: (s: string) => void
  readonly endProgress: () => void
}

/** The resident set of process `pid` in bytes (Linux /proc), or 0 where it cannot be read. */
const rssOf = (pid: number | undefined): number => {
  try {
    const kib = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${String(pid)}/status`, 'utf8'))?.[1]
    return kib === undefined ? 0 : Number(kib) * 1024
  } catch {
    return 0
  }
}

/**
 * Runs the rebuild child on `job`, relaying its progress; resolves with its report and the peak RSS sampled
 * from outside up to its last progress report (projecting), so the report can say when the peak came (the
 * child's own timers cannot run while it creates the indexes: that blocks its thread).
 */
const rebuildInChild = (job: RebuildJob, onProgress: (m: Extract<RebuildMessage, { type: 'progress' }>) => void) =>
  new Promise<Extract<RebuildMessage, { type: 'done' }> & { readonly rssPeakProjecting: number }>((resolve, reject) => {
    // The child inherits this process's execArgv, which is how tsx loads TypeScript in it.
    const child = fork(new URL('./rebuildChild.ts', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let peak = 0
    let peakProjecting = 0
    const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid))), 50)
    let done: Extract<RebuildMessage, { type: 'done' }> | null = null
    child.on('message', (m: RebuildMessage) => {
      if (m.type === 'progress') {
        peakProjecting = peak
        onProgress(m)
      } else done = m
    })
    child.once('error', reject)
    child.once('exit', (code) => {
      clearInterval(sampler)
      if (done !== null) resolve({ ...done, rssPeakProjecting: peakProjecting })
      else reject(new Error(`rebuild child exited with ${String(code)} and no report`))
    })
    child.send(job)
  })

export const benchScale = async (o: ScaleOptions): Promise<{ readonly figures: Figure[]; readonly notes: string[] }> => {
  const personal = await testPersonalData(o.dir, '')
  const store = sqliteEventStore({ path: join(o.dir, 'events.db') })
  const history = leadHistory({ seed: o.seed + 7, captureShare: o.captureShare / 100, classifications: o.classifications, total: o.events })
  o.say(`scale: filling an event store with ${int(o.events)} events through appendMany, bare inserts of the same rows in turn…`)
  const t0 = Date.now()
  const curve = await fillWithCurve(store, history, {
    dir: o.dir,
    batch: o.batch,
    segment: o.segment,
    prepare: (requests) => personal.seal(requests),
    onPoint: (c, s) =>
      o.progress(
        `  filled ${int(c.size)} / ${int(o.events)} events (this segment ${int(c.store)} events/s in appendMany, ${int(c.raw)} rows/s bare; ${int(c.size / s)} on average)`,
      ),
  })
  o.endProgress()
  const fillMinutes = (Date.now() - t0) / 60_000
  await store.close()
  await personal.close()
  const report = curveReport(curve, { batch: o.batch, segment: o.segment, plot: o.plot })
  const captured = history.byType['LeadCaptured'] ?? 0

  o.say(`scale: rebuilding the views of those ${int(o.events)} events in a process of its own, ${int(o.rebuildBatch)} per batch…`)
  const rb = await rebuildInChild({ dir: o.dir, batch: o.rebuildBatch }, (m) =>
    o.progress(`  projected ${int(m.position)} / ${int(m.head)} events (${int(m.position / m.seconds)} events/s)`),
  )
  o.endProgress()
  if (rb.leads !== captured) throw new Error(`the rebuilt views count ${rb.leads} leads, the store captured ${captured}`)
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(o.dir, `views-rebuild.db${suffix}`), { force: true })
  const rate = rb.events / rb.seconds
  return {
    figures: [
      ...report.figures,
      {
        name: `rebuild at scale: a new generation in bulk (${int(rb.events)} events, batch ${int(o.rebuildBatch)}, a process of its own)`,
        value: `${int(rate)} events/s (${int(rb.events / rb.cpuSeconds)}/CPU-s)`,
        raw: '',
        target: '≥ 100,000 events/s',
        met: rate >= 100_000,
      },
      {
        name: `rebuild at scale: peak RSS of the process rebuilding ${int(rb.events)} events`,
        value: mib(rb.rssPeak),
        raw: `${mib(rb.rssBefore)} with the stores open, before it began`,
        target: '< 1 GiB',
        met: rb.rssPeak < 1024 ** 3,
      },
    ],
    notes: [
      `Scale step: ${int(o.events)} events (${int(captured)} leads) filled in ${fillMinutes.toFixed(0)} minutes (sealing and the bare inserts included), appendMany ${int(curve.fill.eventsPerSecond)} events/s over the whole fill.`,
      ...(report.note === '' ? [] : [report.note]),
      `Rebuild at scale (a child process: event store, key store, projector, view store and its writer thread): ${int(rb.events)} events in ${rb.seconds.toFixed(0)} s (${rb.indexSeconds.toFixed(0)} s creating the indexes at the end), ${rb.cpuSeconds.toFixed(0)} s of CPU; RSS ${mib(rb.rssBefore)} before, peak ${mib(rb.rssPeak)} (getrusage); sampled every 50 ms from outside, the peak up to its last progress report (projecting) was ${mib(rb.rssPeakProjecting)}.`,
    ],
  }
}
