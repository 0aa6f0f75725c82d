// Quickselect answers what sorting answers, for every rank of random values with duplicates.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { kth, rankOf } from './nearestRank.js'
import { seededRandom as rng } from '@leadstream/domain'

const test = suite('nearestRank')

test('kth :: every rank of random values with duplicates equals the sorted one', () => {
  const r = rng(5)
  for (let round = 0; round < 80; round++) {
    const len = 1 + Math.floor(r() * 300)
    const spread = round % 2 === 0 ? 40 : 1e12
    const values = Float64Array.from({ length: len }, () => Math.floor(r() * spread))
    const sorted = Float64Array.from(values).sort()
    for (let k = 0; k < len; k++) assert.is(kth(Float64Array.from(values), len, k), sorted[k])
  }
})

test('rankOf :: nearest rank, 0-based', () => {
  assert.equal([rankOf(4, 50), rankOf(4, 90), rankOf(1, 90), rankOf(10, 0), rankOf(10, 100)], [1, 3, 0, 0, 9])
})

test.run()
