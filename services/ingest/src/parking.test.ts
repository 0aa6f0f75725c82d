// Parking against real SQLite stores: a lead's parked events are applied in occurredAt order over every source
// that parked them, and an expired parked event is dead-lettered once even when two expire it at the same time;
// one claimed by an expirer that died is dead-lettered once its lease lapses, and a claimed one is never applied.
import { testPersonalData } from '../../../test/support/privacy.js'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters, sqliteParkedEvents } from '@leadstream/dead-letters'
import { decodeNativeLead, defaultSources, streamOfLead } from '@leadstream/domain'
import { sqliteEventStore } from '@leadstream/event-store'
import type { PersonalData } from '@leadstream/privacy'
import { createLogger, createMetrics } from '@leadstream/runtime'
import { ingestLeads, type InboundItem } from './leads.js'
import { applyParked, expireParked, PARK_CLAIM_LEASE_MS } from './parking.js'
import type { IngestPorts } from './ports.js'

interface Ctx {
  dir: string
  personal: PersonalData
  ports: IngestPorts
  clock: { now: number }
}

const native = (index: number, event: Record<string, unknown>): InboundItem => ({ index, payload: JSON.stringify(event), decoded: decodeNativeLead(event) })
const lifecycle = (type: string, leadId: string, occurredAt: string, data?: Record<string, unknown>) => ({
  type,
  version: 1,
  eventId: `crm-${leadId}-${type}`,
  leadId,
  occurredAt,
  ...(data === undefined ? {} : { data }),
})
const capture = (leadId: string, occurredAt: string) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `cap-${leadId}`,
  leadId,
  occurredAt,
  data: { storefront: 'AppSource', action: 'PLT', offer: { id: 'contoso.crm' } },
})

const test = suite<Ctx>('parking')

test.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'leadstream-ingest-parking-'))
  ctx.personal = await testPersonalData(ctx.dir)
  ctx.clock = { now: Date.parse('2026-12-01T10:00:00.000Z') }
  ctx.ports = {
    store: sqliteEventStore({ path: join(ctx.dir, 'events.db'), pollMs: 20 }),
    seal: ctx.personal.seal,
    identity: ctx.personal.identity,
    deadLetters: sqliteDeadLetters({ path: join(ctx.dir, 'dead-letters.db') }),
    parked: sqliteParkedEvents({ path: join(ctx.dir, 'parked.db') }),
    parkForMs: 60_000,
    sources: defaultSources,
    now: () => new Date(ctx.clock.now),
    newId: () => 'unused',
    metrics: createMetrics(),
    logger: createLogger('test', 'silent'),
  }
})
test.after.each(async ({ dir, personal, ports }) => {
  await ports.parked.close()
  await ports.deadLetters.close()
  await personal.close()
  rmSync(dir, { recursive: true, force: true })
})

test('order :: parked events from two sources are applied by occurredAt, not source by source', async ({ ports }) => {
  const ingest = ingestLeads(ports)
  // Source A parks contacted (day 2) and disqualified (day 4); source B parks qualified (day 3). Source by
  // source, A's disqualification would come before B's qualification, which then could never apply.
  const a = await ingest(
    [
      native(0, lifecycle('LeadContacted', 'P1', '2026-06-02T00:00:00Z')),
      native(1, lifecycle('LeadDisqualified', 'P1', '2026-06-04T00:00:00Z', { reason: 'lost' })),
    ],
    'http:/v1/leads',
    'native',
  )
  const b = await ingest([native(0, lifecycle('LeadQualified', 'P1', '2026-06-03T00:00:00Z'))], 'kafka:leads.inbound', 'native')
  assert.equal([a.parked, b.parked], [2, 1])
  const captured = await ingest([native(0, capture('P1', '2026-06-01T00:00:00Z'))], 'import', 'native')
  assert.is(captured.accepted, 1)
  const read = await ports.store.readStream(streamOfLead('P1'))()
  assert.ok(E.isRight(read))
  assert.equal(
    read.right.events.map((e) => e.event.type),
    ['LeadCaptured', 'LeadContacted', 'LeadQualified', 'LeadDisqualified'],
    'each parked event applied, in the order it happened',
  )
  assert.is(await ports.parked.count(), 0)
  assert.is(await ports.deadLetters.count('open'), 0)
})

test('expiry :: two sweeps and an applyParked expiring the same events at once dead-letter each once', async (ctx) => {
  const { ports } = ctx
  const parked = await ingestLeads(ports)(
    [native(0, lifecycle('LeadContacted', 'GHOST1', '2026-06-02T00:00:00Z')), native(1, lifecycle('LeadContacted', 'GHOST2', '2026-06-02T00:00:00Z'))],
    'http:/v1/leads',
    'native',
  )
  assert.is(parked.parked, 2)
  ctx.clock.now += 61_000
  const [one, two] = await Promise.all([expireParked(ports), expireParked(ports), applyParked(ports, ['GHOST1', 'GHOST2'])])
  assert.is(await ports.deadLetters.count('open'), 2, 'one dead letter per expired event, however many expired it')
  assert.ok((one ?? 0) + (two ?? 0) <= 2, `the sweeps answer only what they dead-lettered (${one}, ${two})`)
  assert.is(await ports.parked.count(), 0)
})

test('crash :: events claimed by an expirer that died before recording are dead-lettered once its lease lapses', async (ctx) => {
  const { ports } = ctx
  const parked = await ingestLeads(ports)(
    [native(0, lifecycle('LeadContacted', 'GHOST3', '2026-06-02T00:00:00Z')), native(1, lifecycle('LeadContacted', 'GHOST4', '2026-06-02T00:00:00Z'))],
    'http:/v1/leads',
    'native',
  )
  assert.is(parked.parked, 2)
  ctx.clock.now += 61_000
  // What expire does first, then the process is killed: claimed, no dead letter recorded, nothing removed.
  const now = ports.now()
  const ids = (await ports.parked.expired(now.toISOString(), 10)).map((e) => e.id)
  assert.is((await ports.parked.claim(ids, now.toISOString(), new Date(now.getTime() + PARK_CLAIM_LEASE_MS).toISOString())).length, 2)
  assert.is(await expireParked(ports), 0, "while the dead claimer's lease holds, nobody takes them")
  await applyParked(ports, ['GHOST3', 'GHOST4'])
  assert.is(await ports.deadLetters.count('open'), 0)
  assert.is(await ports.parked.count(), 2, 'not lost: still parked, claimed')
  ctx.clock.now += PARK_CLAIM_LEASE_MS
  const [one, two] = await Promise.all([expireParked(ports), expireParked(ports)])
  assert.is((one ?? 0) + (two ?? 0), 2, 'the lapsed claims are taken again, by one sweep each')
  assert.is(await ports.deadLetters.count('open'), 2, 'exactly one dead letter per event')
  assert.is(await ports.parked.count(), 0)
  assert.is(await expireParked(ports), 0)
  assert.is(await ports.deadLetters.count('open'), 2)
})

test('claimed :: a claimed event is never applied, even by a replica whose clock says its bound has not passed', async (ctx) => {
  const { ports } = ctx
  const ingest = ingestLeads(ports)
  assert.is((await ingest([native(0, lifecycle('LeadContacted', 'P2', '2026-06-02T00:00:00Z'))], 'http:/v1/leads', 'native')).parked, 1)
  // Another replica, its clock two minutes ahead, claims it for dead letters.
  const ahead = ctx.clock.now + 120_000
  const ids = (await ports.parked.forLeads(['P2'])).map((e) => e.id)
  assert.is((await ports.parked.claim(ids, new Date(ahead).toISOString(), new Date(ahead + PARK_CLAIM_LEASE_MS).toISOString())).length, 1)
  assert.is((await ingest([native(0, capture('P2', '2026-06-01T00:00:00Z'))], 'import', 'native')).accepted, 1)
  const read = await ports.store.readStream(streamOfLead('P2'))()
  assert.ok(E.isRight(read))
  assert.equal(
    read.right.events.map((e) => e.event.type),
    ['LeadCaptured'],
    'the claimed event was not applied',
  )
  assert.is(await ports.parked.count(), 1, 'it stays with its claimer')
})

test.run()
