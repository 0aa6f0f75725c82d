// Lifecycle events from upstream (a CRM) in the native format, end to end on the embedded server: each decided
// like a command at its own occurredAt (the funnel's times come from it, checked against hand-computed figures),
// an impossible one refused with 409 and dead-lettered, a re-delivery a duplicate, one that arrives before its
// lead parked and applied when the capture comes, or dead-lettered when its bound passes; commands with occurredAt.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  BatchAnswer,
  CommandAnswer,
  DeadLetterPage,
  FunnelAnswer,
  LeadAccepted,
  LeadDuplicate,
  LeadParked,
  ParkedPage,
  Problem,
  Rejected,
  StreamAnswer,
} from '@leadstream/api'
import { decodeAs, getJson, http, startTestServer, typed, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'

const hourMs = 3_600_000
const dayMs = 24 * hourMs

const settableClock = (start = '2026-11-25T10:00:00Z') => {
  let now = Date.parse(start)
  return { now: () => new Date(now), set: (iso: string) => void (now = Date.parse(iso)), advance: (ms: number) => void (now += ms) }
}

const capture = (leadId: string, occurredAt: string, storefront = 'AppSource') => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `cap-${leadId}`,
  leadId,
  occurredAt,
  data: { storefront, action: 'PLT', offer: { id: 'contoso.crm' }, customer: { email: `${leadId}@example.com` } },
})
const lifecycle = (type: string, leadId: string, occurredAt: string, data?: Record<string, unknown>) => ({
  type,
  version: 1,
  eventId: `crm-${leadId}-${type}`,
  leadId,
  occurredAt,
  ...(data === undefined ? {} : { data }),
})

const test = suite<{ server: TestServer; clock: ReturnType<typeof settableClock> }>('crm inbound :: native lifecycle events')

test.before(async (ctx) => {
  ctx.clock = settableClock()
  ctx.server = await startTestServer({ LEADSTREAM_PARK_FOR_SECONDS: '60', LEADSTREAM_PARK_SWEEP_MS: '20' }, undefined, ctx.clock.now)
})
test.after(async (ctx) => {
  await ctx.server.dispose()
})

const post = (server: TestServer, body: unknown) => http('POST', `${server.url}/v1/leads`, body)
const streamOf = async (server: TestServer, leadId: string) => (await getJson(StreamAnswer, `${server.url}/v1/admin/streams/${leadId}`)).body.events

test('funnel :: past lifecycle events move the funnel and time-to-stage exactly as hand-computed', async ({ server }) => {
  // F1 captured 03-01 00:00Z: contacted +2h, qualified +1d, converted +3d.
  // F2 captured 03-02 00:00Z: contacted +4h, disqualified (lost) +2d.
  const batch = [
    capture('F1', '2026-03-01T00:00:00Z'),
    capture('F2', '2026-03-02T00:00:00Z', 'AzureMarketplace'),
    lifecycle('LeadContacted', 'F1', '2026-03-01T02:00:00Z', { channel: 'phone', by: 'crm:dynamics' }),
    lifecycle('LeadQualified', 'F1', '2026-03-02T00:00:00Z'),
    lifecycle('LeadConverted', 'F1', '2026-03-04T00:00:00Z'),
    lifecycle('LeadContacted', 'F2', '2026-03-02T05:00:00+01:00'),
    lifecycle('LeadDisqualified', 'F2', '2026-03-04T00:00:00Z', { reason: 'lost', note: 'went with a competitor' }),
  ]
  const r = typed(BatchAnswer, await post(server, batch))
  assert.is(r.status, 200, JSON.stringify(r.body))
  assert.is(r.body.accepted, 7)
  const f = (await getJson(FunnelAnswer, `${server.url}/v1/analytics/funnel?minPosition=${r.body.position}`)).body
  const stages = Object.fromEntries(f.stages.map((s) => [s.stage, s]))
  assert.is(f.total, 2)
  // Nearest-rank median of [2h, 4h] is 2h, p90 is 4h.
  assert.equal(stages['contacted'], { stage: 'contacted', branch: false, reached: 2, rateFromPrevious: 1, medianMs: 2 * hourMs, p90Ms: 4 * hourMs })
  assert.equal(stages['qualified'], { stage: 'qualified', branch: false, reached: 1, rateFromPrevious: 0.5, medianMs: dayMs, p90Ms: dayMs })
  assert.equal(stages['converted'], { stage: 'converted', branch: false, reached: 1, rateFromPrevious: 1, medianMs: 3 * dayMs, p90Ms: 3 * dayMs })
  assert.equal(stages['disqualified'], { stage: 'disqualified', branch: true, reached: 1, rateFromPrevious: 0.5, medianMs: 2 * dayMs, p90Ms: 2 * dayMs })
  assert.equal(f.disqualificationReasons, { lost: 1 })
  const events = await streamOf(server, 'F1')
  assert.equal(
    events.map((e) => (e.data as { at?: string }).at ?? null),
    [null, '2026-03-01T02:00:00.000Z', '2026-03-02T00:00:00.000Z', '2026-03-04T00:00:00.000Z'],
  )
  assert.equal(events[1]?.data, { leadId: 'F1', by: 'crm:dynamics', at: '2026-03-01T02:00:00.000Z', personal: null, channel: 'phone' })
  // A CRM's note is stored sealed with the lead's key; operators read it opened.
  const f2 = await streamOf(server, 'F2')
  assert.equal(
    [f2[2]?.type, f2[2]?.version, (f2[2]?.data as { personal?: unknown } | undefined)?.personal],
    ['LeadDisqualified', 2, { open: { note: 'went with a competitor' } }],
  )
})

test('decide :: an impossible transition is a 409 with the reason, kept as a dead letter; a re-delivery is a duplicate', async ({ server }) => {
  const capturedAt = typed(LeadAccepted, await post(server, capture('X1', '2026-05-01T00:00:00Z')))
  assert.is(capturedAt.status, 201)
  const refused = typed(Rejected, await post(server, lifecycle('LeadConverted', 'X1', '2026-05-02T00:00:00Z')))
  assert.is(refused.status, 409)
  assert.is(refused.body.error.code, 'TransitionNotAllowed')
  assert.match(refused.body.error.message, /LeadConverted|ConvertLead/)
  assert.match(refused.body.error.message, /allowed only from qualified/)
  const dead = (await getJson(DeadLetterPage, `${server.url}/v1/admin/dead-letters?status=open`)).body.items.find((d) => d.id === refused.body.deadLetterId)
  assert.ok(dead !== undefined, 'the refused event is a dead letter')
  assert.is(dead?.format, 'native')
  assert.match(dead?.payload ?? '', /crm-X1-LeadConverted/)

  const contacted = lifecycle('LeadContacted', 'X1', '2026-05-01T01:00:00Z')
  assert.is((await post(server, contacted)).status, 201)
  const again = typed(LeadDuplicate, await post(server, contacted))
  assert.is(again.status, 200, 'the same eventId again writes nothing (not a 409: it was applied)')
  assert.equal(
    (await streamOf(server, 'X1')).map((e) => e.type),
    ['LeadCaptured', 'LeadContacted'],
  )

  const early = typed(Problem, await post(server, { ...lifecycle('LeadQualified', 'X1', '2026-04-30T23:59:59Z'), eventId: 'too-early' }))
  assert.is(early.status, 400)
  assert.equal(
    early.body.error.problems.map((p) => p.path),
    ['occurredAt'],
    'before the capture, naming the field',
  )
})

test('out of order :: an event before its lead is parked (visible to operators), then applied in order when the capture comes', async ({ server }) => {
  const qualified = typed(LeadParked, await post(server, lifecycle('LeadQualified', 'O1', '2026-06-03T00:00:00Z')))
  assert.is(qualified.status, 202, JSON.stringify(qualified.body))
  assert.is(qualified.body.until, '2026-11-25T10:01:00.000Z', 'held for LEADSTREAM_PARK_FOR_SECONDS')
  assert.is(typed(LeadParked, await post(server, lifecycle('LeadContacted', 'O1', '2026-06-02T00:00:00Z'))).status, 202)
  assert.is(typed(LeadParked, await post(server, lifecycle('LeadContacted', 'O1', '2026-06-02T00:00:00Z'))).status, 202, 'a re-delivery while parked')
  const page = (await getJson(ParkedPage, `${server.url}/v1/admin/parked`)).body
  assert.is(page.parked, 2, 'kept once per event id')
  assert.equal(
    page.items.map((p) => [p.leadId, p.eventId]),
    [
      ['O1', 'crm-O1-LeadQualified'],
      ['O1', 'crm-O1-LeadContacted'],
    ],
  )

  assert.is((await post(server, capture('O1', '2026-06-01T00:00:00Z'))).status, 201)
  // Applied by occurredAt (contacted, then qualified), not by arrival.
  assert.equal(
    (await streamOf(server, 'O1')).map((e) => e.type),
    ['LeadCaptured', 'LeadContacted', 'LeadQualified'],
  )
  assert.is((await getJson(ParkedPage, `${server.url}/v1/admin/parked`)).body.parked, 0)
})

test('out of order :: parked events survive a restart and are applied when the capture comes after it', async () => {
  const first = await startTestServer({ LEADSTREAM_PARK_FOR_SECONDS: '3600' })
  assert.is((await post(first, lifecycle('LeadContacted', 'R1', '2026-06-02T00:00:00Z'))).status, 202)
  await first.close()
  const second = await startTestServer({ LEADSTREAM_PARK_FOR_SECONDS: '3600' }, first.dataDir)
  try {
    assert.is((await getJson(ParkedPage, `${second.url}/v1/admin/parked`)).body.parked, 1)
    assert.is((await post(second, capture('R1', '2026-06-01T00:00:00Z'))).status, 201)
    assert.equal(
      (await streamOf(second, 'R1')).map((e) => e.type),
      ['LeadCaptured', 'LeadContacted'],
    )
  } finally {
    await second.dispose()
  }
})

test('out of order :: with the PostgreSQL store (distributed mode), parked events live in <schema>_parked', async () => {
  const url = await requirePostgres('crm inbound: parked events in PostgreSQL')
  if (url === null) return
  const schema = `crmin_e2e_${process.pid}`
  const server = await startTestServer({ LEADSTREAM_DEAD_LETTER_STORE: 'postgres', LEADSTREAM_POSTGRES_URL: url, LEADSTREAM_POSTGRES_SCHEMA: schema })
  try {
    assert.is((await post(server, lifecycle('LeadContacted', 'P1', '2026-06-02T00:00:00Z'))).status, 202)
    assert.equal(
      (await getJson(ParkedPage, `${server.url}/v1/admin/parked`)).body.items.map((p) => p.eventId),
      ['crm-P1-LeadContacted'],
    )
    assert.is((await post(server, capture('P1', '2026-06-01T00:00:00Z'))).status, 201)
    assert.equal(
      (await streamOf(server, 'P1')).map((e) => e.type),
      ['LeadCaptured', 'LeadContacted'],
    )
    assert.is((await getJson(ParkedPage, `${server.url}/v1/admin/parked`)).body.parked, 0)
  } finally {
    await server.dispose()
    await dropSchemas(url, [`${schema}_parked`, `${schema}_dead_letters`])
  }
})

test('out of order :: a parked event whose lead never comes is dead-lettered with the reason when its bound passes', async ({ server, clock }) => {
  const parked = typed(LeadParked, await post(server, lifecycle('LeadContacted', 'GHOST', '2026-06-02T00:00:00Z')))
  assert.is(parked.status, 202)
  const before = (await getJson(DeadLetterPage, `${server.url}/v1/admin/dead-letters?status=open`)).body.open
  clock.advance(61_000)
  const dead = await eventually('the expired event in dead letters', async () => {
    const page = (await getJson(DeadLetterPage, `${server.url}/v1/admin/dead-letters?status=open&limit=1000`)).body
    return page.open > before ? page.items.find((d) => d.payload.includes('GHOST')) : undefined
  })
  assert.match(dead.problems[0]?.reason ?? '', /lead GHOST was not captured within 60 s/)
  // Recorded, then removed from parking (no shared transaction: services/ingest/src/parking.ts `expire`), so
  // for a moment it is in both; it must leave parking.
  await eventually('the expired event out of parking', async () =>
    (await getJson(ParkedPage, `${server.url}/v1/admin/parked`)).body.parked === 0 ? true : undefined,
  )
  // Once the lead exists, replaying the dead letter applies the event.
  assert.is((await post(server, capture('GHOST', '2026-06-01T00:00:00Z'))).status, 201)
  assert.is((await http('POST', `${server.url}/v1/admin/dead-letters/${dead.id}/replay`)).status, 200)
  assert.equal(
    (await streamOf(server, 'GHOST')).map((e) => e.type),
    ['LeadCaptured', 'LeadContacted'],
  )
})

test('commands :: occurredAt is the transition time; in the future or before the capture is a 400 naming occurredAt', async ({ server, clock }) => {
  clock.set('2026-11-25T12:00:00Z')
  assert.is((await post(server, capture('C1', '2026-07-01T00:00:00Z'))).status, 201)
  const command = (body: unknown) => http('POST', `${server.url}/v1/leads/C1/commands`, body)
  const future = typed(Problem, await command({ type: 'ContactLead', by: 'sam', occurredAt: '2026-11-25T12:05:00Z' }))
  assert.is(future.status, 400)
  assert.equal(
    future.body.error.problems.map((p) => p.path),
    ['occurredAt'],
  )
  const early = typed(Problem, await command({ type: 'ContactLead', by: 'sam', occurredAt: '2026-06-30T23:00:00Z' }))
  assert.is(early.status, 400)
  assert.equal(
    early.body.error.problems.map((p) => p.path),
    ['occurredAt'],
  )
  assert.is((await command({ type: 'ContactLead', by: 'sam', occurredAt: '2026-11-25T12:00:30Z' })).status, 201, 'within the allowed skew')
  const ok = typed(CommandAnswer, await command({ type: 'QualifyLead', by: 'sam', occurredAt: '2026-11-25T12:00:40Z', commandId: 'q-1' }))
  assert.is(ok.status, 201)
  const again = decodeAs(CommandAnswer, (await command({ type: 'QualifyLead', by: 'sam', occurredAt: '2026-11-25T12:00:40Z', commandId: 'q-1' })).body)
  assert.is(again.replayed, true)
  assert.equal(
    (await streamOf(server, 'C1')).map((e) => (e.data as { at?: string }).at ?? null),
    [null, '2026-11-25T12:00:30.000Z', '2026-11-25T12:00:40.000Z'],
  )
})

test.run()
