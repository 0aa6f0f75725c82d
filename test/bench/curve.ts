// The append curve: a store filled through appendMany, each segment's rate against the store's size, beside
// bare inserts of the same rows (same batches in turn, into the product's own schema and pragmas).
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { AppendRequest, EventStore } from '@leadstream/event-store'
import { appendAll, type AppendResult } from './append.js'
import type { History } from './history.js'
import { linePlot } from './plot.js'
import { rawEventTable } from './raw.js'
import { int, share, type Figure } from './report.js'

export interface CurvePoint {
  /** Events in the store at the end of the segment. */
  readonly size: number
  /** appendMany events/s over the segment. */
  readonly store: number
  /** Bare insert rows/s over the segment. */
  readonly raw: number
}

export interface Curve {
  readonly fill: AppendResult
  readonly points: ReadonlyArray<CurvePoint>
}

/**
 * Fills `store` with `history` through appendMany, `batch` requests per call, each batch passed through
 * `prepare` first (untimed: sealing, so the curve is the event store's own) and inserted bare into a scratch
 * file in `dir` in turn (deleted afterwards).
 */
export const fillWithCurve = async (
  store: EventStore,
  history: History,
  options: {
    readonly dir: string
    readonly batch: number
    readonly segment: number
    readonly prepare: (requests: ReadonlyArray<AppendRequest>) => Promise<ReadonlyArray<AppendRequest>>
    /** Each point as it is measured, with the seconds appendMany has taken so far. */
    readonly onPoint: (point: CurvePoint, seconds: number) => void
  },
): Promise<Curve> => {
  const rawPath = join(options.dir, 'raw-events.db')
  const rawFill = rawEventTable(rawPath)
  const points: CurvePoint[] = []
  let last = { n: 0, s: 0, rn: 0, rs: 0 }
  const fill = await appendAll(store, history, {
    batch: options.batch,
    prepare: options.prepare,
    alongside: rawFill.write,
    every: options.segment,
    onProgress: (n, s) => {
      const r = rawFill.result()
      const point = { size: n, store: (n - last.n) / (s - last.s), raw: (r.rows - last.rn) / (r.seconds - last.rs) }
      points.push(point)
      last = { n, s, rn: r.rows, rs: r.seconds }
      options.onPoint(point, s)
    },
  })
  await rawFill.close()
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${rawPath}${suffix}`, { force: true })
  return { fill, points }
}

/** The curve's two figures (end against start; steady share of bare inserts) and its note; the PNG when `plot` is a path. */
export const curveReport = (curve: Curve, options: { readonly batch: number; readonly segment: number; readonly plot: string }) => {
  const { points } = curve
  const first = points[0]
  const end = points[points.length - 1]
  if (first === undefined || end === undefined || points.length < 2) return { figures: [] as Figure[], note: '' }
  const steady = points.slice(Math.floor(points.length / 2))
  const steadyStore = steady.reduce((a, c) => a + c.store, 0) / steady.length
  const steadyRaw = steady.reduce((a, c) => a + c.raw, 0) / steady.length
  const figures: Figure[] = [
    {
      name: `append curve: appendMany rate at ${int(end.size)} events against the first ${int(first.size)}`,
      value: `${int(end.store)} against ${int(first.store)} events/s (${share(end.store, first.store)})`,
      raw: `bare inserts: ${int(end.raw)} against ${int(first.raw)} rows/s (${share(end.raw, first.raw)})`,
      target: 'within 25% of its start',
      met: end.store >= first.store * 0.75,
    },
    {
      name: `append curve to ${int(end.size)}: steady appendMany (second half of the fill) against bare inserts of the same rows`,
      value: `${int(steadyStore)} events/s`,
      raw: `${int(steadyRaw)} rows/s (${share(steadyStore, steadyRaw)})`,
      target: '≥ 70% of bare inserts',
      met: steadyStore >= steadyRaw * 0.7,
    },
  ]
  const note =
    `Append curve to ${int(end.size)} (events in the store: appendMany events/s, bare insert rows/s, per ${int(options.segment)}-event segment): ` +
    points.map((c) => `${int(c.size)}: ${int(c.store)}, ${int(c.raw)}`).join('; ') +
    (options.plot === '' ? '.' : `; plotted in ${options.plot.replace(/^.*\//, '')}.`)
  if (options.plot !== '')
    writeFileSync(
      options.plot,
      linePlot({
        title: `Append rate against store size (${int(options.batch)} events per transaction)`,
        xLabel: 'events in the store',
        yLabel: 'events/s',
        series: [
          { name: 'appendMany', color: [31, 119, 180], points: points.map((c) => [c.size, c.store] as const) },
          { name: 'bare insert, same rows', color: [255, 127, 14], points: points.map((c) => [c.size, c.raw] as const) },
        ],
      }),
    )
  return { figures, note }
}
