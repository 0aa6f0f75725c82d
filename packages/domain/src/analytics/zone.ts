// Calendar buckets in any IANA time zone, exact across daylight-saving changes and for offsets that are not
// whole hours (Asia/Kolkata +05:30, Asia/Kathmandu +05:45): bucket starts are found with Intl.DateTimeFormat,
// then each lead is placed by a binary search over those instants (no per-lead time-zone arithmetic).

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export type BucketInterval = 'hour' | 'day' | 'week' | 'month'

const second = 1000
const hour = 3_600_000
const day = 86_400_000

// ---------------------------------------------------------------------------------------------------------
// wall clock of an instant
// ---------------------------------------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>()
const formatter = (tz: string): Intl.DateTimeFormat => {
  let f = formatters.get(tz)
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(tz, f)
  }
  return f
}

/** The wall-clock reading in `tz` at instant `ms`, as the UTC instant with the same reading (second precision). */
export const wallOf = (tz: string, ms: number): number => {
  const p: Record<string, number> = {}
  for (const part of formatter(tz).formatToParts(ms)) if (part.type !== 'literal') p[part.type] = Number(part.value)
  return Date.UTC(p['year'] ?? 1970, (p['month'] ?? 1) - 1, p['day'] ?? 1, p['hour'] ?? 0, p['minute'] ?? 0, p['second'] ?? 0)
}

/** The offset of `tz` from UTC at instant `ms` (ms; +05:30 is 19,800,000). */
export const offsetAt = (tz: string, ms: number): number => {
  if (tz === 'UTC') return 0
  const whole = Math.floor(ms / second) * second
  return remembered(`${tz}|o${whole}`, () => wallOf(tz, whole) - whole)
}

/** Results worth keeping across requests: bucket boundaries repeat (every series of a year asks for the same days). */
const memo = new Map<string, number>()
const remembered = (key: string, compute: () => number): number => {
  let v = memo.get(key)
  if (v === undefined) {
    if (memo.size > 200_000) memo.clear()
    memo.set(key, (v = compute()))
  }
  return v
}

/**
 * The first instant whose wall clock in `tz` reads `wall` or later. An ambiguous reading (clocks set back)
 * gives its earlier instant; a skipped one (clocks set forward) the instant the clocks jumped past it.
 */
export const instantOfWall = (tz: string, wall: number): number => (tz === 'UTC' ? wall : remembered(`${tz}|w${wall}`, () => searchWall(tz, wall)))

const searchWall = (tz: string, wall: number): number => {
  const candidates = [...new Set([wall - offsetAt(tz, wall - day), wall - offsetAt(tz, wall), wall - offsetAt(tz, wall + day)])]
  const exact = candidates.filter((u) => wallOf(tz, u) === wall)
  if (exact.length > 0) return Math.min(...exact)
  let lo = Math.min(...candidates) // reads before `wall`
  let hi = Math.max(...candidates) // reads after it
  while (hi - lo > second) {
    const mid = lo + Math.floor((hi - lo) / 2 / second) * second
    if (wallOf(tz, mid) >= wall) hi = mid
    else lo = mid
  }
  return hi
}

/** `2026-03-29T00:00:00+01:00`: the instant's wall clock in `tz` and the offset there. */
export const isoInZone = (tz: string, ms: number): string => {
  const offset = offsetAt(tz, ms)
  const wall = new Date(Math.floor(ms / second) * second + offset).toISOString().slice(0, 19)
  const minutes = Math.round(Math.abs(offset) / 60_000)
  const hh = String(Math.floor(minutes / 60)).padStart(2, '0')
  const mm = String(minutes % 60).padStart(2, '0')
  return `${wall}${offset < 0 ? '-' : '+'}${hh}:${mm}`
}

// ---------------------------------------------------------------------------------------------------------
// buckets
// ---------------------------------------------------------------------------------------------------------

/** The wall-clock start of the calendar bucket holding wall reading `wall` (day, ISO week from Monday, month). */
const floorWall = (interval: Exclude<BucketInterval, 'hour'>, wall: number): number => {
  const d = new Date(wall)
  const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  if (interval === 'day') return midnight
  if (interval === 'week') return midnight - ((d.getUTCDay() + 6) % 7) * day
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

const nextWall = (interval: Exclude<BucketInterval, 'hour'>, wall: number): number => {
  const d = new Date(wall)
  if (interval === 'month') return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + (interval === 'week' ? 7 : 1))
}

/** The start of the local hour holding instant `ms` (an instant, so a repeated hour is two buckets). */
const floorHour = (tz: string, ms: number): number => {
  const local = ms + offsetAt(tz, ms)
  return ms - (((local % hour) + hour) % hour)
}

/**
 * The starts (UTC instants, ascending) of the buckets that cover [from, to): the first holds `from`. Stops
 * early, returning `limit + 1` starts, when there would be more than `limit` (the caller refuses the range).
 */
export const bucketStarts = (interval: BucketInterval, tz: string, from: number, to: number, limit = Number.MAX_SAFE_INTEGER): ReadonlyArray<number> => {
  const starts: number[] = []
  if (interval === 'hour') {
    for (let u = floorHour(tz, from); u < to && starts.length <= limit; ) {
      starts.push(u)
      const next = u + hour
      u = offsetAt(tz, next) === offsetAt(tz, u) ? next : Math.max(floorHour(tz, next), u + second)
    }
    return starts
  }
  for (let wall = floorWall(interval, wallOf(tz, from)); starts.length <= limit; wall = nextWall(interval, wall)) {
    const u = instantOfWall(tz, wall)
    if (u >= to) break
    if (starts.length === 0 || u > starts[starts.length - 1]!) starts.push(u)
  }
  return starts
}

/** The index of the bucket holding `ms` (the last start at or before it), -1 when it precedes them all. */
export const bucketIndex = (starts: ArrayLike<number>, ms: number): number => {
  let lo = 0
  let hi = starts.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (starts[mid]! <= ms) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}
