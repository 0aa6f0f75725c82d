// inSlices: every item once, in order, a turn before each slice, slice sizes within the bounds given.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { inSlices } from './loop.js'

const test = suite('inSlices')

test('order :: answers come back in the order of the items, each item in exactly one slice', async () => {
  const xs = Array.from({ length: 1234 }, (_, i) => i)
  const seen: number[] = []
  const out = await inSlices(xs, async (slice) => {
    seen.push(...slice)
    return slice.map((x) => x * 2)
  })
  assert.equal(seen, xs)
  assert.equal(
    out,
    xs.map((x) => x * 2),
  )
})

test('turns :: the loop gets a turn before each slice', async () => {
  let turns = 0
  let slices = 0
  await inSlices(
    Array.from({ length: 100 }, (_, i) => i),
    async (slice) => {
      slices++
      return slice
    },
    async () => void turns++,
    { first: 10, min: 10, max: 10 },
  )
  assert.is(slices, 10)
  assert.is(turns, 10)
})

test('sizes :: a slow slice halves the next down to min, a fast one doubles it up to max', async () => {
  const sizes: number[] = []
  let slow = true
  await inSlices(
    Array.from({ length: 5000 }, (_, i) => i),
    async (slice) => {
      sizes.push(slice.length)
      // Slow (over 20 ms) until the size reached min, fast after.
      if (slow) await new Promise((resolve) => setTimeout(resolve, 30))
      if (slice.length === 50) slow = false
      return slice
    },
    async () => {},
    { first: 200, min: 50, max: 400 },
  )
  assert.equal(sizes.slice(0, 4), [200, 100, 50, 50])
  assert.is(Math.max(...sizes), 400)
  assert.ok(sizes.every((n, i) => (n >= 50 && n <= 400) || i === sizes.length - 1))
})

test('empty :: no items, no slice and no turn', async () => {
  let calls = 0
  const out = await inSlices(
    [],
    async (s) => {
      calls++
      return s
    },
    async () => void calls++,
  )
  assert.equal(out, [])
  assert.is(calls, 0)
})

test.run()
