// Events → messages → subscriptions: filters, facts carried from the capture to later events, contact data
// only for those that ask, erasures, stable webhook-ids.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { event } from '@leadstream/domain'
import { captured, contacted, erased, qualified, recorded, sealedFor, subscription } from './fixtures.js'
import { bodyOf, deliveryId, leadsToLookUp, route, type PersonalRef } from './messages.js'

const test = suite('route')

// The note as ingest stores it: sealed (what the bytes say does not matter here, the sender opens them).
const sealedNote = { keyId: 'key-a', iv: 'bm90ZQ==', data: 'bm90ZQ==', tag: 'dGFn' }

const life = () => [
  recorded('a', 0, captured('a', { storefront: 'AppSource', offerId: 'contoso.crm' })),
  recorded('b', 0, captured('b', { storefront: 'AzureMarketplace', isTest: true, offerId: 'fabrikam.vm' })),
  recorded('a', 1, contacted('a')),
  recorded('a', 2, qualified('a', sealedNote)),
  recorded(
    'b',
    1,
    event('LeadActionRecorded', {
      leadId: 'b',
      leadSource: 'AzureMarketplace',
      action: 'PLT',
      campaigns: [],
      doNotContact: false,
      occurredAt: '2026-12-01T09:20:00.000Z',
      personal: null,
    }),
  ),
]

test('filters :: storefront, campaign, offer (id or key), test leads, event types', () => {
  const subs = [
    subscription('all'),
    subscription('azure', { filters: { storefronts: ['AzureMarketplace'], includeTest: true } }),
    subscription('nurture', { filters: { campaigns: ['nurture'] }, events: ['lead.state_changed'] }),
    subscription('offer', { filters: { offers: ['FABRIKAM.VM'], includeTest: true } }),
    subscription('later', { createdAt: '2099-01-01T00:00:00.000Z' }),
  ]
  const { outgoing, facts } = route(life(), new Map(), subs)
  const to = (id: string) =>
    outgoing.flatMap((o) => (o._tag === 'Deliver' && o.delivery.subscriptionId === id ? [`${o.delivery.message.leadId}:${o.delivery.message.type}`] : []))
  assert.equal(to('all'), ['a:lead.captured', 'a:lead.state_changed', 'a:lead.state_changed'], 'test leads left out by default')
  assert.equal(to('azure'), ['b:lead.captured', 'b:lead.action_recorded'], 'the later event is filtered by the capture’s storefront')
  assert.equal(to('nurture'), ['a:lead.state_changed', 'a:lead.state_changed'])
  assert.equal(to('offer'), ['b:lead.captured', 'b:lead.action_recorded'])
  assert.equal(to('later'), [], 'events recorded before a subscription existed are not its')
  assert.equal(
    facts.map((f) => [f.leadId, f.state]),
    [
      ['a', 'qualified'],
      ['b', 'captured'],
    ],
  )
})

const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '', country: 'GB', company: '', title: '', description: null }

test('payload :: state changes say from and to with the lead’s facts; contact data and notes only when asked', () => {
  const subs = [subscription('plain'), subscription('contact', { includeContact: true })]
  const { outgoing } = route(life(), new Map(), subs)
  const deliveries = (id: string) => outgoing.flatMap((o) => (o._tag === 'Deliver' && o.delivery.subscriptionId === id ? [o.delivery.message] : []))
  // What the sender opens at send time, both through the key store: the sealed contact and the sealed note.
  const opened = (p: PersonalRef | null) => (p === null ? null : p._tag === 'Note' ? { note: 'spoke to Ada Lovelace' } : { contact: ada })
  const of = (id: string) => deliveries(id).map((m) => JSON.parse(bodyOf(m.payload, opened(m.personal))))
  assert.equal(
    deliveries('plain').map((m) => m.personal),
    [null, null, null],
    'nothing personal kept for a subscription that did not ask',
  )
  assert.equal(deliveries('contact')[0]?.personal, { _tag: 'Sealed', sealed: sealedFor('a'), country: 'GB' }, 'the contact data stays sealed until sent')
  assert.equal(
    deliveries('contact')[2]?.personal,
    { _tag: 'Note', sealed: sealedNote, type: 'LeadQualified' },
    'so does the note, with the type it is bound to',
  )
  const plain = of('plain')
  assert.equal(plain[1].data.from, 'captured')
  assert.equal(plain[1].data.to, 'contacted')
  assert.is(plain[1].data.channel, 'phone')
  assert.is(plain[1].data.storefront, 'AppSource')
  assert.is(plain[0].data.contact, undefined)
  assert.is(plain[2].data.note, undefined)
  assert.not.ok(JSON.stringify(plain).includes('ada@example.com'), 'no contact data anywhere in a plain payload')
  assert.not.ok(JSON.stringify(outgoing).includes('ada@example.com'), 'and none in clear in what the delivery log records')
  const withContact = of('contact')
  assert.is(withContact[0].data.contact.email, 'ada@example.com')
  assert.is(withContact[2].data.note, 'spoke to Ada Lovelace')
  assert.is(plain[0].type, 'lead.captured')
  assert.is(plain[0].timestamp, '2026-12-01T09:00:00.000Z')
})

test('lookups :: only leads with an event before their capture in the batch need their facts read', () => {
  const batch = [recorded('x', 3, contacted('x')), recorded('y', 0, captured('y')), recorded('y', 1, contacted('y')), recorded('z', 1, erased('z'))]
  assert.equal(leadsToLookUp(batch), ['x', 'z'])
  assert.equal(leadsToLookUp([recorded('n', 0, captured('n'))]), [], 'a batch of new leads reads nothing')
})

test('erasure :: an Erase for the lead, whatever the filters; ids stable per (subscription, lead, event)', () => {
  const { outgoing } = route([recorded('c', 0, captured('c')), recorded('c', 1, erased('c'))], new Map(), [subscription('s', { events: ['lead.captured'] })])
  assert.equal(
    outgoing.map((o) => o._tag),
    ['Deliver', 'Erase'],
  )
  const erase = outgoing[1]!
  assert.ok(erase._tag === 'Erase' && erase.message.payload.type === 'lead.erased' && erase.message.personal === null)
  assert.is(deliveryId('s', 'l1', 'e1'), deliveryId('s', 'l1', 'e1'))
  assert.is.not(deliveryId('s', 'l1', 'e1'), deliveryId('t', 'l1', 'e1'))
  assert.match(deliveryId('s', 'l1', 'e1'), /^msg_[A-Za-z0-9_-]{27}$/)
})

test('ids :: one per (subscription, lead, event): an upstream event id reused by another lead is another message', () => {
  const same = (e: ReturnType<typeof recorded>) => ({ ...e, eventId: 'upstream-7' })
  const { outgoing } = route([same(recorded('p', 0, captured('p'))), same(recorded('q', 0, captured('q')))], new Map(), [subscription('s')])
  const ids = outgoing.flatMap((o) => (o._tag === 'Deliver' ? [o.delivery.id] : []))
  assert.is(ids.length, 2)
  assert.is.not(ids[0], ids[1])
  assert.is.not(deliveryId('s', 'p', 'e1'), deliveryId('s', 'q', 'e1'))
  // The parts are separated, so no two (lead, event) pairs run together into one id.
  assert.is.not(deliveryId('s', 'ab', 'c'), deliveryId('s', 'a', 'bc'))
})

test.run()
