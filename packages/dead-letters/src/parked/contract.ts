// The one contract every parked-events store passes (SQLite and PostgreSQL): parking is idempotent per lead and
// event id, a lead's events come back in occurredAt order, expiry is by the bound, an expired entry is claimed by
// one caller at a time until its lease lapses, nothing survives removal.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { NewParkedEvent, ParkedEvents } from './port.js'

const parked = (leadId: string, eventId: string, occurredAt: string, until = '2026-11-25T11:00:00.000Z'): NewParkedEvent => ({
  leadId,
  eventId,
  source: 'http:/v1/leads',
  format: 'native',
  payload: `{"type":"LeadQualified","eventId":"${eventId}","leadId":"${leadId}"}`,
  occurredAt,
  parkedAt: '2026-11-25T10:00:00.000Z',
  until,
})

/** `open` gives an empty store; `reopen`, a second handle on the same storage (a restart, or another process). */
export const parkedEventsContract = (name: string, open: () => Promise<ParkedEvents>, reopen?: (first: ParkedEvents) => Promise<ParkedEvents>): void => {
  const test = suite(`parked events contract (${name})`)

  test("park :: the same event of the same lead is kept once; a lead's events come back by occurredAt", async () => {
    const p = await open()
    try {
      const [late, early] = (await p.park([parked('L1', 'e-late', '2026-11-20T12:00:00.000Z'), parked('L1', 'e-early', '2026-11-20T09:00:00.000Z')])).map(
        (r) => r.id,
      )
      await p.park([parked('L2', 'e-other', '2026-11-20T08:00:00.000Z')])
      const again = await p.park([parked('L1', 'e-late', '2026-11-20T12:00:00.000Z', '2026-12-31T00:00:00.000Z')])
      assert.equal(again, [{ id: late!, until: '2026-11-25T11:00:00.000Z' }], 'a re-delivered parked event answers the first copy, with its bound')
      assert.is(await p.count(), 3)
      const got = await p.forLeads(['L1'])
      assert.equal(
        got.map((e) => e.id),
        [early, late],
      )
      assert.is(got[1]?.payload, parked('L1', 'e-late', '').payload)
      assert.is(got[1]?.occurredAt, '2026-11-20T12:00:00.000Z')
      assert.is(got[1]?.until, '2026-11-25T11:00:00.000Z')
      assert.equal(
        (await p.forLeads(['L1', 'L2'])).map((e) => e.eventId),
        ['e-other', 'e-early', 'e-late'],
      )
      assert.equal(await p.forLeads([]), [])
      assert.equal(await p.forLeads(['nobody']), [])
    } finally {
      await p.close()
    }
  })

  test('expired :: only events whose bound has passed, oldest first; removed ones are gone', async () => {
    const p = await open()
    try {
      const [a, b] = (
        await p.park([
          parked('L1', 'a', '2026-11-20T09:00:00.000Z', '2026-11-25T10:05:00.000Z'),
          parked('L2', 'b', '2026-11-20T09:00:00.000Z', '2026-11-25T10:10:00.000Z'),
          parked('L3', 'c', '2026-11-20T09:00:00.000Z', '2026-11-25T10:20:00.000Z'),
        ])
      ).map((r) => r.id)
      assert.equal(await p.expired('2026-11-25T10:00:00.000Z', 10), [])
      assert.equal(
        (await p.expired('2026-11-25T10:10:00.000Z', 10)).map((e) => e.id),
        [a, b],
      )
      assert.equal(
        (await p.expired('2026-11-25T10:10:00.000Z', 1)).map((e) => e.id),
        [a],
      )
      assert.equal(await p.remove([a!, b!, 999999]), [a, b], 'the ids it removed: not one that was never there')
      assert.equal(await p.remove([a!]), [], 'a second caller removing the same entry gets nothing back')
      assert.equal(await p.expired('2026-11-25T10:10:00.000Z', 10), [])
      assert.is(await p.count(), 1)
      assert.equal(await p.remove([]), [])
    } finally {
      await p.close()
    }
  })

  test('claim :: answers only the expired, unclaimed ids this caller claimed; a second claim gets nothing; a lapsed lease is claimed again', async () => {
    const p = await open()
    try {
      const [a, b, c] = (
        await p.park([
          parked('L1', 'a', '2026-11-20T09:00:00.000Z', '2026-11-25T10:05:00.000Z'),
          parked('L2', 'b', '2026-11-20T09:00:00.000Z', '2026-11-25T10:10:00.000Z'),
          parked('L3', 'c', '2026-11-20T09:00:00.000Z', '2026-11-25T10:20:00.000Z'),
        ])
      ).map((r) => r.id)
      const now = '2026-11-25T10:10:00.000Z'
      const lease = '2026-11-25T10:11:00.000Z'
      assert.equal(await p.claim([a!, b!, c!, 999999], now, lease), [a, b], 'not one still within its bound, nor one never there')
      assert.equal(await p.claim([a!, b!], now, lease), [], 'a second claim while the lease holds gets nothing')
      assert.equal(await p.claim([a!], '2026-11-25T10:10:59.999Z', '2026-11-25T10:12:00.000Z'), [], 'nor a moment before it lapses')
      assert.equal(await p.expired(now, 10), [], 'a claimed entry is not offered to the sweep')
      assert.equal(
        (await p.forLeads(['L1', 'L2', 'L3'])).map((e) => [e.eventId, e.claimedUntil]),
        [
          ['a', lease],
          ['b', lease],
          ['c', null],
        ],
      )
      assert.is(await p.count(), 3, 'claiming removes nothing: a claimer that dies leaves the entries for the next')
      // The lease lapses: the entries are offered and claimed again, by one caller.
      const later = '2026-11-25T10:11:00.000Z'
      assert.equal(
        (await p.expired(later, 10)).map((e) => e.id),
        [a, b],
      )
      assert.equal(await p.claim([b!], later, '2026-11-25T10:12:00.000Z'), [b])
      assert.equal(
        (await p.expired(later, 10)).map((e) => e.id),
        [a],
        'b claimed again, a still lapsed',
      )
      assert.equal(await p.claim([b!], later, '2026-11-25T10:12:00.000Z'), [])
      assert.equal(await p.remove([a!, b!]), [a, b])
      assert.equal(await p.claim([a!, b!], later, '2026-11-25T10:12:00.000Z'), [], 'a removed entry cannot be claimed')
      assert.equal(await p.claim([], later, lease), [])
    } finally {
      await p.close()
    }
  })

  test('claim :: of two handles claiming the same expired entries at once, each entry is answered to exactly one', async () => {
    const p = await open()
    const q = reopen === undefined ? p : await reopen(p)
    try {
      const ids = (await p.park(Array.from({ length: 20 }, (_, i) => parked(`C${i}`, `c${i}`, '2026-11-20T09:00:00.000Z', '2026-11-25T10:00:00.000Z')))).map(
        (r) => r.id,
      )
      const now = '2026-11-25T10:30:00.000Z'
      const lease = '2026-11-25T10:31:00.000Z'
      const [one, two] = await Promise.all([p.claim(ids, now, lease), q.claim([...ids].reverse(), now, lease)])
      assert.equal(
        [...one!, ...two!].sort((x, y) => x - y),
        ids,
        'every id claimed once, none twice',
      )
    } finally {
      if (q !== p) await q.close()
      await p.close()
    }
  })

  test('remove :: of two handles removing the same entries at once, each entry is answered to exactly one', async () => {
    const p = await open()
    const q = reopen === undefined ? p : await reopen(p)
    try {
      const ids = (await p.park(Array.from({ length: 20 }, (_, i) => parked(`R${i}`, `r${i}`, '2026-11-20T09:00:00.000Z')))).map((r) => r.id)
      const [one, two] = await Promise.all([p.remove(ids), q.remove([...ids].reverse())])
      assert.equal(
        [...one!, ...two!].sort((x, y) => x - y),
        ids,
        'every id claimed once, none twice',
      )
      assert.is(await p.count(), 0)
    } finally {
      if (q !== p) await q.close()
      await p.close()
    }
  })

  test('purgeLeads :: an erasure removes every event parked for its leads, and only those', async () => {
    const p = await open()
    try {
      const [a, b] = (
        await p.park([
          parked('L1', 'a', '2026-11-20T09:00:00.000Z'),
          parked('L2', 'b', '2026-11-20T09:00:00.000Z'),
          parked('L1', 'c', '2026-11-20T08:00:00.000Z'),
          parked('L3', 'd', '2026-11-20T09:00:00.000Z'),
        ])
      ).map((r) => r.id)
      const c = (await p.forLeads(['L1'])).find((e) => e.eventId === 'c')?.id
      assert.equal(
        await p.purgeLeads(['L1', 'L2', 'L-none']),
        [a, b, c].sort((x, y) => (x ?? 0) - (y ?? 0)),
      )
      assert.equal(await p.forLeads(['L1', 'L2']), [])
      assert.equal(
        (await p.forLeads(['L3'])).map((e) => e.eventId),
        ['d'],
      )
      assert.equal(await p.purgeLeads(['L1']), [], 'idempotent')
      assert.equal(await p.purgeLeads([]), [])
    } finally {
      await p.close()
    }
  })

  test('list :: keyset pages in arrival order', async () => {
    const p = await open()
    try {
      const ids = (await p.park(Array.from({ length: 5 }, (_, i) => parked(`L${i}`, `e${i}`, '2026-11-20T09:00:00.000Z')))).map((r) => r.id)
      const first = await p.list({ limit: 3 })
      assert.equal(
        first.map((e) => e.id),
        ids.slice(0, 3),
      )
      assert.equal(
        (await p.list({ after: first[2]!.id, limit: 3 })).map((e) => e.id),
        ids.slice(3),
      )
    } finally {
      await p.close()
    }
  })

  if (reopen !== undefined)
    test('durable :: what one handle parks, another (after a restart) finds and removes', async () => {
      const a = await open()
      const b = await reopen(a)
      try {
        const [id] = (await a.park([parked('L9', 'e9', '2026-11-20T09:00:00.000Z')])).map((r) => r.id)
        assert.equal(
          (await b.forLeads(['L9'])).map((e) => e.id),
          [id],
        )
        assert.equal(await b.remove([id!]), [id])
        assert.is(await a.count(), 0)
      } finally {
        await b.close()
        await a.close()
      }
    })

  test.run()
}
