// Decider tests, given events / when command / then events or error.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { decide, type CaptureLead, type ContactLead, type LeadCommand } from './decide.js'
import { personalOf, type LeadEvent } from './events.js'
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
const contact: ContactLead = { ...by, type: 'ContactLead', channel: null }

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
  if (E.isRight(r))
    assert.equal(
      r.right.map((e) => e.type),
      ['LeadCaptured'],
    )
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
  const h = given([capture('PLT'), contact, { ...by, type: 'QualifyLead' }])
  const r = when(h, { ...by, type: 'ConvertLead' })
  assert.ok(E.isRight(r) && r.right[0]?.type === 'LeadConverted')
})

test('lifecycle :: qualify straight from captured is not allowed', () => {
  const r = when(given([capture('PLT')]), { ...by, type: 'QualifyLead' })
  assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed')
})

test('lifecycle :: converted is final until reopened, and reopen returns to the state before', () => {
  const h = given([capture('PLT'), contact, { ...by, type: 'QualifyLead' }, { ...by, type: 'ConvertLead' }])
  assert.ok(E.isLeft(when(h, { ...by, type: 'DisqualifyLead', reason: 'lost' })))
  const reopened = when(h, { ...by, type: 'ReopenLead' })
  assert.ok(E.isRight(reopened) && reopened.right[0]?.type === 'LeadReopened')
  if (E.isRight(reopened) && reopened.right[0]?.type === 'LeadReopened') assert.is(reopened.right[0].data.to, 'qualified')
})

test('dnc :: a do-not-contact lead cannot be contacted but can be disqualified', () => {
  const h = given([capture('DNC')])
  const r = when(h, contact)
  assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed')
  assert.ok(E.isRight(when(h, { ...by, type: 'DisqualifyLead', reason: 'not-interested' })))
})

test('transition :: on an unknown lead is LeadNotFound', () => {
  const r = when([], contact)
  assert.ok(E.isLeft(r) && r.left._tag === 'LeadNotFound')
})

test('capture :: the capture event carries the command and derives do-not-contact from DNC', () => {
  const r = when([], capture('DNC'))
  assert.ok(E.isRight(r) && r.right[0]?.type === 'LeadCaptured')
  if (E.isRight(r) && r.right[0]?.type === 'LeadCaptured') {
    const { type: _type, customer, description, ...command } = capture('DNC')
    assert.equal(r.right[0].data, { ...command, country: customer.country, doNotContact: true, personal: personalOf(customer, description) })
  }
  const plt = when([], capture('PLT'))
  assert.ok(E.isRight(plt) && plt.right[0]?.type === 'LeadCaptured' && !plt.right[0].data.doNotContact)
})

test('lifecycle :: nurturing path: contacted → nurturing → qualified → converted', () => {
  const h = given([capture('PLT'), contact, { ...by, type: 'StartNurturing' }, { ...by, type: 'QualifyLead' }])
  assert.equal(
    h.map((e) => e.type),
    ['LeadCaptured', 'LeadContacted', 'LeadNurturingStarted', 'LeadQualified'],
  )
  const r = when(h, { ...by, type: 'ConvertLead' })
  assert.ok(E.isRight(r) && r.right.length === 1 && r.right[0]?.type === 'LeadConverted')
})

test('lifecycle :: nurturing starts only from contacted', () => {
  const captured = given([capture('PLT')])
  const nurturing = given([capture('PLT'), contact, { ...by, type: 'StartNurturing' }])
  const qualified = given([capture('PLT'), contact, { ...by, type: 'QualifyLead' }])
  for (const [name, h] of [
    ['captured', captured],
    ['nurturing', nurturing],
    ['qualified', qualified],
  ] as const) {
    const r = when(h, { ...by, type: 'StartNurturing' })
    assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed' && r.left.from === name, name)
  }
})

const toOpenState: ReadonlyArray<[string, ReadonlyArray<LeadCommand>]> = [
  ['captured', []],
  ['contacted', [contact]],
  ['nurturing', [contact, { ...by, type: 'StartNurturing' }]],
  ['qualified', [contact, { ...by, type: 'QualifyLead' }]],
]

test('lifecycle :: a lead is disqualified from each open state, and reopening returns it there', () => {
  for (const [state, path] of toOpenState) {
    const h = given([capture('PLT'), ...path])
    const disqualified = when(h, { ...by, type: 'DisqualifyLead', reason: 'cannot-contact' })
    assert.ok(E.isRight(disqualified), state)
    if (E.isLeft(disqualified)) continue
    const [d] = disqualified.right
    assert.ok(d?.type === 'LeadDisqualified' && d.data.reason === 'cannot-contact', state)
    const reopened = when([...h, ...disqualified.right], { ...by, type: 'ReopenLead' })
    assert.ok(E.isRight(reopened) && reopened.right[0]?.type === 'LeadReopened', state)
    if (E.isRight(reopened) && reopened.right[0]?.type === 'LeadReopened') assert.is(reopened.right[0].data.to, state)
  }
})

test('lifecycle :: a disqualified lead refuses every transition but reopen', () => {
  const h = given([capture('PLT'), contact, { ...by, type: 'DisqualifyLead', reason: 'lost' }])
  const refused: ReadonlyArray<LeadCommand> = [
    contact,
    { ...by, type: 'StartNurturing' },
    { ...by, type: 'QualifyLead' },
    { ...by, type: 'ConvertLead' },
    { ...by, type: 'DisqualifyLead', reason: 'duplicate' },
  ]
  for (const c of refused) {
    const r = when(h, c)
    assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed' && r.left.from === 'disqualified' && /final/.test(r.left.reason), c.type)
  }
  assert.ok(E.isRight(when(h, { ...by, type: 'ReopenLead' })))
})

test('lifecycle :: an open lead cannot be reopened', () => {
  for (const [state, path] of toOpenState) {
    const r = when(given([capture('PLT'), ...path]), { ...by, type: 'ReopenLead' })
    assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed' && r.left.from === state, state)
  }
})

test('lifecycle :: a second reopen returns to the state before the latest final one', () => {
  const h = given([
    capture('PLT'),
    contact,
    { ...by, type: 'DisqualifyLead', reason: 'not-interested' },
    { ...by, type: 'ReopenLead' },
    { ...by, type: 'QualifyLead' },
    { ...by, type: 'DisqualifyLead', reason: 'lost' },
  ])
  const r = when(h, { ...by, type: 'ReopenLead' })
  assert.ok(E.isRight(r) && r.right[0]?.type === 'LeadReopened')
  if (E.isRight(r) && r.right[0]?.type === 'LeadReopened') assert.is(r.right[0].data.to, 'qualified')
})

test('transition :: the event records who did it, when, why and how', () => {
  const r = when(given([capture('PLT')]), { ...contact, note: 'left a voicemail', channel: 'phone' })
  assert.equal(
    r,
    // The note is open here: the decider is pure, ingest seals it before the event is stored.
    E.right([
      {
        type: 'LeadContacted',
        version: 3,
        data: { leadId: 'L1', by: 'sam', at: '2026-11-25T11:00:00.000Z', personal: { open: { note: 'left a voicemail' } }, channel: 'phone' },
      },
    ]),
  )
})

test('transition :: a contact whose channel was not given records channel null', () => {
  const r = when(given([capture('PLT')]), contact)
  assert.ok(E.isRight(r) && r.right[0]?.type === 'LeadContacted')
  if (E.isRight(r) && r.right[0]?.type === 'LeadContacted')
    assert.equal([r.right[0].version, r.right[0].data.channel, r.right[0].data.personal], [3, null, null])
})

test('dnc :: a DNC action recorded after capture also forbids contact and nurturing', () => {
  const dncLater = given([capture('PLT'), capture('DNC')])
  const r = when(dncLater, contact)
  assert.ok(E.isLeft(r) && r.left._tag === 'TransitionNotAllowed' && /DNC/.test(r.left.reason))
  const contactedThenDnc = given([capture('PLT'), contact, capture('DNC')])
  const n = when(contactedThenDnc, { ...by, type: 'StartNurturing' })
  assert.ok(E.isLeft(n) && n.left._tag === 'TransitionNotAllowed' && /DNC/.test(n.left.reason))
  assert.ok(E.isRight(when(contactedThenDnc, { ...by, type: 'QualifyLead' })), 'qualifying needs no contact')
})

const erase: LeadCommand = {
  type: 'ErasePersonalData',
  leadId: 'L1',
  subject: 'sub-1',
  reason: 'request',
  by: 'op',
  at: '2026-12-01T07:00:00.000Z',
  note: 'by email',
}

test('erase :: allowed in every state, it records subject, reason, who, when and why', () => {
  const histories: ReadonlyArray<ReadonlyArray<LeadCommand>> = [
    [capture('PLT')],
    [capture('PLT'), contact],
    [capture('PLT'), contact, { ...by, type: 'QualifyLead' }, { ...by, type: 'ConvertLead' }],
    [capture('PLT'), { ...by, type: 'DisqualifyLead', reason: 'lost' }],
    [capture('DNC')],
  ]
  for (const h of histories)
    assert.equal(
      when(given(h), erase),
      E.right([
        {
          type: 'PersonalDataErased',
          version: 1,
          data: { leadId: 'L1', subject: 'sub-1', reason: 'request', by: 'op', at: '2026-12-01T07:00:00.000Z', note: 'by email' },
        },
      ]),
    )
})

test('erase :: erasing an erased lead writes nothing', () => {
  assert.equal(when(given([capture('PLT'), erase]), erase), E.right([]))
  assert.equal(when(given([capture('PLT'), erase, capture('INS')]), { ...erase, reason: 'retention' }), E.right([]), 'a later action does not undo the erasure')
})

test('erase :: a lead never captured gets no event (nothing to redact, and no stream without a capture)', () => {
  assert.equal(when([], erase), E.right([]))
})

test('erase :: an erased lead still moves through its lifecycle', () => {
  const r = when(given([capture('PLT'), erase]), contact)
  assert.ok(E.isRight(r) && r.right[0]?.type === 'LeadContacted')
})

test.run()
