// The one contract every dead-letter store passes (SQLite and PostgreSQL): nothing recorded is lost, reasons and
// payloads read back exactly, listing is in arrival order by status with keyset paging.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { DeadLetters, NewDeadLetter, SubjectsOf } from './port.js'

const letter = (i: number, changes: Partial<NewDeadLetter> = {}): NewDeadLetter => ({
  source: 'http:/v1/marketplace/leads',
  format: 'marketplace',
  problems: [{ path: `[${i}].UserDetails.Email`, reason: 'at most 254 characters' }],
  payload: `{"i":${i}}`,
  receivedAt: `2026-11-25T10:00:${String(i % 60).padStart(2, '0')}.000Z`,
  ...changes,
})

/** The contract's stand-in for subjectsInText: each `"who":"…"` in a payload names that subject. */
const whoIn: SubjectsOf = (payload) => [...payload.matchAll(/"who":"([^"]+)"/g)].map((m) => `sub-${m[1] ?? ''}`)

/**
 * `open` gives a store with nothing in it (recording subjects with the given SubjectsOf); `reopen`, when given, a second handle on the same storage (another
 * process's view of it): what one records, the other lists.
 */
export const deadLettersContract = (
  name: string,
  open: (subjectsOf?: SubjectsOf) => Promise<DeadLetters>,
  reopen?: (first: DeadLetters) => Promise<DeadLetters>,
): void => {
  const test = suite(`dead letters contract (${name})`)

  test("subjects :: a payload's subjects find it, and a purge deletes every letter naming the subject, any status", async () => {
    const dl = await open(whoIn)
    try {
      const ids = await dl.record([
        letter(0, { payload: '{"who":"ann"}' }),
        letter(1, { payload: '{"who":"bo"}' }),
        letter(2, { payload: '[{"who":"ann"},{"who":"cy"}]' }),
        letter(3, { payload: '{"nobody":true}' }),
      ])
      await dl.setStatus(ids[2]!, 'replayed')
      assert.equal(
        (await dl.ofSubject('sub-ann')).map((d) => d.id),
        [ids[0], ids[2]],
      )
      assert.equal(
        (await dl.ofSubject('sub-cy')).map((d) => d.payload),
        ['[{"who":"ann"},{"who":"cy"}]'],
      )
      assert.equal(await dl.purgeSubject('sub-ann'), [ids[0], ids[2]])
      assert.is(await dl.get(ids[0]!), null)
      assert.is(await dl.get(ids[2]!), null)
      assert.equal(await dl.ofSubject('sub-cy'), [], 'the shared letter went with the first erasure')
      assert.equal(await dl.purgeSubject('sub-ann'), [], 'purging again deletes nothing')
      assert.equal(await dl.purgeSubject('sub-nobody'), [])
      assert.equal(
        (await dl.list({ limit: 10 })).map((d) => d.id),
        [ids[1], ids[3]],
        'other letters stay',
      )
    } finally {
      await dl.close()
    }
  })

  test('subjects :: a store without SubjectsOf links nothing and purges nothing', async () => {
    const dl = await open()
    try {
      await dl.record([letter(0, { payload: '{"who":"ann"}' })])
      assert.equal(await dl.ofSubject('sub-ann'), [])
      assert.equal(await dl.purgeSubject('sub-ann'), [])
      assert.is(await dl.count('open'), 1)
    } finally {
      await dl.close()
    }
  })

  test("leads :: a payload naming a lead (lifecycle events name no email) is purged by that lead's id, any status", async () => {
    const dl = await open(whoIn)
    try {
      const ids = await dl.record([
        letter(0, { payload: '{"type":"LeadQualified","leadId":"L-ann","eventId":"e1"}' }),
        letter(1, { payload: '{"type":"LeadQualified","leadId":"L-bo"}' }),
        letter(2, { payload: '[{"lead_id":"L-cy","who":"cy"},{"LeadId":"L-ann"}' }),
        letter(3, { payload: '{"nobody":true}' }),
      ])
      await dl.setStatus(ids[0]!, 'discarded')
      assert.equal(
        (await dl.ofLeads(['L-ann', 'L-none'])).map((d) => d.id),
        [ids[0], ids[2]],
        'subject access finds them by lead too',
      )
      assert.equal(await dl.ofLeads([]), [])
      assert.equal(await dl.purgeLeads(['L-ann', 'L-none']), [ids[0], ids[2]], 'field name in any case, even in a payload that is not valid JSON')
      assert.is(await dl.get(ids[0]!), null)
      assert.equal(await dl.ofSubject('sub-cy'), [], "the letter's subject links went with it")
      assert.equal(await dl.purgeLeads(['L-ann']), [], 'purging again deletes nothing')
      assert.equal(await dl.purgeLeads([]), [])
      assert.equal(
        (await dl.list({ limit: 10 })).map((d) => d.id),
        [ids[1], ids[3]],
        'other letters stay',
      )
      assert.equal(await dl.purgeSubject('sub-cy'), [])
    } finally {
      await dl.close()
    }
  })

  test('record :: payload and reasons read back, listed in arrival order, by status', async () => {
    const dl = await open()
    try {
      const ids = await dl.record([
        letter(0, { source: 'http:/v1/leads', format: 'native', problems: [{ path: 'type', reason: 'unknown' }], payload: '{"type":"X"}' }),
        letter(1, { format: 'unknown', problems: [{ path: '(body)', reason: 'not JSON' }], payload: '{oops' }),
      ])
      assert.is(ids.length, 2)
      assert.ok(ids[0]! < ids[1]!, 'ids increase in arrival order')
      const got = await dl.get(ids[1]!)
      assert.is(got?.payload, '{oops')
      assert.is(got?.status, 'open')
      assert.is(got?.receivedAt, '2026-11-25T10:00:01.000Z')
      assert.equal(got?.problems, [{ path: '(body)', reason: 'not JSON' }])
      assert.equal(
        (await dl.list({ limit: 10 })).map((d) => d.id),
        ids,
      )
      assert.ok(await dl.setStatus(ids[0]!, 'discarded'))
      assert.equal(
        (await dl.list({ status: 'open', limit: 10 })).map((d) => d.id),
        [ids[1]],
      )
      assert.is(await dl.count('discarded'), 1)
      assert.is(await dl.count('open'), 1)
      assert.not.ok(await dl.setStatus(999999, 'replayed'))
      assert.is(await dl.get(999999), null)
      assert.equal(await dl.record([]), [])
    } finally {
      await dl.close()
    }
  })

  test('list :: keyset pages by id, filtered by status', async () => {
    const dl = await open()
    try {
      const ids = await dl.record(Array.from({ length: 7 }, (_, i) => letter(i)))
      await dl.setStatus(ids[2]!, 'replayed')
      const first = await dl.list({ status: 'open', limit: 3 })
      assert.equal(
        first.map((d) => d.id),
        [ids[0], ids[1], ids[3]],
      )
      const next = await dl.list({ status: 'open', after: first[first.length - 1]!.id, limit: 3 })
      assert.equal(
        next.map((d) => d.id),
        [ids[4], ids[5], ids[6]],
      )
      assert.equal(
        (await dl.list({ after: ids[5]!, limit: 10 })).map((d) => d.id),
        [ids[6]],
      )
    } finally {
      await dl.close()
    }
  })

  test('record :: any text survives: control characters, emoji, a large payload', async () => {
    const dl = await open()
    try {
      const payload = `{"Email":"${'a'.repeat(200_000)}","t":"\\u0000 😀 \u00e9"}`
      const [id] = await dl.record([letter(0, { payload, problems: [{ path: 'OfferTitle', reason: 'contains the control character U+0000 😀' }] })])
      const got = await dl.get(id!)
      assert.is(got?.payload, payload)
      assert.equal(got?.problems, [{ path: 'OfferTitle', reason: 'contains the control character U+0000 😀' }])
    } finally {
      await dl.close()
    }
  })

  if (reopen !== undefined)
    test('shared :: what one handle records, another lists (every service sees every dead letter)', async () => {
      const a = await open()
      const b = await reopen(a)
      try {
        const [id] = await a.record([letter(3)])
        assert.is((await b.get(id!))?.payload, '{"i":3}')
        assert.ok(await b.setStatus(id!, 'replayed'))
        assert.is((await a.get(id!))?.status, 'replayed')
      } finally {
        await b.close()
        await a.close()
      }
    })

  test.run()
}
