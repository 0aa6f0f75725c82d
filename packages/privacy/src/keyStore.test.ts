// Key ids: time first, so the key store's index of them grows at its end; never repeated.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { newKeyId } from './keyStore.js'

const test = suite('newKeyId')

test('order :: a later key id sorts after an earlier one, as text (the index order)', () => {
  const ids = [0, 1, 255, 1_700_000_000_000, 1_700_000_000_001, 2 ** 47].map(newKeyId)
  assert.equal([...ids].sort(), ids)
})

test('uniqueness :: ids made in the same millisecond differ', () => {
  const ids = Array.from({ length: 10_000 }, () => newKeyId(1_700_000_000_000))
  assert.is(new Set(ids).size, ids.length)
  assert.ok(
    ids.every((id) => /^dk-[0-9a-f]{24}$/.test(id)),
    'dk- and 24 hex digits, as before',
  )
})

test.run()
