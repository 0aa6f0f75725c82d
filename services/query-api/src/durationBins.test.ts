// Duration bins never decrease as the duration grows, and the binned median and p90 of a stage equal the sorted
// reference (the domain's `percentile` of the selected leads' durations) for random leads of many shapes.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { percentile } from '@leadstream/domain'
import { binCount, binOf, stageRanks, unreached } from './durationBins.js'
import { seededRandom as rng } from '@leadstream/domain'

const hour = 3_600_000
const test = suite('durationBins')

test('binOf :: monotone, within its range, 0 below 1 ms, neighbours of powers of two ordered', () => {
  const r = rng(1)
  const values = [0, 0.5, 1, 2, 3, 1023, 1024, 1025, 2 ** 31, 2 ** 40, 2 ** 62, 2 ** 70, Number.MAX_VALUE]
  for (let e = 0; e < 64; e++) values.push(2 ** e - 1, 2 ** e, 2 ** e + 1)
  for (let i = 0; i < 20_000; i++) values.push(Math.floor(r() * 10 ** (1 + r() * 12)))
  values.sort((a, b) => a - b)
  for (let i = 0; i < values.length; i++) {
    const b = binOf(values[i]!)
    assert.ok(b >= 0 && b < binCount && b !== unreached, `bin of ${values[i]}: ${b}`)
    if (i > 0) assert.ok(binOf(values[i - 1]!) <= b, `bins of ${values[i - 1]} and ${values[i]} out of order`)
  }
  assert.is(binOf(0.999), 0)
  assert.ok(binOf(1) > 0)
})

const shapes: ReadonlyArray<readonly [string, (r: () => number) => number]> = [
  ['exponential, hours', (r) => Math.floor(-Math.log(1 - r()) * 30 * hour)],
  ['few distinct values', (r) => Math.floor(r() * 4) * hour],
  ['mostly zero (stage dated before capture), some years', (r) => (r() < 0.7 ? -Math.floor(r() * hour) : Math.floor(r() * 1e11))],
  ['all in one bin', (r) => 5 * hour + Math.floor(r() * 3)],
]

for (const [name, draw] of shapes)
  test(`stageRanks :: ${name}: reached, median and p90 of each stage equal the sorted reference for random selections`, () => {
    const r = rng(name.length)
    for (let round = 0; round < 40; round++) {
      const n = round < 4 ? round : Math.floor(r() * (round % 4 === 0 ? 100_000 : 2000))
      const stages = 1 + (round % 5)
      const captured = Float64Array.from({ length: n }, () => 1.7e12 + Math.floor(r() * 1e10))
      const times = Array.from({ length: stages }, () => captured.map((c) => (r() < 0.4 ? Number.NaN : c + draw(r))))
      const bins = new Uint16Array(n * stages)
      for (let i = 0; i < n; i++)
        for (let s = 0; s < stages; s++) {
          const t = times[s]![i]!
          bins[i * stages + s] = Number.isNaN(t) ? unreached : binOf(Math.max(0, t - captured[i]!))
        }
      const sel = Int32Array.from({ length: n }, (_, i) => i).filter(() => r() < 0.8)
      const expected = times.map((ts) => {
        const durations = [...sel].flatMap((i) => (Number.isNaN(ts[i]!) ? [] : [Math.max(0, ts[i]! - captured[i]!)]))
        const sorted = Float64Array.from(durations).sort()
        return { reached: durations.length, median: percentile(sorted, 50), p90: percentile(sorted, 90) }
      })
      assert.equal(stageRanks(bins, stages, times, captured, sel), expected, `${name}, ${n} leads, ${stages} stages`)
    }
  })

test.run()
