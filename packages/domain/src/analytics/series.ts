// Leads over time: leads per bucket (hour, day, ISO week, month in any IANA zone), optionally split by one
// dimension, with empty buckets present as zeros. Pure: the store supplies the facts of the filtered leads.
import { actionBucket } from '../model.js'
import type { LeadFacts } from './facts.js'
import { bucketIndex, bucketStarts, isoInZone, type BucketInterval } from './zone.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export type SeriesDimension = 'storefront' | 'campaign' | 'offer' | 'offerKind' | 'country' | 'action' | 'state'

export interface SeriesRequest {
  readonly interval: BucketInterval
  readonly tz: string
  readonly by: SeriesDimension | null
  /** The range in epoch ms: `from` inclusive, `to` exclusive (the facts are already limited to it). */
  readonly from: number
  readonly to: number
}

export interface Series {
  readonly groups: ReadonlyArray<string>
  readonly buckets: ReadonlyArray<{ readonly start: string; readonly total: number; readonly groups: Record<string, number> }>
  readonly total: number
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** The group keys a lead counts under for a dimension (several for `action`: once per action bucket). */
export const keysOf = (f: LeadFacts, by: SeriesDimension): ReadonlyArray<string> => {
  switch (by) {
    case 'action':
      return [...new Set(f.actions.map(actionBucket))]
    case 'storefront':
    case 'campaign':
    case 'offer':
    case 'offerKind':
    case 'country':
    case 'state':
      return [f[by]]
    default: {
      const never: never = by
      return never
    }
  }
}

/** Keys most leads first, then by name: the order groups are listed in. */
export const rankKeys = (totals: ReadonlyMap<string, number>): ReadonlyArray<string> =>
  [...totals.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k]) => k)

/** Leads captured at `ms` (n of them) under group `keys`: one lead, or a count the store grouped. */
export interface Tally {
  readonly ms: number
  readonly keys: ReadonlyArray<string>
  readonly n: number
}

/** Counts leads per bucket and group. `starts` are the buckets' UTC instants (zone.ts `bucketStarts`). */
export const seriesOfTallies = (tallies: Iterable<Tally>, req: SeriesRequest, starts: ReadonlyArray<number>): Series => {
  const totals = new Array<number>(starts.length).fill(0)
  const perGroup = new Map<string, number[]>()
  const groupTotals = new Map<string, number>()
  let total = 0
  for (const t of tallies) {
    if (t.ms < req.from || t.ms >= req.to) continue
    const i = bucketIndex(starts, t.ms)
    if (i < 0) continue
    total += t.n
    totals[i]! += t.n
    for (const k of t.keys) {
      let row = perGroup.get(k)
      if (row === undefined) perGroup.set(k, (row = new Array<number>(starts.length).fill(0)))
      row[i]! += t.n
      groupTotals.set(k, (groupTotals.get(k) ?? 0) + t.n)
    }
  }
  const groups = rankKeys(groupTotals)
  return {
    groups,
    buckets: starts.map((s, i) => ({
      start: isoInZone(req.tz, s),
      total: totals[i]!,
      groups: Object.fromEntries(groups.map((g) => [g, perGroup.get(g)![i]!])),
    })),
    total,
  }
}

/** The series of individual leads (the reference; the query API feeds it the store's grouped counts). */
export const seriesOf = (facts: ReadonlyArray<LeadFacts>, req: SeriesRequest, starts = bucketStarts(req.interval, req.tz, req.from, req.to)): Series =>
  seriesOfTallies(
    facts.map((f) => ({ ms: f.capturedMs, keys: req.by === null ? [] : keysOf(f, req.by), n: 1 })),
    req,
    starts,
  )
