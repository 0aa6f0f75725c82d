// Percentiles of time-to-stage without sorting or copying a million durations per read. Each lead's duration to
// each stage is kept as a 16-bit bin as well (factsColumns.ts): bins are monotone in the duration and 0.4% wide
// (the exponent and top mantissa bits of the double), so a read counts its selected leads per bin in one pass, finds the
// bin holding each wanted rank, and quickselects among the few durations in that bin only.
import { kth, rankOf } from './nearestRank.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** Bins per power of two: 0.4% wide. Finer bins leave fewer durations to select among but make the histogram
 * outgrow the CPU's first-level cache (the counting pass's cost); 256 measured faster than 1,024. */
const mantissaBits = 8
/** Bins a duration can fall in: 0 for [0, 1) ms, then 256 per power of two up to 2^64 ms, the last holding all above. */
export const binCount = 1 + (64 << mantissaBits)
/** The bin of a stage never reached (counted apart from every duration). */
export const unreached = binCount

const view = new DataView(new ArrayBuffer(8))

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

/**
 * The bin of a duration (ms, not negative, not NaN). Non-negative doubles order as their bit patterns do, so the
 * exponent and the top 8 mantissa bits, read as one number, never decrease as the duration grows.
 */
export const binOf = (ms: number): number => {
  if (ms < 1) return 0
  view.setFloat64(0, ms)
  const top = (view.getUint32(0) >>> (20 - mantissaBits)) - (1023 << mantissaBits) + 1
  return Math.min(top, binCount - 1)
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** Scratch reused by every read (the analytics run one at a time on the event loop): nothing allocated per lead. */
let hist = new Int32Array(0)
let marks = new Uint8Array(0)
const gathered: Float64Array[] = []

export interface StageRanks {
  /** Selected leads that reached the stage. */
  readonly reached: number
  /** The nearest-rank median and p90 of their times from capture to the stage (null: none reached it). */
  readonly median: number | null
  readonly p90: number | null
}

/**
 * Every stage of the funnel over the selected slots, in two passes over them. `bins` holds `stages` bins per
 * slot (slot i, stage s at i * stages + s; `unreached` where the stage was not reached); `times[s]` and `captured`
 * give the exact durations of the few leads in the bins that hold a wanted rank.
 */
export const stageRanks = (bins: Uint16Array, stages: number, times: ReadonlyArray<Float64Array>, captured: Float64Array, sel: Int32Array): StageRanks[] => {
  const width = binCount + 1
  if (hist.length < stages * width) hist = new Int32Array(stages * width)
  hist.fill(0)
  const n = sel.length
  // Pass 1: leads per stage and bin (the funnel's five stages unrolled: the loop over them cost a third more).
  if (stages === 5)
    for (let j = 0; j < n; j++) {
      const at = sel[j]! * 5
      hist[bins[at]!]!++
      hist[width + bins[at + 1]!]!++
      hist[2 * width + bins[at + 2]!]!++
      hist[3 * width + bins[at + 3]!]!++
      hist[4 * width + bins[at + 4]!]!++
    }
  else
    for (let j = 0; j < n; j++) {
      const at = sel[j]! * stages
      for (let s = 0; s < stages; s++) hist[s * width + bins[at + s]!]!++
    }
  // The bins holding each stage's median and p90 rank, and how many durations lie below each.
  const wanted = new Int32Array(stages * 2).fill(-1)
  const below = new Int32Array(stages * 2)
  const ranks = new Int32Array(stages * 2)
  const reached = new Int32Array(stages)
  for (let s = 0; s < stages; s++) {
    reached[s] = n - hist[s * width + unreached]!
    if (reached[s] === 0) continue
    let [bin, under] = [0, 0]
    for (let p = 0; p < 2; p++) {
      const k = rankOf(reached[s]!, p === 0 ? 50 : 90)
      while (under + hist[s * width + bin]! <= k) under += hist[s * width + bin++]!
      wanted[s * 2 + p] = bin
      below[s * 2 + p] = under
      ranks[s * 2 + p] = k
    }
  }
  for (let x = 0; x < stages * 2; x++) {
    const size = wanted[x]! < 0 ? 0 : hist[(x >> 1) * width + wanted[x]!]!
    if ((gathered[x]?.length ?? -1) < size) gathered[x] = new Float64Array(Math.max(size, 2 * (gathered[x]?.length ?? 0)))
  }
  // Pass 2: the exact durations of the leads in those bins. A byte per stage and bin marks the wanted ones, so a
  // lead in none of them (nearly every lead) costs one test of its bins' marks.
  if (marks.length < stages * width) marks = new Uint8Array(stages * width)
  marks.fill(0)
  for (let x = 0; x < stages * 2; x++) if (wanted[x]! >= 0) marks[(x >> 1) * width + wanted[x]!] = 1
  const counts = new Int32Array(stages * 2)
  for (let j = 0; j < n; j++) {
    const i = sel[j]!
    const at = i * stages
    if (
      stages === 5 &&
      (marks[bins[at]!]! |
        marks[width + bins[at + 1]!]! |
        marks[2 * width + bins[at + 2]!]! |
        marks[3 * width + bins[at + 3]!]! |
        marks[4 * width + bins[at + 4]!]!) ===
        0
    )
      continue
    for (let s = 0; s < stages; s++) {
      const b = bins[i * stages + s]!
      const x0 = s * 2
      const x1 = x0 + 1
      if (b !== wanted[x0] && b !== wanted[x1]) continue
      const d = times[s]![i]! - captured[i]!
      const v = Math.max(0, d)
      if (b === wanted[x0]) gathered[x0]![counts[x0]!++] = v
      if (b === wanted[x1]) gathered[x1]![counts[x1]!++] = v
    }
  }
  return Array.from({ length: stages }, (_, s) =>
    reached[s] === 0
      ? { reached: 0, median: null, p90: null }
      : {
          reached: reached[s]!,
          median: kth(gathered[s * 2]!, counts[s * 2]!, ranks[s * 2]! - below[s * 2]!),
          p90: kth(gathered[s * 2 + 1]!, counts[s * 2 + 1]!, ranks[s * 2 + 1]! - below[s * 2 + 1]!),
        },
  )
}
