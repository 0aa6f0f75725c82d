// Series, funnel, cohorts, top lists and grouped counts computed from the in-memory fact columns in tight loops:
// the same answers as the domain's pure analytics over the same leads (factsCache.test.ts proves it).
import {
  countryName,
  funnelStages,
  isoInZone,
  mainPath,
  rankKeys,
  bucketIndex,
  bucketStarts,
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
import { actionTokens } from '@leadstream/view-store'
import type { CodedDimension, FactColumns } from './factsColumns.js'

// ---------------------------------------------------------------------------------------------------------
// series
// ---------------------------------------------------------------------------------------------------------

/** Leads per bucket (and group) of the selected slots: the domain's `seriesOf`. */
export const seriesOfColumns = (c: FactColumns, sel: Int32Array, req: SeriesRequest, startList: ReadonlyArray<number>): Series => {
  const starts = Float64Array.from(startList) // a typed array: the binary search per lead stays tight
  const nb = starts.length
  const totals = new Float64Array(nb)
  const rows: Array<Float64Array | undefined> = []
  const by = req.by
  const codes = by === null || by === 'action' ? null : c.codes[by]
  let total = 0
  for (let j = 0; j < sel.length; j++) {
    const i = sel[j]!
    const at = c.captured[i]!
    if (at < req.from || at >= req.to) continue
    const b = bucketIndex(starts, at)
    if (b < 0) continue
    total++
    totals[b]!++
    if (by === null) continue
    const keys = codes === null ? c.actionSets[c.actionSet[i]!]!.bucketCodes : [codes[i]!]
    for (const k of keys) (rows[k] ??= new Float64Array(nb))[b]!++
  }
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

/** The k-th smallest of `a[0..len)` (reorders it): Hoare's quickselect. */
const kth = (a: Float64Array, len: number, k: number): number => {
  let [lo, hi] = [0, len - 1]
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!
    let [i, j] = [lo, hi]
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        const t = a[i]!
        a[i++] = a[j]!
        a[j--] = t
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k]!
  }
  return a[k]!
}

/** Nearest rank, as the domain's `percentile` on the sorted values. */
const rank = (a: Float64Array, len: number, p: number): number | null => (len === 0 ? null : kth(a, len, Math.max(0, Math.ceil((p / 100) * len) - 1)))

const ratio = (n: number, base: number): number | null => (base === 0 ? null : n / base)

/** The domain's `funnelFigures` of the selected slots. */
export const figuresOfColumns = (c: FactColumns, sel: Int32Array): FunnelFigures => {
  const n = sel.length
  const durations = c.stages.map(() => new Float64Array(n))
  const lens = new Int32Array(c.stages.length)
  const reasonCounts = new Map<number, number>()
  const disqualified = c.dicts.state.codes.get('disqualified') ?? -2
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    const cap = c.captured[i]!
    for (let s = 0; s < c.stages.length; s++) {
      const at = c.stages[s]![i]!
      // biome-ignore lint/suspicious/noSelfCompare: `x === x` is the NaN test (NaN: the stage was not reached), in a hot loop
      if (at === at) durations[s]![lens[s]!++] = Math.max(0, at - cap)
    }
    const r = c.reason[i]!
    if (r >= 0 && c.codes.state[i] === disqualified) reasonCounts.set(r, (reasonCounts.get(r) ?? 0) + 1)
  }
  const reached = (s: FunnelStage) => (s === 'captured' ? n : lens[funnelStages.indexOf(s) - 1]!)
  const stages = funnelStages.map((stage, k): StageFigures => {
    const main = (mainPath as ReadonlyArray<FunnelStage>).indexOf(stage)
    const base = main > 0 ? reached(mainPath[main - 1]!) : main === 0 ? 0 : reached('captured')
    // Captured is reached at capture: every duration 0.
    if (k === 0) return { stage, branch: false, reached: n, rateFromPrevious: null, medianMs: n === 0 ? null : 0, p90Ms: n === 0 ? null : 0 }
    const [d, len] = [durations[k - 1]!, lens[k - 1]!]
    return { stage, branch: main < 0, reached: len, rateFromPrevious: ratio(len, base), medianMs: rank(d, len, 50), p90Ms: rank(d, len, 90) }
  })
  const disqualificationReasons: Record<string, number> = {}
  for (const [r, k] of reasonCounts) disqualificationReasons[c.reasons.values[r]!] = k
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

/** The domain's `cohortsOf` of the selected slots. */
export const cohortsOfColumns = (c: FactColumns, sel: Int32Array, interval: 'week' | 'month', tz: string): ReadonlyArray<Cohort> => {
  if (sel.length === 0) return []
  let [first, last] = [Infinity, -Infinity]
  for (let j = 0; j < sel.length; j++) {
    const at = c.captured[sel[j]!]!
    if (at < first) first = at
    if (at > last) last = at
  }
  const startList = bucketStarts(interval, tz, first, last + 1)
  const starts = Float64Array.from(startList) // a typed array: the binary search per lead stays tight
  const per = new Float64Array(startList.length * funnelStages.length)
  const width = funnelStages.length
  for (let j = 0; j < sel.length; j++) {
    const i = sel[j]!
    const b = bucketIndex(starts, c.captured[i]!) * width
    per[b]!++
    // biome-ignore lint/suspicious/noSelfCompare: the NaN test, as above
    for (let s = 0; s < c.stages.length; s++) if (c.stages[s]![i] === c.stages[s]![i]) per[b + s + 1]!++
  }
  return startList.map((s, b) => ({
    start: isoInZone(tz, s),
    captured: per[b * width]!,
    reached: Object.fromEntries(funnelStages.map((st, k) => [st, per[b * width + k]!])),
  }))
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

// ---------------------------------------------------------------------------------------------------------
// grouped counts
// ---------------------------------------------------------------------------------------------------------

/** What a lead can be counted by: its dimensions, its test flag, its actions (as `actionTokens`). */
export type GroupKey = CodedDimension | 'isTest' | 'actions'

export interface GroupCount {
  /** One value per key, in the order asked (isTest a boolean, the others strings). */
  readonly values: ReadonlyArray<string | boolean>
  readonly n: number
}

/** Selected leads counted per distinct combination of `keys` (the filtered count views' cells). */
export const groupCountsOfColumns = (c: FactColumns, sel: Int32Array, keys: ReadonlyArray<GroupKey>): ReadonlyArray<GroupCount> => {
  const columns = keys.map((k) => (k === 'isTest' ? c.isTest : k === 'actions' ? c.actionSet : c.codes[k]))
  const radix = keys.map((k) => (k === 'isTest' ? 2 : k === 'actions' ? c.actionSets.length : c.dicts[k].values.length))
  const counts = new Map<number | string, number>()
  const cells = radix.reduce((a, r) => a * Math.max(1, r), 1)
  // A table indexed by the combination while it is small (the count views' is), a map of numbers, or of strings.
  const table = cells <= 1 << 20 ? new Float64Array(cells) : null
  const exact = cells < Number.MAX_SAFE_INTEGER
  const cols = columns.map((col) => (col instanceof Int32Array ? col : new Int32Array(col))) // one element type: a monomorphic loop
  for (let j = 0; j < sel.length; j++) {
    const i = sel[j]!
    if (exact) {
      let key = 0
      for (let k = 0; k < cols.length; k++) key = key * radix[k]! + cols[k]![i]!
      if (table !== null) table[key]!++
      else counts.set(key, (counts.get(key) ?? 0) + 1)
    } else {
      const key = cols.map((col) => col[i]).join(',')
      counts.set(key, (counts.get(key) ?? 0) + 1)
    }
  }
  if (table !== null) table.forEach((n, key) => n > 0 && counts.set(key, n))
  return [...counts].map(([key, n]) => {
    let rest = typeof key === 'number' ? key : 0
    const parts = typeof key === 'string' ? key.split(',').map(Number) : []
    const codes = typeof key === 'number' ? radix.map(() => 0) : parts
    if (typeof key === 'number')
      for (let k = radix.length - 1; k >= 0; k--) {
        codes[k] = rest % radix[k]!
        rest = Math.floor(rest / radix[k]!)
      }
    const values = keys.map((k, x) => {
      const code = codes[x]!
      return k === 'isTest' ? code === 1 : k === 'actions' ? actionTokens(c.actionSets[code]!.actions) : c.dicts[k].values[code]!
    })
    return { values, n }
  })
}
