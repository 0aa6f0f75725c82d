// The qualification funnel over a set of leads: how many reached each stage, conversion from the stage before,
// median and p90 time from capture to the stage, disqualification reasons, capture cohorts and per-group
// figures; and the top lists by leads or conversion. Pure: the store supplies the facts of the filtered leads.
import { countryName } from '../countries.js'
import type { LeadFacts } from './facts.js'
import { rankKeys } from './series.js'
import { bucketIndex, bucketStarts, isoInZone } from './zone.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export type FunnelStage = 'captured' | 'contacted' | 'qualified' | 'converted' | 'nurturing' | 'disqualified'
export type FunnelDimension = 'storefront' | 'campaign' | 'offer' | 'offerKind' | 'country'

/** The main path in order; nurturing and disqualified are branches off it. */
export const mainPath = ['captured', 'contacted', 'qualified', 'converted'] as const
export const branches = ['nurturing', 'disqualified'] as const
export const funnelStages: ReadonlyArray<FunnelStage> = [...mainPath, ...branches]

export interface StageFigures {
  readonly stage: FunnelStage
  readonly branch: boolean
  readonly reached: number
  readonly rateFromPrevious: number | null
  readonly medianMs: number | null
  readonly p90Ms: number | null
}

export interface FunnelFigures {
  readonly total: number
  readonly stages: ReadonlyArray<StageFigures>
  readonly disqualificationReasons: Record<string, number>
}

export interface Cohort {
  readonly start: string
  readonly captured: number
  readonly reached: Record<string, number>
}

export interface TopRow {
  readonly key: string
  readonly label: string
  readonly leads: number
  readonly contacted: number
  readonly qualified: number
  readonly converted: number
  readonly conversionRate: number | null
}

export type TopDimension = 'offer' | 'country' | 'offerKind' | 'storefront' | 'campaign'

// ---------------------------------------------------------------------------------------------------------
// stages
// ---------------------------------------------------------------------------------------------------------

/**
 * When a lead reached a stage (epoch ms), null if never. On the main path a lead that reached a later stage
 * also passed the earlier ones (at the earliest of those times); a lead contacted and then disqualified still
 * reached contacted. Captured is reached at capture.
 */
export const reachedAt = (f: LeadFacts, stage: FunnelStage): number | null => stageTimes(f)[funnelStages.indexOf(stage)] ?? null

const earliest = (a: number | null, b: number | null): number | null => (a === null ? b : b === null || a <= b ? a : b)

/** When a lead reached each stage, in `funnelStages` order (the hot loop of every funnel: no allocation per stage). */
export const stageTimes = (f: LeadFacts): readonly [number, number | null, number | null, number | null, number | null, number | null] => {
  const r = f.reachedMs
  const converted = r.converted
  const qualified = earliest(r.qualified, converted)
  const contacted = earliest(r.contacted, qualified)
  return [f.capturedMs, contacted, qualified, converted, r.nurturing, r.disqualified]
}

/** Nearest-rank percentile of ascending `sorted`: the smallest value with at least p% of values at or below it. */
export const percentile = (sorted: ArrayLike<number>, p: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!

const ratio = (n: number, base: number): number | null => (base === 0 ? null : n / base)

/** Funnel figures of a set of leads. Time to stage is clamped at 0 (a transition dated before its capture). */
export const funnelFigures = (facts: ReadonlyArray<LeadFacts>): FunnelFigures => {
  const durations = funnelStages.map(() => [] as number[])
  const reasons: Record<string, number> = {}
  for (const f of facts) {
    const times = stageTimes(f)
    for (let i = 0; i < times.length; i++) {
      const at = times[i]
      if (at !== null && at !== undefined) durations[i]!.push(Math.max(0, at - f.capturedMs))
    }
    if (f.state === 'disqualified' && f.reason !== null) reasons[f.reason] = (reasons[f.reason] ?? 0) + 1
  }
  const reached = (s: FunnelStage) => durations[funnelStages.indexOf(s)]!.length
  const stages = funnelStages.map((stage, i): StageFigures => {
    const d = Float64Array.from(durations[i]!).sort()
    const main = (mainPath as ReadonlyArray<FunnelStage>).indexOf(stage)
    const base = main > 0 ? reached(mainPath[main - 1]!) : main === 0 ? 0 : reached('captured')
    return {
      stage,
      branch: main < 0,
      reached: d.length,
      rateFromPrevious: ratio(d.length, base),
      medianMs: percentile(d, 50),
      p90Ms: percentile(d, 90),
    }
  })
  return { total: facts.length, stages, disqualificationReasons: reasons }
}

// ---------------------------------------------------------------------------------------------------------
// groups, cohorts, top lists
// ---------------------------------------------------------------------------------------------------------

/** Leads grouped by a dimension, groups most leads first. */
export const groupFacts = (facts: ReadonlyArray<LeadFacts>, by: TopDimension): ReadonlyArray<readonly [string, ReadonlyArray<LeadFacts>]> => {
  const groups = new Map<string, LeadFacts[]>()
  for (const f of facts) {
    const k = f[by]
    let g = groups.get(k)
    if (g === undefined) groups.set(k, (g = []))
    g.push(f)
  }
  return rankKeys(new Map([...groups].map(([k, g]) => [k, g.length]))).map((k) => [k, groups.get(k)!] as const)
}

/** Capture cohorts (weeks or months in `tz`) from the first lead's to the last one's, empty ones as zeros. */
export const cohortsOf = (facts: ReadonlyArray<LeadFacts>, interval: 'week' | 'month', tz: string): ReadonlyArray<Cohort> => {
  if (facts.length === 0) return []
  let [first, last] = [Infinity, -Infinity]
  for (const f of facts) {
    if (f.capturedMs < first) first = f.capturedMs
    if (f.capturedMs > last) last = f.capturedMs
  }
  const starts = bucketStarts(interval, tz, first, last + 1)
  const rows = starts.map(() => ({ captured: 0, reached: Object.fromEntries(funnelStages.map((s) => [s, 0])) as Record<string, number> }))
  for (const f of facts) {
    const row = rows[bucketIndex(starts, f.capturedMs)]!
    row.captured++
    stageTimes(f).forEach((at, i) => {
      if (at !== null) row.reached[funnelStages[i]!]!++
    })
  }
  return starts.map((s, i) => ({ start: isoInZone(tz, s), ...rows[i]! }))
}

export interface TopRequest {
  readonly by: TopDimension
  readonly sort: 'leads' | 'conversion'
  readonly limit: number
  readonly minLeads: number
}

/** The ranking of groups by leads, or by conversion rate (then leads, then key); groups under minLeads left out. */
export const topOf = (facts: ReadonlyArray<LeadFacts>, req: TopRequest): ReadonlyArray<TopRow> => {
  const rows = groupFacts(facts, req.by)
    .filter(([, g]) => g.length >= req.minLeads)
    .map(([key, g]): TopRow => {
      const counts = [0, 0, 0, 0]
      for (const f of g) {
        const [, contacted, qualified, converted] = stageTimes(f)
        counts[1]! += contacted === null ? 0 : 1
        counts[2]! += qualified === null ? 0 : 1
        counts[3]! += converted === null ? 0 : 1
      }
      const [, contacted = 0, qualified = 0, converted = 0] = counts
      const title = req.by === 'offer' ? (g.find((f) => f.offerTitle !== null)?.offerTitle ?? null) : null
      return {
        key,
        label: req.by === 'country' ? countryName(key) : (title ?? key),
        leads: g.length,
        contacted,
        qualified,
        converted,
        conversionRate: ratio(converted, g.length),
      }
    })
  if (req.sort === 'conversion')
    rows.sort((a, b) => (b.conversionRate ?? 0) - (a.conversionRate ?? 0) || b.leads - a.leads || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return rows.slice(0, req.limit)
}
