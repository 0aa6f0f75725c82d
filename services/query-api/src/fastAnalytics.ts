// Series, funnel, cohorts and top lists computed from the in-memory fact columns in tight loops:
// the same answers as the domain's pure analytics over the same leads (factsCache.test.ts proves it).
import {
  countryName,
  funnelStages,
  isoInZone,
  mainPath,
  rankKeys,
  bucketLookup,
  bucketOf,
  bucketStarts,
  quarterHour,
  quarterTable,
  type Cohort,
  type FunnelFigures,
  type FunnelStage,
  type Series,
  type SeriesRequest,
  type StageFigures,
  type TopDimension,
  type TopRequest,
  type TopRow,
} from '@leadstream/domain'
import { stageCount, type CodedDimension, type FactColumns } from './factsColumns.js'
import { stageRanks } from './durationBins.js'

// ---------------------------------------------------------------------------------------------------------
// series
// ---------------------------------------------------------------------------------------------------------

/** Where `bucketsOf` writes: the bucket of each selected lead (reused by every read). */
let bucketed = new Int32Array(0)

/**
 * The bucket of each selected slot (-1: before the first start; every slot must lie before `end`): by its quarter
 * hour and one table read when the starts fall on quarter hours, else by the cell table of its capture instant.
 */
export const bucketsOf = (c: FactColumns, sel: Int32Array, startList: ReadonlyArray<number>, end: number): Int32Array => {
  if (bucketed.length < sel.length) bucketed = new Int32Array(Math.max(sel.length, 2 * bucketed.length))
  const out = bucketed
  // The quarter-hour column holds 32-bit numbers: exact for captures within ±61,000 years of 1970.
  const quarters = c.firstCaptured >= -(2 ** 31) * quarterHour && c.lastCaptured < (2 ** 31 - 1) * quarterHour ? quarterTable(startList, end) : null
  if (quarters !== null) {
    const [q, first, table, last] = [c.quarter, quarters.first, quarters.table, quarters.last]
    const len = table.length
    for (let j = 0; j < sel.length; j++) {
      const x = q[sel[j]!]! - first
      out[j] = x < 0 ? -1 : x < len ? table[x]! : last
    }
  } else {
    const [lookup, captured] = [bucketLookup(startList), c.captured]
    for (let j = 0; j < sel.length; j++) out[j] = bucketOf(lookup, captured[sel[j]!]!)
  }
  return out
}

/** Leads per bucket (and group) of the selected slots, which must lie in [req.from, req.to): the domain's `seriesOf`. */
export const seriesOfColumns = (c: FactColumns, sel: Int32Array, req: SeriesRequest, startList: ReadonlyArray<number>): Series => {
  const nb = startList.length
  const totals = new Float64Array(nb)
  // Per group code, its counts per bucket (made when the group first shows up).
  const rows: Array<Float64Array | undefined> = []
  const buckets = bucketsOf(c, sel, startList, req.to)
  let total = 0
  // One loop per kind of split, so each stays a tight loop over typed arrays with no allocation per lead.
  if (req.by === null)
    for (let j = 0; j < sel.length; j++) {
      const b = buckets[j]!
      if (b < 0) continue
      total++
      totals[b]!++
    }
  else if (req.by === 'action') {
    const [setOf, sets] = [c.actionSet, c.actionSets]
    for (let j = 0; j < sel.length; j++) {
      const b = buckets[j]!
      if (b < 0) continue
      total++
      totals[b]!++
      const keys = sets[setOf[sel[j]!]!]!.bucketCodes
      for (let x = 0; x < keys.length; x++) (rows[keys[x]!] ??= new Float64Array(nb))[b]!++
    }
  } else {
    const codes = c.codes[req.by]
    for (let j = 0; j < sel.length; j++) {
      const b = buckets[j]!
      if (b < 0) continue
      total++
      totals[b]!++
      const k = codes[sel[j]!]!
      let row = rows[k]
      if (row === undefined) rows[k] = row = new Float64Array(nb)
      row[b]!++
    }
  }
  const by = req.by
  const names = by === null ? [] : by === 'action' ? c.buckets.values : c.dicts[by].values
  const groupTotals = new Map<string, number>()
  rows.forEach(
    (row, k) =>
      row !== undefined &&
      groupTotals.set(
        names[k]!,
        row.reduce((a, x) => a + x, 0),
      ),
  )
  const groups = rankKeys(groupTotals)
  const byName = new Map(rows.flatMap((row, k) => (row === undefined ? [] : [[names[k]!, row] as const])))
  return {
    groups,
    buckets: startList.map((s, b) => ({
      start: isoInZone(req.tz, s),
      total: totals[b]!,
      groups: Object.fromEntries(groups.map((g) => [g, byName.get(g)![b]!])),
    })),
    total,
  }
}

// ---------------------------------------------------------------------------------------------------------
// funnel
// ---------------------------------------------------------------------------------------------------------

const ratio = (n: number, base: number): number | null => (base === 0 ? null : n / base)

/** The domain's `funnelFigures` of the selected slots. */
export const figuresOfColumns = (c: FactColumns, sel: Int32Array): FunnelFigures => {
  const n = sel.length
  const ranks = stageRanks(c.bins, stageCount, c.stages, c.captured, sel)
  const lens = ranks.map((r) => r.reached)
  const reasonCounts = new Int32Array(c.reasons.values.length)
  const disqualified = c.dicts.state.codes.get('disqualified') ?? -2
  const [reason, state] = [c.reason, c.codes.state]
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    const r = reason[i]!
    if (r >= 0 && state[i] === disqualified) reasonCounts[r]!++
  }
  const reached = (s: FunnelStage) => (s === 'captured' ? n : lens[funnelStages.indexOf(s) - 1]!)
  const stages = funnelStages.map((stage, k): StageFigures => {
    const main = (mainPath as ReadonlyArray<FunnelStage>).indexOf(stage)
    const base = main > 0 ? reached(mainPath[main - 1]!) : main === 0 ? 0 : reached('captured')
    // Captured is reached at capture: every duration 0.
    if (k === 0) return { stage, branch: false, reached: n, rateFromPrevious: null, medianMs: n === 0 ? null : 0, p90Ms: n === 0 ? null : 0 }
    const { reached: len, median: medianMs, p90: p90Ms } = ranks[k - 1]!
    return { stage, branch: main < 0, reached: len, rateFromPrevious: ratio(len, base), medianMs, p90Ms }
  })
  const disqualificationReasons: Record<string, number> = {}
  // In the order the reasons were first seen among the selected leads, as the reference's map fills.
  const seen = new Int32Array(reasonCounts.length)
  for (let j = 0, left = reasonCounts.filter((k) => k > 0).length; j < n && left > 0; j++) {
    const i = sel[j]!
    const r = reason[i]!
    if (r >= 0 && state[i] === disqualified && seen[r] === 0) {
      seen[r] = 1
      left--
      disqualificationReasons[c.reasons.values[r]!] = reasonCounts[r]!
    }
  }
  return { total: n, stages, disqualificationReasons }
}

/** The selected slots per group of a dimension, groups most leads first (the domain's `groupFacts`). */
export const groupsOfColumns = (c: FactColumns, sel: Int32Array, by: CodedDimension): ReadonlyArray<readonly [string, Int32Array]> => {
  const codes = c.codes[by]
  const counts = new Int32Array(c.dicts[by].values.length)
  for (let j = 0; j < sel.length; j++) counts[codes[sel[j]!]!]!++
  const names = c.dicts[by].values
  const order = rankKeys(new Map(names.flatMap((name, k) => (counts[k]! > 0 ? [[name, counts[k]!] as const] : []))))
  const members = names.map((_, k) => new Int32Array(counts[k]!))
  const fill = new Int32Array(names.length)
  for (let j = 0; j < sel.length; j++) {
    const i = sel[j]!
    const k = codes[i]!
    members[k]![fill[k]!++] = i
  }
  return order.map((name) => [name, members[c.dicts[by].codes.get(name)!]!] as const)
}

/** Most cohorts counted from the columns' whole time span; a wider span is first narrowed to the selected leads'. */
const maxCohorts = 1000

/** The domain's `cohortsOf` of the selected slots. */
export const cohortsOfColumns = (c: FactColumns, sel: Int32Array, interval: 'week' | 'month', tz: string): ReadonlyArray<Cohort> => {
  if (sel.length === 0) return []
  // Buckets over every capture in the columns, then the empty ones before the first selected lead and after the
  // last are left out: the buckets of the selected leads' own span (bucket edges do not depend on the range).
  let startList = bucketStarts(interval, tz, c.firstCaptured, c.lastCaptured + 1, maxCohorts)
  if (startList.length > maxCohorts) {
    let [first, last] = [Infinity, -Infinity]
    for (let j = 0; j < sel.length; j++) {
      const at = c.captured[sel[j]!]!
      if (at < first) first = at
      if (at > last) last = at
    }
    startList = bucketStarts(interval, tz, first, last + 1)
  }
  // Leads per cohort and set of stages reached (32 sets of 5 stages): one count per lead, then per stage.
  const sets = 1 << stageCount
  const perSet = new Int32Array(startList.length * sets)
  const buckets = bucketsOf(c, sel, startList, c.lastCaptured + 1)
  const reached = c.reached
  for (let j = 0; j < sel.length; j++) perSet[buckets[j]! * sets + reached[sel[j]!]!]!++
  const width = funnelStages.length
  const per = new Float64Array(startList.length * width)
  let [firstBucket, lastBucket] = [startList.length, -1]
  for (let b = 0; b < startList.length; b++)
    for (let set = 0; set < sets; set++) {
      const k = perSet[b * sets + set]!
      if (k === 0) continue
      per[b * width]! += k
      for (let s = 0; s < stageCount; s++) if ((set >> s) & 1) per[b * width + s + 1]! += k
      firstBucket = Math.min(firstBucket, b)
      lastBucket = b
    }
  return startList.slice(firstBucket, lastBucket + 1).map((s, x) => {
    const b = firstBucket + x
    return { start: isoInZone(tz, s), captured: per[b * width]!, reached: Object.fromEntries(funnelStages.map((st, k) => [st, per[b * width + k]!])) }
  })
}

/** The domain's `topOf` of the selected slots. */
export const topOfColumns = (c: FactColumns, sel: Int32Array, req: TopRequest): ReadonlyArray<TopRow> => {
  const rows = groupsOfColumns(c, sel, req.by satisfies TopDimension)
    .filter(([, g]) => g.length >= req.minLeads)
    .map(([key, g]): TopRow => {
      const reached = [0, 0, 0]
      let title = -1
      for (let j = 0; j < g.length; j++) {
        const i = g[j]!
        // biome-ignore lint/suspicious/noSelfCompare: the NaN test, as above
        for (let s = 0; s < 3; s++) if (c.stages[s]![i] === c.stages[s]![i]) reached[s]!++
        if (title < 0) title = c.title[i]!
      }
      const [contacted = 0, qualified = 0, converted = 0] = reached
      const label = req.by === 'country' ? countryName(key) : req.by === 'offer' && title >= 0 ? c.titles.values[title]! : key
      return { key, label, leads: g.length, contacted, qualified, converted, conversionRate: ratio(converted, g.length) }
    })
  if (req.sort === 'conversion')
    rows.sort((a, b) => (b.conversionRate ?? 0) - (a.conversionRate ?? 0) || b.leads - a.leads || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return rows.slice(0, req.limit)
}
