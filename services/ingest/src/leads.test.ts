// ingestLeads against a real SQLite event store: a decision of two events writes two events, each with its own
// id, and every lead of the batch is answered with the position of its own last event; a re-delivery writes none.
import { testPersonalData } from '../../../test/support/privacy.js'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters, sqliteParkedEvents } from '@leadstream/dead-letters'
import { decide, decodeMarketplaceLead, defaultSources, evolve, streamOfLead, type LeadEvent, type LeadState } from '@leadstream/domain'
import { sqliteEventStore } from '@leadstream/event-store'
import type { PersonalData } from '@leadstream/privacy'
import { createLogger, createMetrics } from '@leadstream/runtime'
import { eventIdsOf, ingestLeads, type InboundItem, type LeadRules } from './leads.js'
import type { IngestPorts } from './ports.js'

/** The domain's rules, except that a new lead is also contacted at once: its capture decides two events. */
const captureAndContact: LeadRules = {
  evolve,
  decide: (command, state) => {
    const first = decide(command, state)
    if (E.isLeft(first) || state.status !== 'unknown' || command.type !== 'CaptureLead') return first
    const captured = first.right.reduce<LeadState>(evolve, state)
    const contact = decide({ type: 'ContactLead', leadId: command.leadId, by: 'rules', at: command.occurredAt, note: null, channel: null }, captured)
    return E.isLeft(contact) ? contact : E.right<never, ReadonlyArray<LeadEvent>>([...first.right, ...contact.right])
  },
}

interface Ctx {
  dir: string
  personal: PersonalData
  ports: IngestPorts
}

const itemOf =
  ({ personal }: Ctx) =>
  (index: number, email: string, action = 'INS'): InboundItem => {
    const payload = JSON.stringify({
      UserDetails: { FirstName: 'A', LastName: 'B', Email: email, Country: 'US', Company: 'Co' },
      LeadSource: 'SPZA',
      ActionCode: action,
      OfferTitle: 'Contoso CRM',
    })
    return {
      index,
      payload,
      decoded: decodeMarketplaceLead(defaultSources, { receivedAt: '2026-12-01T10:00:00.000Z', identity: personal.identity }, JSON.parse(payload)),
    }
  }

const test = suite<Ctx>('ingestLeads')

test.before.each(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'leadstream-ingest-leads-'))
  ctx.personal = await testPersonalData(ctx.dir)
  ctx.ports = {
    // As ingest's main.ts wires it: each batch's contact fields sealed before they reach the store.
    store: sqliteEventStore({ path: join(ctx.dir, 'events.db'), pollMs: 20 }),
    seal: ctx.personal.seal,
    identity: ctx.personal.identity,
    deadLetters: sqliteDeadLetters({ path: join(ctx.dir, 'dead-letters.db') }),
    parked: sqliteParkedEvents({ path: join(ctx.dir, 'parked.db') }),
    parkForMs: 60_000,
    sources: defaultSources,
    now: () => new Date('2026-12-01T10:00:00.000Z'),
    newId: () => 'unused',
    metrics: createMetrics(),
    logger: createLogger('test', 'silent'),
  }
})
test.after.each(async ({ dir, personal }) => {
  await personal.close()
  rmSync(dir, { recursive: true, force: true })
})

test('two-event decision :: each event has its own id; each lead’s position is its own last event’s', async (ctx) => {
  const { ports } = ctx
  const item = itemOf(ctx)
  const ingest = ingestLeads(ports, captureAndContact)
  const batch = [item(0, 'one@example.com'), item(1, 'two@example.com'), item(2, 'three@example.com')]
  const summary = await ingest(batch, 'test', 'marketplace-https')
  assert.is(summary.accepted, 3)
  assert.is(summary.position, 6, 'three leads, two events each')
  const all = await ports.store.readAll(0, 100)()
  if (E.isLeft(all)) return assert.unreachable(all.left._tag)
  assert.equal(
    all.right.map((r) => r.event.type),
    ['LeadCaptured', 'LeadContacted', 'LeadCaptured', 'LeadContacted', 'LeadCaptured', 'LeadContacted'],
  )
  assert.is(new Set(all.right.map((r) => r.eventId)).size, 6, 'no two events share an id')
  for (const r of summary.results) {
    if (r.status !== 'accepted') return assert.unreachable(r.status)
    const mine = all.right.filter((e) => e.streamId === streamOfLead(r.leadId))
    assert.equal(
      mine.map((e) => e.eventId),
      eventIdsOf(r.eventId, 2),
      'the first keeps the item’s id, the second derives from it',
    )
    assert.is(r.position, mine.at(-1)?.position, `lead ${r.index}: the position of its last event`)
  }
  const again = await ingest(batch, 'test', 'marketplace-https')
  assert.equal([again.accepted, again.duplicates], [0, 3], 'a re-delivery writes nothing')
})

test('one lead twice in a batch :: both decided in order; positions per event, not per lead', async (ctx) => {
  const { ports } = ctx
  const item = itemOf(ctx)
  const summary = await ingestLeads(ports, captureAndContact)(
    [item(0, 'same@example.com', 'INS'), item(1, 'same@example.com', 'PLT'), item(2, 'other@example.com')],
    'test',
    'marketplace-https',
  )
  assert.equal(
    summary.results.map((r) => (r.status === 'accepted' ? r.position : r.status)),
    [2, 3, 5],
    'capture+contact (1, 2), the second action (3), then the other lead’s two (4, 5)',
  )
})

test('eventIdsOf :: the first is the item’s id; the others are stable and distinct', () => {
  const ids = eventIdsOf('ev-1', 3)
  assert.is(ids[0], 'ev-1')
  assert.equal(eventIdsOf('ev-1', 3), ids)
  assert.is(new Set(ids).size, 3)
  assert.match(ids[1] ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-/)
})

test.run()
