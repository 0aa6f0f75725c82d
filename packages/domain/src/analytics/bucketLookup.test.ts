// The cell table places every instant in the bucket the binary search (`bucketIndex`, the reference) does:
// random instants, every boundary and its neighbours, real zones across DST and odd offsets, random starts.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { bucketLookup, bucketOf, bucketOfQuarter, maxCells, quarterOf, quarterTable } from './bucketLookup.js'
import { bucketIndex, bucketStarts, type BucketInterval } from './zone.js'
import { seededRandom as rng } from '../seeded.js'

const day = 86_400_000

/** Every boundary, one ms either side of it, and random instants from before the first start to past the last. */
const probes = (starts: ReadonlyArray<number>, r: () => number, n: number): number[] => {
  const first = starts[0] ?? 0
  const last = starts[starts.length - 1] ?? 0
  const span = Math.max(1, last - first)
  const edges = starts.flatMap((s) => [s - 1, s, s + 1])
  const random = Array.from({ length: n }, () => Math.floor(first - span / 10 + r() * span * 1.3))
  return [...edges, ...random, first - 10 * span, last + 10 * span]
}

const agrees = (starts: ReadonlyArray<number>, r: () => number, n = 2000): void => {
  const l = bucketLookup(starts)
  const last = starts[starts.length - 1] ?? 0
  const quarters = quarterTable(starts, last + (last - (starts[0] ?? 0)) / 20)
  for (const ms of probes(starts, r, n)) {
    const want = bucketIndex(starts, ms)
    const got = bucketOf(l, ms)
    if (got !== want) assert.unreachable(`bucket of ${new Date(ms).toISOString()}: ${got}, the search says ${want}`)
    const byQuarter = quarters === null ? want : bucketOfQuarter(quarters, quarterOf(ms))
    if (byQuarter !== want) assert.unreachable(`quarter-hour bucket of ${new Date(ms).toISOString()}: ${byQuarter}, the search says ${want}`)
  }
}

const test = suite('bucketLookup')

const zones = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Australia/Lord_Howe']
const ranges: ReadonlyArray<readonly [BucketInterval, string, string]> = [
  ['day', '2025-12-01T00:00:00Z', '2026-12-01T00:00:00Z'],
  ['week', '2025-06-01T00:00:00Z', '2027-02-01T00:00:00Z'],
  ['month', '2024-01-15T00:00:00Z', '2027-01-15T00:00:00Z'],
  // The months of both DST changes in the northern and southern hemispheres, by hour.
  ['hour', '2026-03-25T00:00:00Z', '2026-04-08T00:00:00Z'],
  ['hour', '2026-10-20T00:00:00Z', '2026-11-05T00:00:00Z'],
  ['hour', '2026-09-01T00:00:00Z', '2026-09-10T00:00:00Z'],
]

for (const tz of zones)
  test(`zones :: ${tz}, day, week, month and hour buckets across DST changes agree with the search (cell and quarter-hour tables)`, () => {
    const r = rng(tz.length * 7919)
    for (const [interval, from, to] of ranges) {
      const starts = bucketStarts(interval, tz, Date.parse(from), Date.parse(to))
      assert.ok(quarterTable(starts, Date.parse(to)) !== null, 'the starts fall on quarter hours')
      agrees(starts, r)
    }
  })

test('quarter table :: none for a start off the quarter hour, or a span too long', () => {
  assert.is(quarterTable([0, 900_000 + 1], 10 ** 7), null)
  assert.is(quarterTable([0, 900_000], 900_000 * (maxCells + 2)), null)
  assert.is(quarterTable([], 5), null)
})

test('random starts :: gaps of any length, including ones a thousand times shorter than the rest', () => {
  const r = rng(11)
  for (let round = 0; round < 200; round++) {
    const n = 1 + Math.floor(r() * 60)
    const starts: number[] = []
    let at = Date.parse('2026-01-01T00:00:00Z') + Math.floor(r() * day)
    for (let b = 0; b < n; b++) {
      starts.push(at)
      at += r() < 0.1 ? 1 + Math.floor(r() * 1000) : Math.floor(r() * day) + 1
    }
    agrees(starts, r, 500)
  }
})

test('edges :: no starts, one start, and a range too fine for a table', () => {
  const r = rng(3)
  assert.is(bucketOf(bucketLookup([]), 5), -1)
  agrees([100], r, 50)
  const fine = [0, 1, 2 * maxCells]
  assert.is(bucketLookup(fine).table, null)
  agrees(fine, r, 200)
})

test.run()
