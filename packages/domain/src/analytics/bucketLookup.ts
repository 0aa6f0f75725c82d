// Placing a million instants in their buckets without a binary search per instant: the time line from the first
// bucket start is cut into equal cells no longer than the shortest bucket, and a table gives the bucket holding
// each cell's start. A cell then holds at most one bucket boundary, so one comparison finishes the look-up.
// Exact for any bucket starts (DST days of 23 or 25 hours, +05:30 and +05:45 zones, hours repeated or skipped):
// the zone arithmetic stays in `bucketStarts`, done once per request.
import { bucketIndex } from './zone.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface BucketLookup {
  /** The buckets' starts (UTC instants, ascending), then +Infinity: the next start of the last bucket. */
  readonly starts: Float64Array
  /** The first start: cell 0 begins here. */
  readonly base: number
  /** The width of a cell in ms (at most the shortest bucket). */
  readonly cell: number
  /** The bucket holding each cell's start; null: too many cells (tiny buckets), search instead. */
  readonly table: Int32Array | null
}

/** Most cells a table holds (4 MiB); beyond that `bucketOf` searches the starts. */
export const maxCells = 1 << 20

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

export const bucketLookup = (startList: ArrayLike<number>): BucketLookup => {
  const n = startList.length
  const starts = new Float64Array(n + 1)
  starts.set(Array.from(startList))
  starts[n] = Infinity
  const base = n === 0 ? 0 : starts[0]!
  let cell = Infinity
  for (let b = 1; b < n; b++) cell = Math.min(cell, starts[b]! - starts[b - 1]!)
  if (n < 2) return { starts, base, cell: 1, table: n === 0 ? null : new Int32Array(1) }
  const cells = Math.floor((starts[n - 1]! - base) / cell) + 1
  if (!(cell > 0) || cells > maxCells) return { starts, base, cell, table: null }
  const table = new Int32Array(cells)
  for (let x = 0, b = 0; x < cells; x++) {
    const at = base + x * cell
    while (b + 1 < n && starts[b + 1]! <= at) b++
    table[x] = b
  }
  return { starts, base, cell, table }
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** The index of the bucket holding `ms` (the last start at or before it), -1 before them all: `bucketIndex`. */
export const bucketOf = (l: BucketLookup, ms: number): number => {
  const table = l.table
  if (table === null) return bucketIndex(l.starts, ms) - (ms === Infinity ? 1 : 0)
  if (ms < l.base) return -1
  const x = (ms - l.base) / l.cell
  if (x >= table.length) return l.starts.length - 2
  const b = table[x | 0]!
  // No branch on the boundary (it is taken at random for month buckets): the sentinel ends the last bucket.
  return ms >= l.starts[b + 1]! ? b + 1 : b
}

// ---------------------------------------------------------------------------------------------------------
// quarter hours
// ---------------------------------------------------------------------------------------------------------

/**
 * Every zone's offset from UTC (since 1972) is a whole number of quarter hours, so bucket starts fall on quarter
 * hours, and an instant's quarter hour alone says its bucket: one table read per lead, no division or comparison.
 */
export const quarterHour = 900_000

/** The quarter hour holding `ms` (counted from the epoch): what the fact columns keep per lead. */
export const quarterOf = (ms: number): number => Math.floor(ms / quarterHour)

export interface QuarterTable {
  /** The quarter hour of the first start: entry 0. */
  readonly first: number
  /** The bucket of each quarter hour from `first` on. */
  readonly table: Int32Array
  /** The last bucket: where a quarter past the table's end falls. */
  readonly last: number
}

/**
 * The bucket of every quarter hour from the first start to the one holding `end - 1`; null when a start is not on
 * a quarter hour (a historical offset in seconds) or the span is longer than `maxCells` quarters: use `bucketOf`.
 */
export const quarterTable = (startList: ArrayLike<number>, end: number): QuarterTable | null => {
  const n = startList.length
  if (n === 0) return null
  for (let b = 0; b < n; b++) if (startList[b]! % quarterHour !== 0) return null
  const first = startList[0]! / quarterHour
  const cells = Math.max(1, quarterOf(end - 1) - first + 1)
  if (cells > maxCells) return null
  const table = new Int32Array(cells)
  for (let x = 0, b = 0; x < cells; x++) {
    while (b + 1 < n && startList[b + 1]! <= (first + x) * quarterHour) b++
    table[x] = b
  }
  return { first, table, last: n - 1 }
}

/** The bucket of the instants in quarter hour `q`: `bucketIndex` of any of them. */
export const bucketOfQuarter = (t: QuarterTable, q: number): number => {
  const x = q - t.first
  return x < 0 ? -1 : x < t.table.length ? t.table[x]! : t.last
}
