// Native lifecycle events: decoded into the commands they stand for, at their own occurredAt; then decided
// against the lead like commands (given events / when upstream event / then events or error).
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { decide, type CaptureLead, type LeadCommand } from './decide.js'
import type { LeadEvent } from './events.js'
import { fold } from './lead.js'
import { emptyCustomer, offer } from './model.js'
import { decodeNativeLead } from './native.js'

const ev = (type: string, data?: Record<string, unknown>, over: Record<string, unknown> = {}) => ({
  type,
  version: 1,
  eventId: `crm-${type}`,
  leadId: 'L1',
  occurredAt: '2026-11-20T12:00:00+01:00',
  ...(data === undefined ? {} : { data }),
  ...over,
})
const commandOf = (value: unknown): LeadCommand => {
  const r = decodeNativeLead(value)
  if (E.isLeft(r)) throw new Error(`expected a command, got ${JSON.stringify(r.left)}`)
  return r.right.command
}
const capture: CaptureLead = {
  type: 'CaptureLead',
  leadId: 'L1',
  storefront: 'AppSource',
  campaign: 'nurture',
  leadSource: 'SPZA',
  action: 'PLT',
  offer: offer('contoso.crm', null),
  customer: { ...emptyCustomer, email: 'a@b.com' },
  description: null,
  campaigns: [],
  isTest: false,
  format: 'native',
  occurredAt: '2026-11-20T09:00:00.000Z',
}
const run = (values: ReadonlyArray<unknown>): E.Either<string, LeadEvent[]> => {
  const events: LeadEvent[] = []
  for (const c of [capture, ...values.map(commandOf)]) {
    const r = decide(c, fold(events))
    if (E.isLeft(r)) return E.left(`${r.left._tag}: ${JSON.stringify(r.left)}`)
    events.push(...r.right)
  }
  return E.right(events)
}

const test = suite('native lifecycle events')

test('decode :: each type becomes its command, at its own occurredAt (UTC), by upstream unless named', () => {
  const c = commandOf(ev('LeadContacted', { channel: 'phone', by: 'crm:dynamics', note: 'left a message' }))
  assert.equal(c, {
    type: 'ContactLead',
    leadId: 'L1',
    by: 'crm:dynamics',
    at: '2026-11-20T11:00:00.000Z',
    note: 'left a message',
    atField: 'occurredAt',
    channel: 'phone',
  })
  assert.is((commandOf(ev('LeadQualified')) as { by: string }).by, 'upstream')
  assert.is(commandOf(ev('LeadNurturingStarted')).type, 'StartNurturing')
  assert.is(commandOf(ev('LeadConverted')).type, 'ConvertLead')
  assert.is(commandOf(ev('LeadReopened')).type, 'ReopenLead')
  assert.equal(commandOf(ev('LeadDisqualified', { reason: 'lost' })), {
    type: 'DisqualifyLead',
    leadId: 'L1',
    by: 'upstream',
    at: '2026-11-20T11:00:00.000Z',
    note: null,
    atField: 'occurredAt',
    reason: 'lost',
  })
  assert.equal(commandOf(ev('LeadActionRecorded', { action: 'StartTestDrive', description: 'Campaigns: ignite' })), {
    type: 'RecordAction',
    leadId: 'L1',
    leadSource: null,
    action: 'StartTestDrive',
    description: 'Campaigns: ignite',
    campaigns: ['ignite'],
    occurredAt: '2026-11-20T11:00:00.000Z',
  })
})

test('decode :: a disqualification needs its reason, named at data.reason', () => {
  const r = decodeNativeLead(ev('LeadDisqualified', {}))
  assert.ok(E.isLeft(r) && r.left._tag === 'Invalid' && r.left.problems.some((p) => p.path === 'data.reason'), JSON.stringify(r))
})

test('decide :: contacted, nurturing, qualified, converted at the upstream times', () => {
  const r = run([
    ev('LeadContacted', { channel: 'email' }, { occurredAt: '2026-11-20T10:00:00Z' }),
    ev('LeadNurturingStarted', undefined, { occurredAt: '2026-11-21T10:00:00Z' }),
    ev('LeadQualified', undefined, { occurredAt: '2026-11-22T10:00:00Z' }),
    ev('LeadConverted', undefined, { occurredAt: '2026-11-23T10:00:00Z' }),
  ])
  assert.ok(E.isRight(r), JSON.stringify(r))
  if (E.isRight(r)) {
    assert.equal(
      r.right.map((e) => e.type),
      ['LeadCaptured', 'LeadContacted', 'LeadNurturingStarted', 'LeadQualified', 'LeadConverted'],
    )
    assert.equal(
      r.right.slice(1).map((e) => (e.data as { at: string }).at),
      ['2026-11-20T10:00:00.000Z', '2026-11-21T10:00:00.000Z', '2026-11-22T10:00:00.000Z', '2026-11-23T10:00:00.000Z'],
    )
  }
})

test('decide :: an impossible transition is refused with the reason', () => {
  const r = run([ev('LeadConverted')])
  assert.ok(E.isLeft(r) && r.left.startsWith('TransitionNotAllowed') && r.left.includes('allowed only from qualified'), JSON.stringify(r))
})

test("decide :: an event before the lead's capture is Invalid at occurredAt", () => {
  const r = run([ev('LeadContacted', undefined, { occurredAt: '2026-11-20T08:59:59Z' })])
  assert.ok(E.isLeft(r) && r.left.startsWith('Invalid') && r.left.includes('"path":"occurredAt"'), JSON.stringify(r))
  const a = run([ev('LeadActionRecorded', { action: 'INS' }, { occurredAt: '2026-11-19T00:00:00Z' })])
  assert.ok(E.isLeft(a) && a.left.includes('"path":"occurredAt"'), JSON.stringify(a))
})

test('decide :: a recorded action adds one event; the same action again is a duplicate (no event)', () => {
  const r = run([
    ev('LeadActionRecorded', { action: 'INS' }),
    ev('LeadActionRecorded', { action: 'INS' }, { eventId: 'other' }),
    ev('LeadActionRecorded', { action: 'PLT' }),
  ])
  assert.ok(E.isRight(r))
  if (E.isRight(r)) {
    assert.equal(
      r.right.map((e) => e.type),
      ['LeadCaptured', 'LeadActionRecorded'],
    )
    assert.is(r.right[1]?.type === 'LeadActionRecorded' ? r.right[1].data.leadSource : '', 'AppSource', 'defaults to the storefront')
  }
})

test('decide :: an event for a lead not captured yet is LeadNotFound (the caller parks it)', () => {
  const r = decide(commandOf(ev('LeadQualified')), fold([]))
  assert.ok(E.isLeft(r) && r.left._tag === 'LeadNotFound')
})

test.run()
