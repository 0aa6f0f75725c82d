// The erasure's steps over real SQLite stores: a crash after the events leaves the erasure pending; resuming it
// finishes the steps without writing an event twice.
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters, sqliteParkedEvents } from '@leadstream/dead-letters'
import { campaignOf, event, offer, streamOfLead, type RecordedEvent } from '@leadstream/domain'
import { sqliteEventStore } from '@leadstream/event-store'
import { masterKey, newKey, sqliteErasureAudit, sqliteKeyStore, subjectOfEmail } from '@leadstream/privacy'
import { createLogger, createMetrics } from '@leadstream/runtime'
import { eraseSubject, resumePending, type ErasurePorts } from './erasure.js'
import { exportSubject } from './subjectAccess.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-erasure-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))

const capture = (leadId: string) =>
  event('LeadCaptured', {
    leadId,
    storefront: 'AppSource',
    campaign: campaignOf('AppSource'),
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer(`contoso.${leadId}`, null),
    country: 'GB',
    personal: null,
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-11-25T10:00:00.000Z',
  })

const test = suite('erasure steps')

/** The ports of an erasure over these stores; scrub does nothing. */
const portsOver = (
  parts: Pick<ErasurePorts, 'store' | 'keys' | 'deadLetters' | 'parked' | 'audit'>,
  scrub: ErasurePorts['scrub'] = async () => undefined,
): ErasurePorts => {
  let n = 0
  return {
    ...parts,
    answers: { forgetLeads: async () => 0 },
    secret: async () => ({ bytes: Buffer.alloc(32) }),
    scrub,
    now: () => new Date('2026-12-01T07:00:00Z'),
    newId: () => `erasure-${++n}`,
    metrics: createMetrics(),
    logger: createLogger('test', 'silent'),
  }
}

test('resume :: an erasure cut short after its events is finished at the next start, no event written twice', async () => {
  const store = sqliteEventStore({ path: join(dir, 'events.db') })
  const keys = await sqliteKeyStore({ path: join(dir, 'keys.db'), master: { current: masterKey(newKey()), previous: [] } })
  const deadLetters = sqliteDeadLetters({ path: join(dir, 'dl.db'), subjectsOf: (p) => (p.includes('ann') ? ['sub-ann'] : []) })
  const parked = sqliteParkedEvents({ path: join(dir, 'parked.db') })
  const audit = sqliteErasureAudit({ path: join(dir, 'audit.db') })
  try {
    await keys.linkLeads([
      { subject: 'sub-ann', leadId: 'L1' },
      { subject: 'sub-ann', leadId: 'L2' },
    ])
    await keys.keysFor(['sub-ann'])
    for (const id of ['L1', 'L2']) {
      const r = await store.append({
        streamId: streamOfLead(id),
        expectedRevision: 'no-stream',
        events: [{ eventId: `c-${id}`, event: capture(id), metadata: {} }],
      })()
      assert.ok(E.isRight(r))
    }
    // A lifecycle event of L1 waiting for a state that allows it (its note in clear), and one of another lead.
    const waiting = {
      eventId: 'u1',
      source: 'test',
      format: 'native',
      payload: '{"note":"called Ann"}',
      occurredAt: '2026-11-25T11:00:00.000Z',
      parkedAt: '2026-11-25T11:00:00.000Z',
      until: '2026-11-26T11:00:00.000Z',
    }
    await parked.park([
      { ...waiting, leadId: 'L1' },
      { ...waiting, leadId: 'L9' },
    ])
    await deadLetters.record([{ source: 'test', format: 'unknown', problems: [], payload: '{"ann":1}', receivedAt: '2026-11-25T10:00:00.000Z' }])
    const crash = eraseSubject(
      portsOver({ store, keys, deadLetters, parked, audit }, async () => Promise.reject(new Error('kill -9'))),
      { subject: 'sub-ann', emailDigest: 'd' },
      { by: 'dpo', note: null, reason: 'request' },
    )
    await crash.then(
      () => assert.unreachable('the erasure should have crashed'),
      (e: Error) => assert.is(e.message, 'kill -9'),
    )
    assert.equal(
      (await audit.pending()).map((e) => [e.erasureId, e.leadIds]),
      [['erasure-1', ['L1', 'L2']]],
    )
    assert.is((await keys.keysFor(['sub-ann'])).size, 1, 'a new key (a capture after the shred) is shredded by the resumed erasure')

    const resumed = await resumePending({ ...portsOver({ store, keys, deadLetters, parked, audit }), newId: () => 'unused' })
    assert.equal(
      resumed.map((r) => [r.erasureId, r.outcome, r.counts]),
      [['erasure-1', 'erased', { leads: 2, events: 2, keys: 1, deadLetters: 0, answers: 0 }]],
    )
    assert.equal(await audit.pending(), [])
    for (const id of ['L1', 'L2']) {
      const read = await store.readStream(streamOfLead(id))()
      assert.ok(E.isRight(read))
      if (E.isRight(read))
        assert.equal(
          read.right.events.map((e) => e.event.type),
          ['LeadCaptured', 'PersonalDataErased'],
          id,
        )
    }
    assert.equal(await deadLetters.ofSubject('sub-ann'), [], 'purged before the crash')
    assert.equal(
      (await parked.list({ limit: 10 })).map((p) => p.leadId),
      ['L9'],
      'the subject’s parked event purged, another lead’s kept',
    )
  } finally {
    await Promise.all([store.close(), keys.close(), deadLetters.close(), parked.close(), audit.close()])
  }
})

test("purge :: the person's lifecycle dead letters and parked events go by lead id (they name a lead, not an email); others stay", async () => {
  const at = join(dir, 'purge')
  const store = sqliteEventStore({ path: `${at}-events.db` })
  const keys = await sqliteKeyStore({ path: `${at}-keys.db`, master: { current: masterKey(newKey()), previous: [] } })
  const deadLetters = sqliteDeadLetters({ path: `${at}-dl.db` })
  const parked = sqliteParkedEvents({ path: `${at}-parked.db` })
  const audit = sqliteErasureAudit({ path: `${at}-audit.db` })
  try {
    const ann = subjectOfEmail({ bytes: Buffer.alloc(32) }, 'ann@example.com')!
    await keys.linkLeads([{ subject: ann, leadId: 'L-ann' }])
    await keys.keysFor([ann])
    const r = await store.append({
      streamId: streamOfLead('L-ann'),
      expectedRevision: 'no-stream',
      events: [{ eventId: 'c-ann', event: capture('L-ann'), metadata: {} }],
    })()
    assert.ok(E.isRight(r))
    const lifecycle = (leadId: string, eventId: string) =>
      `{"type":"LeadQualified","version":1,"eventId":"${eventId}","leadId":"${leadId}","data":{"note":"called back"}}`
    const [annLetter, boLetter] = await deadLetters.record(
      ['L-ann', 'L-bo'].map((l) => ({
        source: 'http:/v1/leads',
        format: 'native',
        problems: [],
        payload: lifecycle(l, 'e1'),
        receivedAt: '2026-11-25T10:00:00.000Z',
      })),
    )
    const park = (leadId: string, eventId: string) => ({
      leadId,
      eventId,
      source: 'http:/v1/leads',
      format: 'native',
      payload: lifecycle(leadId, eventId),
      occurredAt: '2026-11-25T10:00:00.000Z',
      parkedAt: '2026-11-25T10:00:00.000Z',
      until: '2026-11-26T10:00:00.000Z',
    })
    await parked.park([park('L-ann', 'e2'), park('L-ann', 'e3'), park('L-bo', 'e2')])

    const access = {
      store,
      keys,
      deadLetters,
      parked,
      audit,
      secret: async () => ({ bytes: Buffer.alloc(32) }),
      unseal: async (e: ReadonlyArray<RecordedEvent>) => e,
      now: () => new Date(),
    }
    const before = await exportSubject(access, 'ann@example.com')
    assert.equal(
      before?.deadLetters.map((d) => d.id),
      [annLetter],
      'subject access shows the dead letter naming her lead (what the erasure deletes)',
    )
    assert.equal(
      before?.parked.map((p) => p.eventId),
      ['e2', 'e3'],
    )

    const done = await eraseSubject(
      portsOver({ store, keys, deadLetters, parked, audit }),
      { subject: ann, emailDigest: 'd' },
      { by: 'dpo', note: null, reason: 'request' },
    )
    assert.is(done.counts.deadLetters, 3, "one dead letter and two parked events of Ann's lead")
    assert.is(await deadLetters.get(annLetter!), null)
    assert.equal(await parked.forLeads(['L-ann']), [])
    assert.ok((await deadLetters.get(boLetter!)) !== null, "another person's dead letter stays")
    assert.equal(
      (await parked.forLeads(['L-bo'])).map((e) => e.eventId),
      ['e2'],
    )
  } finally {
    await Promise.all([store.close(), keys.close(), deadLetters.close(), parked.close(), audit.close()])
  }
})

test.run()
