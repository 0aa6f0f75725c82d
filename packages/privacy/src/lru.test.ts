// The data-key cache's eviction order, against a plain reference model under random use.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { Lru } from './lru.js'

test('lru :: the least recently used key leaves first; a use or a new value makes a key the newest', () => {
  const lru = new Lru<string, number>(3)
  for (const k of ['a', 'b', 'c']) lru.set(k, 1)
  assert.is(lru.get('a'), 1)
  lru.set('d', 1)
  assert.equal(lru.keys(), ['c', 'a', 'd'], 'b was the oldest')
  lru.set('c', 2)
  lru.set('e', 1)
  assert.equal(lru.keys(), ['d', 'c', 'e'], 'a left; c stays, set again')
  assert.is(lru.get('a'), undefined)
})

test('lru :: random sets, uses and deletes evict exactly as a reference list does', () => {
  let seed = 7
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n
  }
  const lru = new Lru<number, number>(50)
  let model: number[] = []
  const touch = (k: number) => {
    model = [...model.filter((m) => m !== k), k]
  }
  for (let i = 0; i < 20_000; i++) {
    const k = rand(120)
    const op = rand(10)
    if (op < 5) {
      lru.set(k, i)
      touch(k)
      if (model.length > 50) model.shift()
    } else if (op < 9) {
      const hit = lru.get(k) !== undefined
      assert.is(hit, model.includes(k), `get ${k} at step ${i}`)
      if (hit) touch(k)
    } else {
      lru.delete(k)
      model = model.filter((m) => m !== k)
    }
    // Emptied now and then, as erasures of every cached subject would: eviction starts again from the front.
    if (i % 5000 === 4999) {
      lru.deleteWhere(() => true)
      model = []
    }
  }
  assert.equal(lru.keys(), model)
})

test.run()
