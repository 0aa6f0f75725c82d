// Decider tests, given events / when command / then events or error.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { decide, type CaptureLead, type LeadCommand } from './decide.js'
import type { LeadEvent } from './events.js'
import { fold } from './lead.js'
import { emptyCustomer, offer } from './model.js'

const capture = (action: string): CaptureLead => ({
  type: 'CaptureLead',
  leadId: 'L1',
  storefront: 'AppSource',
  campaign: 'nurture',
  leadSource: 'SPZA',
  action,
  offer: offer('contoso.crm', null),
  customer: { ...emptyCustomer, email: 'a@b.com' },
  description: null,
  campaigns: [],
  isTest: false,
  format: 'marketplace-https',
  occurredAt: '2026-11-25T10:00:00.000Z',
})
const by = { leadId: 'L1', by: 'sam', at: '2026-11-25T11:00:00.000Z', note: null }

const given = (commands: ReadonlyArray<LeadCommand>): LeadEvent[] => {
  const events: LeadEvent[] = []
  for (const c of commands) {
    const r = decide(c, fold(events))
    if (E.isLeft(r)) throw new Error(`given: ${r.left._tag}`)
    events.push(...r.right)
  }
  return events
}
const when = (history: LeadEvent[], c: LeadCommand) => decide(c, fold(history))

const test = suite('decide')

test('capture :: first action captures the lead', () => {
  const r = when([], capture('PLT'))
  assert.ok(E.isRight(r))
  if (E.isRight(r)) assert.equal(r.right.map((e) => e.type), ['LeadCaptured'])
})

test('capture :: re-delivery of a recorded action writes no event', () => {
  const r = when(given([capture('PLT')]), capture('PLT'))
  assert.equal(r, E.right([]))
})

test('capture :: a new action on the same lead is recorded, not a new lead', () => {
  const r = when(given([capture('PLT')]), capture('INS'))
  assert.ok(E.isRight(r) && r.right.length === 1 && r.right[0]?.type === 'LeadActionRecorded')
})

test('lifecycle :: captured → contacted → qualified → converted', () => {
  const h = given([capture('PLT'), { ...by, type: 'ContactLead' }, { ...by, type: 'QualifyLead' }])
  const r = when(h, { ...by, type: 'ConvertLead' })
  assert.ok(E.isRight(r) && r.right[0]?.type === 'LeadConverted')
})

test('lifecycle :: qualify straight from captured is not allowed', () => {
  const r = when(given([capture('PLT')]), { ...by, type: 'QualifyLead' })
  assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed')
})

test('lifecycle :: converted is final until reopened, and reopen returns to the state before', () => {
  const h = given([capture('PLT'), { ...by, type: 'ContactLead' }, { ...by, type: 'QualifyLead' }, { ...by, type: 'ConvertLead' }])
  assert.ok(E.isLeft(when(h, { ...by, type: 'DisqualifyLead', reason: 'lost' })))
  const reopened = when(h, { ...by, type: 'ReopenLead' })
  assert.ok(E.isRight(reopened) && reopened.right[0]?.type === 'LeadReopened')
  if (E.isRight(reopened) && reopened.right[0]?.type === 'LeadReopened') assert.is(reopened.right[0].data.to, 'qualified')
})

test('dnc :: a do-not-contact lead cannot be contacted but can be disqualified', () => {
  const h = given([capture('DNC')])
  const r = when(h, { ...by, type: 'ContactLead' })
  assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed')
  assert.ok(E.isRight(when(h, { ...by, type: 'DisqualifyLead', reason: 'not-interested' })))
})

test('transition :: on an unknown lead is LeadNotFound', () => {
  const r = when([], { ...by, type: 'ContactLead' })
  assert.ok(E.isLeft(r) && r.left._tag === 'LeadNotFound')
})

test.run()
