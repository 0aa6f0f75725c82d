// The facts of every lead as columns in memory (typed arrays, dictionary codes for the text dimensions), and
// the one-pass filter over them: what the query API's analytics read instead of the lead rows (fastAnalytics.ts).
import { actionBucket, hasAction, offerFilterKeys, quarterOf, stageTimes, type LeadFacts, type LeadFilter } from '@leadstream/domain'
import { bitmapDimensions, bitmapOf, emptyBitmaps, growBitmaps, moveBit, setTestBit, testBitmap, type Bitmaps } from './bitmaps.js'
import { binOf, unreached } from './durationBins.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** Distinct strings numbered in the order first seen. */
export interface Dict {
  readonly values: string[]
  readonly codes: Map<string, number>
}

export type CodedDimension = 'storefront' | 'campaign' | 'offer' | 'offerKind' | 'country' | 'state'
export const codedDimensions: ReadonlyArray<CodedDimension> = ['storefront', 'campaign', 'offer', 'offerKind', 'country', 'state']

/** One distinct set of recorded actions (most leads share a few). */
export interface ActionSet {
  readonly actions: ReadonlyArray<string>
  /** Its distinct action buckets, as codes of `FactColumns.buckets`. */
  readonly bucketCodes: ReadonlyArray<number>
}

export interface FactColumns {
  /** Slots in use (the arrays may be longer: room to grow). */
  n: number
  captured: Float64Array
  /** The quarter hour of each capture (domain `quarterOf`): series and cohorts find buckets from it. */
  quarter: Int32Array
  /** The earliest and latest capture ever written (the columns' time span, or wider): cohorts start from them. */
  firstCaptured: number
  lastCaptured: number
  /** When each lead reached contacted, qualified, converted, nurturing, disqualified (domain `stageTimes`); NaN: never. */
  stages: Float64Array[]
  /** Per slot and stage (slot i, stage s at i * 5 + s), the bin of the time from capture to it (durationBins.ts), `unreached` where never reached. */
  bins: Uint16Array
  /** The stages each lead reached, bit s for `stages[s]`: one byte answers the cohort counts. */
  reached: Uint8Array
  codes: Record<CodedDimension, Int32Array>
  readonly dicts: Readonly<Record<CodedDimension, Dict>>
  isTest: Uint8Array
  /** Codes of `titles`, -1: none. */
  title: Int32Array
  readonly titles: Dict
  /** Codes of `reasons`, -1: none. */
  reason: Int32Array
  readonly reasons: Dict
  /** Codes of `offerKeys`, -1: none (a lead has one or two). */
  offerKey1: Int32Array
  offerKey2: Int32Array
  readonly offerKeys: Dict
  /** Codes of `actionSets` (keyed by the actions joined with a unit separator, as `setKeys`). */
  actionSet: Int32Array
  readonly actionSets: ActionSet[]
  readonly setKeys: Dict
  readonly buckets: Dict
  /** Codes of `cells`: each lead's combination of what the count views split by (groupCounts.ts `countViewKeys`). */
  cell: Int32Array
  /** Storefront, campaign, state, offer kind, test flag and action set codes, joined with commas. */
  readonly cells: Dict
  /** Bitmaps of the slots per code of the filtered dimensions (bitmaps.ts), built as filters ask for them. */
  readonly bitmaps: Bitmaps
}

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

const dict = (): Dict => ({ values: [], codes: new Map() })

export const codeOf = (d: Dict, v: string): number => {
  let c = d.codes.get(v)
  if (c === undefined) {
    c = d.values.length
    d.codes.set(v, c)
    d.values.push(v)
  }
  return c
}

/** Stages after capture: contacted, qualified, converted, nurturing, disqualified. */
export const stageCount = 5

export const emptyColumns = (capacity = 1024): FactColumns => ({
  n: 0,
  captured: new Float64Array(capacity),
  quarter: new Int32Array(capacity),
  firstCaptured: Infinity,
  lastCaptured: -Infinity,
  stages: Array.from({ length: stageCount }, () => new Float64Array(capacity)),
  bins: new Uint16Array(capacity * stageCount),
  reached: new Uint8Array(capacity),
  codes: Object.fromEntries(codedDimensions.map((d) => [d, new Int32Array(capacity)])) as Record<CodedDimension, Int32Array>,
  dicts: Object.fromEntries(codedDimensions.map((d) => [d, dict()])) as Record<CodedDimension, Dict>,
  isTest: new Uint8Array(capacity),
  title: new Int32Array(capacity),
  titles: dict(),
  reason: new Int32Array(capacity),
  reasons: dict(),
  offerKey1: new Int32Array(capacity),
  offerKey2: new Int32Array(capacity),
  offerKeys: dict(),
  actionSet: new Int32Array(capacity),
  actionSets: [],
  setKeys: dict(),
  buckets: dict(),
  cell: new Int32Array(capacity),
  cells: dict(),
  bitmaps: emptyBitmaps(),
})

const grown = <A extends Float64Array | Int32Array | Uint16Array | Uint8Array>(a: A, capacity: number): A => {
  const b = new (a.constructor as new (n: number) => A)(capacity)
  b.set(a)
  return b
}

/** Makes room for `n` slots (doubling, so appending a lead at a time stays amortised O(1)). */
export const reserve = (c: FactColumns, n: number): void => {
  if (n <= c.captured.length) return
  const capacity = Math.max(n, c.captured.length * 2)
  c.captured = grown(c.captured, capacity)
  c.quarter = grown(c.quarter, capacity)
  c.stages = c.stages.map((s) => grown(s, capacity))
  c.bins = grown(c.bins, capacity * stageCount)
  c.reached = grown(c.reached, capacity)
  for (const d of codedDimensions) c.codes[d] = grown(c.codes[d], capacity)
  c.isTest = grown(c.isTest, capacity)
  c.title = grown(c.title, capacity)
  c.reason = grown(c.reason, capacity)
  c.offerKey1 = grown(c.offerKey1, capacity)
  c.offerKey2 = grown(c.offerKey2, capacity)
  c.actionSet = grown(c.actionSet, capacity)
  c.cell = grown(c.cell, capacity)
  growBitmaps(c.bitmaps, capacity)
}

/** Writes a lead's facts into slot `i` (< capacity; a new slot or one it held before). */
export const put = (c: FactColumns, i: number, f: LeadFacts): void => {
  c.captured[i] = f.capturedMs
  c.quarter[i] = quarterOf(f.capturedMs)
  if (f.capturedMs < c.firstCaptured) c.firstCaptured = f.capturedMs
  if (f.capturedMs > c.lastCaptured) c.lastCaptured = f.capturedMs
  const t = stageTimes(f)
  let reached = 0
  for (let s = 0; s < stageCount; s++) {
    const at = t[s + 1] ?? null
    c.stages[s]![i] = at ?? NaN
    // The duration as the funnel reads it: a stage dated before its capture counts as reached at once.
    c.bins[i * stageCount + s] = at === null ? unreached : binOf(Math.max(0, at - f.capturedMs))
    if (at !== null) reached |= 1 << s
  }
  c.reached[i] = reached
  for (const d of codedDimensions) {
    const code = codeOf(c.dicts[d], f[d])
    if (d !== 'offer') moveBit(c.bitmaps, d, i, c.codes[d][i]!, code)
    c.codes[d][i] = code
  }
  c.isTest[i] = f.isTest ? 1 : 0
  setTestBit(c.bitmaps, i, f.isTest)
  c.title[i] = f.offerTitle === null ? -1 : codeOf(c.titles, f.offerTitle)
  c.reason[i] = f.reason === null ? -1 : codeOf(c.reasons, f.reason)
  c.offerKey1[i] = f.offerKeys[0] === undefined ? -1 : codeOf(c.offerKeys, f.offerKeys[0])
  c.offerKey2[i] = f.offerKeys[1] === undefined ? -1 : codeOf(c.offerKeys, f.offerKeys[1])
  const before = c.setKeys.values.length
  c.actionSet[i] = codeOf(c.setKeys, f.actions.join('\u001f'))
  if (c.setKeys.values.length > before)
    c.actionSets.push({ actions: [...f.actions], bucketCodes: [...new Set(f.actions.map(actionBucket))].map((b) => codeOf(c.buckets, b)) })
  // One read per lead for the filtered count views instead of six scattered ones (a filter leaves sparse slots).
  const k = c.codes
  c.cell[i] = codeOf(c.cells, `${k.storefront[i]},${k.campaign[i]},${k.state[i]},${k.offerKind[i]},${c.isTest[i]},${c.actionSet[i]}`)
}

/** The columns of a set of facts, slots in the order given (the order the reference functions see them in). */
export const columnsOf = (facts: ReadonlyArray<LeadFacts>): FactColumns => {
  const c = emptyColumns(Math.max(1, facts.length))
  facts.forEach((f, i) => put(c, i, f))
  c.n = facts.length
  return c
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** Where `select` writes (a million slots are 4 MB: allocated per read, they made the collector run often). */
let selected = new Int32Array(0)

/**
 * The slots of the leads passing a filter, ascending: the domain's `matchesFilter` on codes. The answer is only
 * valid until the next `select` (it shares one buffer); each analytics read selects once and answers at once.
 */
export const select = (c: FactColumns, f: LeadFilter): Int32Array => {
  const maps: Uint32Array[] = []
  for (const d of bitmapDimensions) {
    const v = f[d]
    if (v === undefined) continue
    const code = c.dicts[d].codes.get(v)
    if (code === undefined) return new Int32Array(0)
    maps.push(bitmapOf(c, d, code))
  }
  const byOffer = f.offer !== undefined
  const [byId, byTitle] = f.offer === undefined ? [-2, -2] : (offerFilterKeys(f.offer).map((k) => c.offerKeys.codes.get(k) ?? -2) as [number, number])
  const setOk = f.action === undefined ? null : Uint8Array.from(c.actionSets, (s) => (hasAction(s.actions, f.action!) ? 1 : 0))
  const from = f.from === undefined ? -Infinity : Date.parse(f.from)
  const to = f.to === undefined ? Infinity : Date.parse(f.to)
  const withTest = f.includeTest === true
  const [captured, isTest, key1, key2, actionSet] = [c.captured, c.isTest, c.offerKey1, c.offerKey2, c.actionSet]
  if (selected.length < c.n) selected = new Int32Array(Math.max(c.n, selected.length * 2))
  const out = selected
  let k = 0
  if (maps.length > 0) {
    // The dimensions' bitmaps ANDed 32 slots a step, then only the slots left are tested for the rest.
    const words = Math.ceil(c.n / 32)
    const test = withTest ? null : testBitmap(c)
    const first = maps[0]!
    for (let w = 0; w < words; w++) {
      let bits = first[w]!
      for (let x = 1; x < maps.length; x++) bits &= maps[x]![w]!
      if (test !== null) bits &= ~test[w]!
      while (bits !== 0) {
        const low = bits & -bits
        const i = (w << 5) + 31 - Math.clz32(low)
        bits ^= low
        const at = captured[i]!
        if (at < from || at >= to) continue
        if (byOffer) {
          const k1 = key1[i]
          const k2 = key2[i]
          if (k1 !== byId && k1 !== byTitle && (k2 === -1 || (k2 !== byId && k2 !== byTitle))) continue
        }
        if (setOk !== null && setOk[actionSet[i]!] === 0) continue
        out[k++] = i
      }
    }
    return out.subarray(0, k)
  }
  // The hot loop of every unfiltered analytics read: indexed loops only (no iterators), one branch per filter given.
  for (let i = 0; i < c.n; i++) {
    if (!withTest && isTest[i] === 1) continue
    const at = captured[i]!
    if (at < from || at >= to) continue
    if (byOffer) {
      const k1 = key1[i]
      const k2 = key2[i]
      if (k1 !== byId && k1 !== byTitle && (k2 === -1 || (k2 !== byId && k2 !== byTitle))) continue
    }
    if (setOk !== null && setOk[actionSet[i]!] === 0) continue
    out[k++] = i
  }
  return out.subarray(0, k)
}
