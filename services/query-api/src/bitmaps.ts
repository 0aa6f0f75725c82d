// Bitmaps of the slots holding a dimension's code (a bit per lead: 125 KB per code at a million leads), so a read
// filtered by country, state, storefront, campaign or offer kind ANDs 32 leads per step and visits only the
// leads that pass, instead of testing every lead. Built the first time a filter names the code, then kept up to
// date by every write of a slot (factsColumns.ts `put`); the test flag has one too.
import type { CodedDimension, FactColumns } from './factsColumns.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** The dimensions with bitmaps: every coded one but the offer (hundreds of codes: a scan costs less memory). */
export type BitmapDimension = Exclude<CodedDimension, 'offer'>
export const bitmapDimensions: ReadonlyArray<BitmapDimension> = ['storefront', 'campaign', 'offerKind', 'country', 'state']

export interface Bitmaps {
  /** Per dimension, per code, its bitmap once built (bit i of word i >> 5: slot i holds the code). */
  readonly byCode: Record<BitmapDimension, Array<Uint32Array | undefined>>
  /** The test leads' bitmap once built. */
  test: Uint32Array | null
}

export const emptyBitmaps = (): Bitmaps => ({ byCode: { storefront: [], campaign: [], offerKind: [], country: [], state: [] }, test: null })

const wordsFor = (capacity: number): number => Math.ceil(capacity / 32)

// ---------------------------------------------------------------------------------------------------------
// maintenance (called by factsColumns.ts)
// ---------------------------------------------------------------------------------------------------------

/** Makes every built bitmap hold `capacity` slots. */
export const growBitmaps = (b: Bitmaps, capacity: number): void => {
  const grow = (m: Uint32Array): Uint32Array => {
    const next = new Uint32Array(wordsFor(capacity))
    next.set(m)
    return next
  }
  for (const d of bitmapDimensions) b.byCode[d].forEach((m, code) => m !== undefined && (b.byCode[d][code] = grow(m)))
  if (b.test !== null) b.test = grow(b.test)
}

/** Slot `i` of dimension `d` changes from code `was` (for a slot never written: whatever its column held) to `now`. */
export const moveBit = (b: Bitmaps, d: BitmapDimension, i: number, was: number, now: number): void => {
  const maps = b.byCode[d]
  if (maps.length === 0) return
  const [word, bit] = [i >> 5, 1 << (i & 31)]
  // A slot never written has its bit in no bitmap, so clearing it under `was` changes nothing.
  const old = maps[was]
  if (old !== undefined) old[word] = old[word]! & ~bit
  const next = maps[now]
  if (next !== undefined) next[word] = next[word]! | bit
}

export const setTestBit = (b: Bitmaps, i: number, isTest: boolean): void => {
  if (b.test === null) return
  const [word, bit] = [i >> 5, 1 << (i & 31)]
  b.test[word] = isTest ? b.test[word]! | bit : b.test[word]! & ~bit
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

const capacityOf = (c: FactColumns): number => c.captured.length

/** The bitmap of the slots holding `code` in dimension `d` (built on first use). */
export const bitmapOf = (c: FactColumns, d: BitmapDimension, code: number): Uint32Array => {
  const maps = c.bitmaps.byCode[d]
  let m = maps[code]
  if (m === undefined) {
    m = new Uint32Array(wordsFor(capacityOf(c)))
    const codes = c.codes[d]
    for (let i = 0; i < c.n; i++) if (codes[i] === code) m[i >> 5] = m[i >> 5]! | (1 << (i & 31))
    maps[code] = m
  }
  return m
}

/** The bitmap of the test leads (built on first use). */
export const testBitmap = (c: FactColumns): Uint32Array => {
  if (c.bitmaps.test === null) {
    const m = new Uint32Array(wordsFor(capacityOf(c)))
    for (let i = 0; i < c.n; i++) if (c.isTest[i] === 1) m[i >> 5] = m[i >> 5]! | (1 << (i & 31))
    c.bitmaps.test = m
  }
  return c.bitmaps.test
}
