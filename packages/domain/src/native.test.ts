// leadstream's native inbound format: explicit ids, a versioned type, and defaults for what may be left out.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { LeadError } from './errors.js'
import type { InboundCapture } from './marketplace.js'
import { decodeNativeLead } from './native.js'

const valid = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: 'evt-2026-0001',
  leadId: 'crm-42',
  occurredAt: '2026-11-25T09:30:00Z',
  data: {
    storefront: 'AppSource',
    action: 'PLT',
    offer: { id: 'contoso.crm', title: 'Contoso CRM' },
    leadSource: 'SPZA',
    customer: { firstName: 'Ada', email: 'ada@contoso.com' },
    description: 'Campaigns: spring-launch',
    ...data,
  },
  ...over,
})

const lead = (value: unknown): InboundCapture => {
  const r = decodeNativeLead(value)
  if (E.isLeft(r)) throw new Error(`expected a lead, got ${JSON.stringify(r.left)}`)
  const { eventId, command } = r.right
  if (command.type !== 'CaptureLead') throw new Error(`expected a capture, got ${command.type}`)
  return { eventId, command }
}

const problemPaths = (value: unknown): ReadonlyArray<string> => {
  const r = decodeNativeLead(value)
  if (E.isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right)}`)
  const e: LeadError = r.left
  return e._tag === 'Invalid' ? e.problems.map((p) => p.path) : [`not Invalid: ${e._tag}`]
}

const test = suite('decodeNativeLead')

test('native :: a valid capture becomes a command with its own ids', () => {
  const { eventId, command } = lead(valid())
  assert.is(eventId, 'evt-2026-0001')
  assert.equal(command, {
    type: 'CaptureLead',
    leadId: 'crm-42',
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'PLT',
    offer: { id: 'contoso.crm', title: 'Contoso CRM', key: 'id:contoso.crm' },
    customer: { firstName: 'Ada', lastName: '', email: 'ada@contoso.com', phone: '', country: '', company: '', title: '' },
    description: 'Campaigns: spring-launch',
    campaigns: ['spring-launch'],
    isTest: false,
    format: 'native',
    occurredAt: '2026-11-25T09:30:00.000Z',
  })
})

test('native :: optional fields default: lead source to the storefront, campaigns to the description', () => {
  const { command } = lead(valid({}, { storefront: 'AzureMarketplace', leadSource: undefined, customer: undefined, description: undefined }))
  assert.is(command.leadSource, 'AzureMarketplace')
  assert.is(command.campaign, 'demand-generation')
  assert.is(command.description, null)
  assert.equal(command.campaigns, [])
  assert.is(command.customer.email, '')
  assert.equal(lead(valid({}, { campaigns: ['webinar'] })).command.campaigns, ['webinar'], 'explicit campaigns win')
})

test('native :: an offer named by title only is keyed by its title', () => {
  assert.equal(lead(valid({}, { offer: { title: ' Contoso  CRM ' } })).command.offer, { id: null, title: 'Contoso  CRM', key: 'title:contoso crm' })
})

test('native :: an unknown type is named at type', () => {
  for (const type of ['LeadTeleported', 'leadcaptured', 42, null, 'toString', 'constructor'])
    assert.equal(problemPaths(valid({ type, version: 2 })), ['type'], String(type))
  assert.equal(problemPaths({ ...valid(), type: undefined }), ['type'])
})

test('native :: an unsupported version is named at version', () => {
  for (const version of [2, 0, '1', null]) assert.equal(problemPaths(valid({ version })), ['version'], String(version))
  assert.equal(problemPaths({ ...valid(), version: undefined }), ['version'])
})

test('native :: a bad occurredAt is named at occurredAt', () => {
  for (const occurredAt of ['yesterday', '2026-13-45T00:00:00Z', '25/11/2026', 1764063000000, null])
    assert.equal(problemPaths(valid({ occurredAt })), ['occurredAt'], String(occurredAt))
})

test('native :: an offer with neither id nor title is Invalid at data.offer', () => {
  assert.equal(problemPaths(valid({}, { offer: {} })), ['data.offer'])
  assert.equal(problemPaths(valid({}, { offer: { id: '  ', title: '' } })), ['data.offer'])
  assert.equal(problemPaths(valid({}, { offer: undefined })), ['data.offer'])
})

test('native :: invalid ids and fields name their path', () => {
  assert.equal(problemPaths(valid({ leadId: '-starts-with-a-dash' })), ['leadId'])
  assert.equal(problemPaths(valid({ eventId: 'has spaces' })), ['eventId'])
  assert.equal(problemPaths(valid({}, { storefront: 'Bing' })), ['data.storefront'])
  assert.equal(problemPaths(valid({}, { customer: { email: 42 } })), ['data.customer.email'])
})

test('native :: isTest is detected from MSFT_TEST unless given', () => {
  assert.is(lead(valid({}, { customer: { email: 'MSFT_TEST_636573304831318844@test.com' } })).command.isTest, true)
  assert.is(lead(valid({}, { description: 'msft_test lead' })).command.isTest, true)
  assert.is(lead(valid({}, { customer: { company: 'MSFT_TEST' }, isTest: false })).command.isTest, false, 'an explicit false wins')
  assert.is(lead(valid({}, { isTest: true })).command.isTest, true, 'an explicit true wins')
})

test('native :: a body that is not one object is Invalid', () => {
  for (const body of [null, 'lead', 7, [valid()]]) assert.equal(problemPaths(body), ['(body)'], JSON.stringify(body))
})

test.run()
