// Dead letters keep every rejected payload with its reason, listable by status.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters } from './store.js'

const test = suite('sqliteDeadLetters')

test('record :: payload and reasons read back, listed in arrival order, by status', async () => {
  const dl = sqliteDeadLetters({ path: ':memory:' })
  const ids = await dl.record([
    { source: 'http:/v1/leads', format: 'native', problems: [{ path: 'type', reason: 'unknown' }], payload: '{"type":"X"}', receivedAt: '2026-11-25T10:00:00.000Z' },
    { source: 'http:/v1/leads', format: 'unknown', problems: [{ path: '(body)', reason: 'not JSON' }], payload: '{oops', receivedAt: '2026-11-25T10:00:01.000Z' },
  ])
  assert.is(ids.length, 2)
  const got = await dl.get(ids[1]!)
  assert.is(got?.payload, '{oops')
  assert.equal(got?.problems, [{ path: '(body)', reason: 'not JSON' }])
  assert.equal((await dl.list({ limit: 10 })).map((d) => d.id), ids)
  assert.ok(await dl.setStatus(ids[0]!, 'discarded'))
  assert.equal((await dl.list({ status: 'open', limit: 10 })).map((d) => d.id), [ids[1]])
  assert.is(await dl.count('discarded'), 1)
  assert.not.ok(await dl.setStatus(999, 'replayed'))
  await dl.close()
})

test.run()
