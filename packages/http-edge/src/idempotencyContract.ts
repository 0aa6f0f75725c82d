// The one contract every Idempotency-Key answer store passes (idempotency.db, the SQLite event store's own
// answers, PostgreSQL): answers read back, and an erasure forgets the answers that name its leads.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { IdempotencyKeys } from './idempotency.js'

const answer = (leadIds: ReadonlyArray<string>) => ({
  fingerprint: 'f',
  status: 202,
  body: JSON.stringify({ accepted: leadIds.map((leadId) => ({ leadId })) }),
})

export const idempotencyContract = (name: string, open: () => Promise<IdempotencyKeys>): void => {
  const test = suite(`idempotency answers contract (${name})`)

  test('forgetLeads :: deletes every answer naming one of the leads, and only those', async () => {
    const keys = await open()
    try {
      const now = new Date()
      await keys.put('k1', answer(['mk-ann-1']), now)
      await keys.put('k2', answer(['mk-bo', 'mk-ann-2']), now)
      await keys.put('k3', answer(['mk-bo']), now)
      // A lead id that contains another as a prefix is not matched by it: ids are matched as JSON strings.
      await keys.put('k4', answer(['mk-ann-10']), now)
      assert.is((await keys.get('k1'))?.status, 202)
      assert.is(await keys.forgetLeads(['mk-ann-1', 'mk-ann-2']), 2)
      assert.is(await keys.get('k1'), null)
      assert.is(await keys.get('k2'), null)
      assert.ok((await keys.get('k3')) !== null, 'an answer naming other leads stays')
      assert.ok((await keys.get('k4')) !== null, 'mk-ann-10 is not mk-ann-1')
      assert.is(await keys.forgetLeads(['mk-ann-1']), 0, 'forgetting again deletes nothing')
      assert.is(await keys.forgetLeads([]), 0)
    } finally {
      await keys.close()
    }
  })

  test.run()
}
