// readJson: the nesting limit, per-item texts of a batch, and malformed bodies refused whole.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readJson, readJsonInSlices } from './json.js'

const test = suite('readJson')
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n)

test('one value :: read, and refused past the limit', () => {
  assert.equal(readJson('{"a":[1]}'), { _tag: 'One', value: { a: [1] } })
  assert.is(readJson(deep(64))._tag, 'Many')
  assert.equal(readJson(`{"a":${deep(64)}}`), { _tag: 'Unreadable', reason: 'nested deeper than 64 levels of objects and arrays' })
  assert.is(readJson('{"a":"[[[[[[["}', 2)._tag, 'One', 'brackets inside strings do not count')
})

test('batch :: each item keeps its own text; only the deep one is refused', () => {
  const r = readJson(`[ {"a": "x,]"} , ${deep(100)}, 3 ]`)
  if (r._tag !== 'Many') return assert.unreachable(r._tag)
  assert.equal(
    r.items.map((i) => i.text),
    ['{"a": "x,]"}', deep(100), '3'],
  )
  assert.ok(E.isRight(r.items[0]!.value) && E.isLeft(r.items[1]!.value) && E.isRight(r.items[2]!.value))
})

test('malformed :: elsewhere in a deep batch, unclosed, or empty refuses the whole body', () => {
  assert.is(readJson(`[{"a":}, ${deep(100)}]`)._tag, 'Unreadable')
  assert.is(readJson(`[{"a":1}, ${'['.repeat(100)}`)._tag, 'Unreadable')
  assert.is(readJson(`[{"a":1}, ${deep(100)}] x`)._tag, 'Unreadable')
  assert.is(readJson('  ')._tag, 'Unreadable')
  assert.equal(readJson('[]'), { _tag: 'Many', items: [] })
})

/** Equal answers; a malformed body's reason may name another position (items are parsed one by one). */
const same = (a: ReturnType<typeof readJson>, b: ReturnType<typeof readJson>, body: string) =>
  a._tag === 'Unreadable' && b._tag === 'Unreadable' ? assert.ok(true) : assert.equal(a, b, body)

test('in slices :: the same answers as readJson, with pauses between slices', async () => {
  let pauses = 0
  const pause = async () => void pauses++
  const bodies = [
    `[{"a":1}, ${deep(100)}, "x]"]`,
    `{"a":${deep(70)}}`,
    '[1, 2',
    '[]',
    '[ ]',
    '[1,,2]',
    '[{"a":"b"}] x',
    JSON.stringify([{ a: 1 }, { b: [2, { c: 3 }] }]),
  ]
  for (const body of bodies) same(await readJsonInSlices(body, pause, { sliceChars: 4 }), readJson(body), body)
  assert.ok(pauses > 10)
})

test.run()
