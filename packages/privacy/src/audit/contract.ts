// The one contract every erasure audit store passes (SQLite and PostgreSQL): entries read back exactly, begin is
// idempotent, pending ones are listed until completed, retention runs are reported newest first.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { ErasureAudit, ErasureStart } from './port.js'

const start = (i: number, changes: Partial<ErasureStart> = {}): ErasureStart => ({
  erasureId: `er-${i}`,
  subject: `sub-${i % 2}`,
  emailDigest: `d${i % 2}`,
  reason: 'request',
  by: 'op@publisher',
  note: null,
  requestedAt: `2026-12-01T07:00:0${i}.000Z`,
  leadIds: [`mk-${i}a`, `mk-${i}b`],
  ...changes,
})

export const erasureAuditContract = (name: string, open: () => Promise<ErasureAudit>): void => {
  const test = suite(`erasure audit contract (${name})`)

  test('begin/complete :: an entry reads back, pending until completed; beginning it again changes nothing', async () => {
    const audit = await open()
    try {
      await audit.begin(start(1, { note: 'asked by email' }))
      await audit.begin(start(1, { by: 'someone else', leadIds: [] }))
      const pending = await audit.get('er-1')
      assert.equal(pending, { ...start(1, { note: 'asked by email' }), status: 'pending', completedAt: null, outcome: null, counts: null })
      assert.equal(
        (await audit.pending()).map((e) => e.erasureId),
        ['er-1'],
      )
      const counts = { leads: 2, events: 2, keys: 1, deadLetters: 3, answers: 1 }
      await audit.complete('er-1', { completedAt: '2026-12-01T07:00:05.000Z', outcome: 'erased', counts })
      assert.equal(await audit.pending(), [])
      const done = await audit.get('er-1')
      assert.equal([done?.status, done?.outcome, done?.counts, done?.completedAt], ['done', 'erased', counts, '2026-12-01T07:00:05.000Z'])
      assert.is(await audit.get('er-9'), null)
    } finally {
      await audit.close()
    }
  })

  test("lists :: pending oldest first, a subject's entries, the most recent first", async () => {
    const audit = await open()
    try {
      for (const i of [3, 1, 2, 4]) await audit.begin(start(i, { reason: i === 4 ? 'retention' : 'request' }))
      await audit.complete('er-2', {
        completedAt: '2026-12-01T08:00:00.000Z',
        outcome: 'unknownSubject',
        counts: { leads: 0, events: 0, keys: 0, deadLetters: 0, answers: 0 },
      })
      assert.equal(
        (await audit.pending()).map((e) => e.erasureId),
        ['er-1', 'er-3', 'er-4'],
      )
      assert.equal(
        (await audit.ofSubject('sub-1')).map((e) => e.erasureId),
        ['er-1', 'er-3'],
      )
      assert.equal(
        (await audit.recent(2)).map((e) => [e.erasureId, e.reason]),
        [
          ['er-4', 'retention'],
          ['er-3', 'request'],
        ],
      )
    } finally {
      await audit.close()
    }
  })

  test('retention :: the last run is the newest one recorded', async () => {
    const audit = await open()
    try {
      assert.is(await audit.lastRetentionRun(), null)
      await audit.recordRetentionRun({ ranAt: '2026-12-01T07:00:00.000Z', cutoff: '2026-11-01T07:00:00.000Z', subjects: 2, leads: 5 })
      await audit.recordRetentionRun({ ranAt: '2026-12-01T08:00:00.000Z', cutoff: '2026-11-01T08:00:00.000Z', subjects: 0, leads: 0 })
      assert.equal(await audit.lastRetentionRun(), { ranAt: '2026-12-01T08:00:00.000Z', cutoff: '2026-11-01T08:00:00.000Z', subjects: 0, leads: 0 })
      // Two runs at one instant (a stopped clock): the one recorded last is the last.
      await audit.recordRetentionRun({ ranAt: '2026-12-01T08:00:00.000Z', cutoff: '2026-11-01T08:00:00.000Z', subjects: 3, leads: 4 })
      assert.equal(await audit.lastRetentionRun(), { ranAt: '2026-12-01T08:00:00.000Z', cutoff: '2026-11-01T08:00:00.000Z', subjects: 3, leads: 4 })
    } finally {
      await audit.close()
    }
  })

  test.run()
}
