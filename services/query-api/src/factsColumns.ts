// The facts of every lead as columns in memory (typed arrays, dictionary codes for the text dimensions), and
// the one-pass filter over them: what the query API's analytics read instead of the lead rows (fastAnalytics.ts).
import { actionBucket, hasAction, offerFilterKeys, stageTimes, type LeadFacts, type LeadFilter } from '@leadstream/domain'

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
  readonly n: number
  readonly captured: Float64Array
  /** When each lead reached contacted, qualified, converted, nurturing, disqualified (domain `stageTimes`); NaN: never. */
  readonly stages: ReadonlyArray<Float64Array>
  readonly codes: Readonly<Record<CodedDimension, Int32Array>>
  readonly dicts: Readonly<Record<CodedDimension, Dict>>
  readonly isTest: Uint8Array
  /** Codes of `titles`, -1: none. */
  readonly title: Int32Array
  readonly titles: Dict
  /** Codes of `reasons`, -1: none. */
  readonly reason: Int32Array
  readonly reasons: Dict
  /** Codes of `offerKeys`, -1: none (a lead has one or two). */
  readonly offerKey1: Int32Array
  readonly offerKey2: Int32Array
  readonly offerKeys: Dict
  /** Codes of `actionSets`. */
  readonly actionSet: Int32Array
  readonly actionSets: ReadonlyArray<ActionSet>
  readonly buckets: Dict
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

const stageCount = 5

/** The columns of a set of facts, slots in the order given (the order the reference functions see them in). */
export const columnsOf = (facts: ReadonlyArray<LeadFacts>): FactColumns => {
  const n = facts.length
  const captured = new Float64Array(n)
  const stages = Array.from({ length: stageCount }, () => new Float64Array(n))
  const codes = Object.fromEntries(codedDimensions.map((d) => [d, new Int32Array(n)])) as Record<CodedDimension, Int32Array>
  const dicts = Object.fromEntries(codedDimensions.map((d) => [d, dict()])) as Record<CodedDimension, Dict>
  const isTest = new Uint8Array(n)
  const [title, reason, offerKey1, offerKey2, actionSet] = [0, 0, 0, 0, 0].map(() => new Int32Array(n)) as [Int32Array, Int32Array, Int32Array, Int32Array, Int32Array]
  const [titles, reasons, offerKeys, setKeys, buckets] = [dict(), dict(), dict(), dict(), dict()]
  const actionSets: ActionSet[] = []
  for (let i = 0; i < n; i++) {
    const f = facts[i]!
    captured[i] = f.capturedMs
    const t = stageTimes(f)
    for (let s = 0; s < stageCount; s++) stages[s]![i] = t[s + 1] ?? NaN
    for (const d of codedDimensions) codes[d][i] = codeOf(dicts[d], f[d])
    isTest[i] = f.isTest ? 1 : 0
    title[i] = f.offerTitle === null ? -1 : codeOf(titles, f.offerTitle)
    reason[i] = f.reason === null ? -1 : codeOf(reasons, f.reason)
    offerKey1[i] = f.offerKeys[0] === undefined ? -1 : codeOf(offerKeys, f.offerKeys[0])
    offerKey2[i] = f.offerKeys[1] === undefined ? -1 : codeOf(offerKeys, f.offerKeys[1])
    const setKey = f.actions.join('\u001f')
    const before = setKeys.values.length
    actionSet[i] = codeOf(setKeys, setKey)
    if (setKeys.values.length > before)
      actionSets.push({ actions: [...f.actions], bucketCodes: [...new Set(f.actions.map(actionBucket))].map((b) => codeOf(buckets, b)) })
  }
  return { n, captured, stages, codes, dicts, isTest, title, titles, reason, reasons, offerKey1, offerKey2, offerKeys, actionSet, actionSets, buckets }
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** The slots of the leads passing a filter, ascending: the domain's `matchesFilter` on codes. */
export const select = (c: FactColumns, f: LeadFilter): Int32Array => {
  const wanted: Array<readonly [Int32Array, number]> = []
  for (const d of codedDimensions) {
    if (d === 'offer') continue
    const v = f[d]
    if (v === undefined) continue
    const code = c.dicts[d].codes.get(v)
    if (code === undefined) return new Int32Array(0)
    wanted.push([c.codes[d], code])
  }
  const [byId, byTitle] = f.offer === undefined ? [-1, -1] : offerFilterKeys(f.offer).map((k) => c.offerKeys.codes.get(k) ?? -2)
  const setOk = f.action === undefined ? null : Uint8Array.from(c.actionSets, (s) => (hasAction(s.actions, f.action!) ? 1 : 0))
  const from = f.from === undefined ? -Infinity : Date.parse(f.from)
  const to = f.to === undefined ? Infinity : Date.parse(f.to)
  const withTest = f.includeTest === true
  const out = new Int32Array(c.n)
  let k = 0
  next: for (let i = 0; i < c.n; i++) {
    if (!withTest && c.isTest[i] === 1) continue
    const at = c.captured[i]!
    if (at < from || at >= to) continue
    for (const [col, code] of wanted) if (col[i] !== code) continue next
    if (f.offer !== undefined) {
      const [k1, k2] = [c.offerKey1[i], c.offerKey2[i]]
      if (k1 !== byId && k1 !== byTitle && (k2 === -1 || (k2 !== byId && k2 !== byTitle))) continue
    }
    if (setOk !== null && setOk[c.actionSet[i]!] === 0) continue
    out[k++] = i
  }
  return out.subarray(0, k)
}

/** Bytes the columns take per lead (the dictionaries aside: they hold each distinct value once). */
export const bytesPerLead = (c: FactColumns): number =>
  c.n === 0 ? 0 : (c.captured.byteLength + c.stages.reduce((a, s) => a + s.byteLength, 0) + codedDimensions.reduce((a, d) => a + c.codes[d].byteLength, 0) +
    c.isTest.byteLength + [c.title, c.reason, c.offerKey1, c.offerKey2, c.actionSet].reduce((a, x) => a + x.byteLength, 0)) / c.n
