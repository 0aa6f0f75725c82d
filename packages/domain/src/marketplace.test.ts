// The marketplace's lead shapes (HTTPS JSON, Azure Table row, CRM form) decoded into one capture command.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { LeadError } from './errors.js'
import { keyedHash } from './identity.js'
import { decodeMarketplaceLead, type InboundCapture } from './marketplace.js'
import { defaultSources } from './sources.js'

const receipt = { receivedAt: '2026-11-25T10:00:00.000Z', identity: keyedHash(Buffer.from('test identity secret')) }

const decode = (value: unknown, prefix?: string): E.Either<LeadError, InboundCapture> => decodeMarketplaceLead(defaultSources, receipt, value, prefix)

const lead = (value: unknown): InboundCapture => {
  const r = decode(value)
  if (E.isLeft(r)) throw new Error(`expected a lead, got ${JSON.stringify(r.left)}`)
  return r.right
}

const failure = (value: unknown, prefix?: string): LeadError => {
  const r = decode(value, prefix)
  if (E.isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right)}`)
  return r.left
}

const problemPaths = (e: LeadError): ReadonlyArray<string> => (e._tag === 'Invalid' ? e.problems.map((p) => p.path) : [`not Invalid: ${e._tag}`])

const ada = { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@contoso.com', Phone: '16175555555', Country: 'US', Company: 'Contoso', Title: 'CTO' }

/** An HTTPS endpoint payload as Microsoft documents it; `over` replaces top-level fields. */
const https = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  UserDetails: ada,
  LeadSource: 'AzureMarketplace',
  ActionCode: 'INS',
  OfferTitle: 'Contoso CRM',
  Description: 'Wants a demo',
  ...over,
})

const without = (o: Record<string, unknown>, ...keys: ReadonlyArray<string>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)))

const test = suite('decodeMarketplaceLead')

// -- the HTTPS endpoint payload -----------------------------------------------------------------------------

test('marketplace :: an HTTPS payload becomes a capture command', () => {
  const { eventId, command } = lead(https())
  assert.match(command.leadId, /^mk-[0-9a-f]{32}$/)
  assert.match(eventId, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  assert.equal(without({ ...command }, 'leadId'), {
    type: 'CaptureLead',
    storefront: 'AzureMarketplace',
    campaign: 'demand-generation',
    leadSource: 'AzureMarketplace',
    action: 'INS',
    offer: { id: null, title: 'Contoso CRM', key: 'title:contoso crm' },
    customer: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.com', phone: '16175555555', country: 'US', company: 'Contoso', title: 'CTO' },
    description: 'Wants a demo',
    campaigns: [],
    isTest: false,
    format: 'marketplace-https',
    occurredAt: receipt.receivedAt,
  })
})

test('marketplace :: re-delivery gives the same lead and event id', () => {
  const first = lead(https())
  const again = decodeMarketplaceLead(defaultSources, { ...receipt, receivedAt: '2026-11-26T08:00:00.000Z' }, https())
  assert.ok(E.isRight(again))
  if (E.isRight(again)) {
    assert.is(again.right.command.leadId, first.command.leadId)
    assert.is(again.right.eventId, first.eventId)
  }
})

test('marketplace :: userDetails and lower-case field keys give the same command and lead id', () => {
  const lower = {
    userDetails: { firstName: 'Ada', lastname: 'Lovelace', email: 'ada@contoso.com', PHONE: '16175555555', country: 'US', company: 'Contoso', title: 'CTO' },
    leadSource: 'AzureMarketplace',
    actionCode: 'INS',
    offerTitle: 'Contoso CRM',
    description: 'Wants a demo',
  }
  const canonical = lead(https())
  const other = lead(lower)
  assert.equal(other.command, canonical.command)
  assert.is(other.eventId, canonical.eventId)
  assert.is(other.command.customer.lastName, 'Lovelace')
})

test('marketplace :: older deliveries without ActionCode and Description are accepted', () => {
  const older = lead(without(https(), 'ActionCode', 'Description'))
  assert.is(older.command.action, '')
  assert.is(older.command.description, null)
  assert.equal(older.command.campaigns, [])
  // The lead is the same customer's interest in the same offer; only the delivery (its action) differs.
  const current = lead(https())
  assert.is(older.command.leadId, current.command.leadId)
  assert.is.not(older.eventId, current.eventId)
})

test('marketplace :: lead sources map to storefronts and their campaigns', () => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ['AzureMarketplace', 'AzureMarketplace', 'demand-generation'],
    ['AzurePortal', 'AzureMarketplace', 'demand-generation'],
    ['SPZA', 'AppSource', 'nurture'],
    ['AppSource', 'AppSource', 'nurture'],
    ['  spza ', 'AppSource', 'nurture'],
    ['AZUREPORTAL', 'AzureMarketplace', 'demand-generation'],
  ]
  for (const [source, storefront, campaign] of cases) {
    const { command } = lead(https({ LeadSource: source }))
    assert.is(command.storefront, storefront, source)
    assert.is(command.campaign, campaign, source)
    assert.is(command.leadSource, source.trim(), `${source} is kept verbatim, less surrounding blanks`)
  }
})

test('marketplace :: an unknown lead source is UnknownStorefront naming it', () => {
  for (const source of ['TestDrive', 'Bing', 'constructor', 'toString', '__proto__'])
    assert.equal(failure(https({ LeadSource: source })), { _tag: 'UnknownStorefront', leadSource: source }, source)
  assert.equal(failure(https({ LeadSource: 'Bing-INS|contoso.crm' })), { _tag: 'UnknownStorefront', leadSource: 'Bing' })
})

test('marketplace :: a missing lead source is UnknownStorefront with no value', () => {
  for (const source of [undefined, null, '', '   ']) {
    const body = source === undefined ? without(https(), 'LeadSource') : https({ LeadSource: source })
    assert.equal(failure(body), { _tag: 'UnknownStorefront', leadSource: null }, String(source))
  }
})

test('marketplace :: the combined lead source gives the action and the offer id', () => {
  const { command } = lead(without(https({ LeadSource: 'AzureMarketplace-INS|checkpoint.check-point-r77-10sg-byol' }), 'ActionCode', 'OfferTitle'))
  assert.is(command.storefront, 'AzureMarketplace')
  assert.is(command.action, 'INS')
  assert.equal(command.offer, { id: 'checkpoint.check-point-r77-10sg-byol', title: null, key: 'id:checkpoint.check-point-r77-10sg-byol' })
  assert.is(command.leadSource, 'AzureMarketplace-INS|checkpoint.check-point-r77-10sg-byol')

  const spza = lead(without(https({ LeadSource: 'SPZA-PLT|bitnami.openedxcypress' }), 'ActionCode'))
  assert.is(spza.command.storefront, 'AppSource')
  assert.is(spza.command.action, 'PLT')
  assert.equal(spza.command.offer, { id: 'bitnami.openedxcypress', title: 'Contoso CRM', key: 'id:bitnami.openedxcypress' })
})

test('marketplace :: an explicit ActionCode wins over the combined one', () => {
  const { command } = lead(https({ LeadSource: 'AzureMarketplace-INS|contoso.crm', ActionCode: 'PLT' }))
  assert.is(command.action, 'PLT')
})

test('marketplace :: a lead that names no offer is Invalid at OfferTitle', () => {
  assert.equal(problemPaths(failure(without(https(), 'OfferTitle'))), ['OfferTitle'])
  assert.equal(problemPaths(failure(https({ OfferTitle: '  ' }), '[2]')), ['[2].OfferTitle'])
})

test('marketplace :: an unknown action code is kept verbatim', () => {
  assert.is(lead(https({ ActionCode: 'ViewedPricing' })).command.action, 'ViewedPricing')
})

test('marketplace :: campaign names are extracted from the description', () => {
  const { command } = lead(https({ Description: 'Contact me. Campaigns: spring-launch, webinar-q3' }))
  assert.equal(command.campaigns, ['spring-launch', 'webinar-q3'])
  assert.is(command.description, 'Contact me. Campaigns: spring-launch, webinar-q3')
})

// -- test leads and identity -------------------------------------------------------------------------------

test('marketplace :: MSFT_TEST leads are flagged as test leads', () => {
  const msft = 'MSFT_TEST_636573304831318844'
  const published = lead(
    https({
      UserDetails: { FirstName: msft, LastName: msft, Email: `${msft}@test.com`, Phone: '', Country: 'USA', Company: msft, Title: '' },
      Description: msft,
    }),
  )
  assert.is(published.command.isTest, true)
  assert.is(lead(https({ Description: 'from msft_test run' })).command.isTest, true, 'description only, any case')
  assert.is(lead(https({ UserDetails: { ...ada, Company: 'MSFT_TEST' } })).command.isTest, true, 'company only')
  assert.is(lead(https({ OfferTitle: 'MSFT_TEST offer' })).command.isTest, false, 'the offer title is not a customer field')
})

test('marketplace :: an .edu lead without personal data is identified by its payload', () => {
  const edu = https({ UserDetails: {}, Description: 'edu customer' })
  const id = lead(edu).command.leadId
  assert.match(id, /^mk-[0-9a-f]{32}$/)
  assert.is(lead(https({ UserDetails: {}, Description: 'edu customer' })).command.leadId, id, 'identical payload')
  const recased = { ...without(https(), 'UserDetails', 'Description'), description: ' edu customer ', userDetails: {} }
  assert.is(lead(recased).command.leadId, id, 'same payload, other key casing, order and padding')
  assert.is.not(lead(https({ UserDetails: {}, Description: 'another edu customer' })).command.leadId, id, 'different payload')
  assert.is.not(lead(https({ UserDetails: {}, ActionCode: 'PLT', Description: 'edu customer' })).command.leadId, id, 'different action')
  const empty = https({ UserDetails: { FirstName: '', LastName: '', Email: '', Phone: '', Country: '', Company: '', Title: '' }, Description: 'edu customer' })
  assert.is(lead(empty).command.customer.email, '')
  assert.is.not(lead(empty).command.leadId, id, 'empty strings are part of the payload')
})

test('marketplace :: the same email in another case or padding is the same lead', () => {
  const id = lead(https()).command.leadId
  assert.is(lead(https({ UserDetails: { ...ada, Email: '  ADA@Contoso.COM ' } })).command.leadId, id)
  assert.is(lead(https({ UserDetails: { ...ada, FirstName: 'Augusta', Phone: '' } })).command.leadId, id, 'other details do not matter')
  assert.is(lead(https({ Description: 'later visit', ActionCode: 'PLT' })).command.leadId, id, 'a later action is the same lead')
})

test('marketplace :: another offer, storefront or customer is another lead', () => {
  const id = lead(https()).command.leadId
  assert.is.not(lead(https({ OfferTitle: 'Contoso ERP' })).command.leadId, id, 'offer')
  assert.is.not(lead(https({ LeadSource: 'AppSource' })).command.leadId, id, 'storefront')
  assert.is.not(lead(https({ UserDetails: { ...ada, Email: 'grace@contoso.com' } })).command.leadId, id, 'customer')
  assert.is(lead(https({ OfferTitle: '  contoso   crm ' })).command.leadId, id, 'the same title normalised is the same offer')
})

// -- Azure Table rows and CRM forms ------------------------------------------------------------------------

const row = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  PartitionKey: 'contoso-crm',
  RowKey: '2b5c8f0e',
  Timestamp: '2026-11-20T08:15:00Z',
  ActionCode: 'INS',
  Description: 'Wants a demo',
  LeadSource: 'AzureMarketplace',
  OfferTitle: 'Contoso CRM',
  CustomerInfo: JSON.stringify(ada),
  ...over,
})

test('table :: a row with CustomerInfo as serialised JSON is decoded, its Timestamp the time of the lead', () => {
  const { command } = lead(row())
  assert.is(command.format, 'azure-table')
  assert.is(command.occurredAt, '2026-11-20T08:15:00.000Z')
  assert.equal(command.customer, lead(https()).command.customer)
  assert.is(command.leadId, lead(https()).command.leadId, 'the same lead as its HTTPS delivery')
})

test('table :: CustomerInfo with lower-case keys, as an object, or empty is accepted', () => {
  assert.is(lead(row({ CustomerInfo: JSON.stringify({ email: 'ada@contoso.com', firstname: 'Ada' }) })).command.customer.firstName, 'Ada')
  assert.is(lead(row({ CustomerInfo: { Email: 'ada@contoso.com' } })).command.customer.email, 'ada@contoso.com')
  assert.is(lead(row({ CustomerInfo: '' })).command.customer.email, '')
})

test('table :: malformed CustomerInfo JSON is Invalid at CustomerInfo', () => {
  assert.equal(problemPaths(failure(row({ CustomerInfo: '{"Email": "ada@contoso.com"' }))), ['CustomerInfo'])
  assert.equal(problemPaths(failure(row({ CustomerInfo: '{"Email": 42}' }))), ['CustomerInfo.Email'])
  assert.equal(problemPaths(failure(row({ CustomerInfo: 'not json' }), '[1]')), ['[1].CustomerInfo'])
})

test('table :: an unreadable Timestamp falls back to the receipt time', () => {
  assert.is(lead(row({ Timestamp: 'last tuesday' })).command.occurredAt, receipt.receivedAt)
  assert.is(lead(without(row(), 'Timestamp')).command.occurredAt, receipt.receivedAt)
})

test('form :: a CRM web-to-lead form with the combined lead source is decoded', () => {
  const { command } = lead({
    first_name: 'Ada',
    last_name: 'Lovelace',
    email: 'Ada@Contoso.com',
    phone: '16175555555',
    company: 'Contoso',
    title: 'CTO',
    country: 'US',
    description: 'Campaigns: spring-launch',
    lead_source: 'AzureMarketplace-INS|checkpoint.check-point-r77-10sg-byol',
  })
  assert.is(command.format, 'crm-form')
  assert.is(command.storefront, 'AzureMarketplace')
  assert.is(command.action, 'INS')
  assert.is(command.offer.key, 'id:checkpoint.check-point-r77-10sg-byol')
  assert.equal(command.customer, { ...lead(https()).command.customer, email: 'Ada@Contoso.com' })
  assert.equal(command.campaigns, ['spring-launch'])
  assert.is(command.occurredAt, receipt.receivedAt)
})

// -- invalid bodies ----------------------------------------------------------------------------------------

test('invalid :: a field of the wrong type names its path', () => {
  assert.equal(problemPaths(failure(https({ UserDetails: { ...ada, Email: 42 } }))), ['UserDetails.Email'])
  assert.equal(problemPaths(failure(https({ userDetails: { ...ada, email: 42 } }))), ['UserDetails.Email'], 'reported in canonical casing')
  assert.equal(problemPaths(failure(https({ UserDetails: { ...ada, Email: 42 } }), '[3]')), ['[3].UserDetails.Email'])
  assert.equal(problemPaths(failure(https({ UserDetails: 'ada@contoso.com' }))), ['UserDetails'])
  assert.equal(problemPaths(failure(https({ LeadSource: 5 }))), ['LeadSource'])
  assert.equal(problemPaths(failure({ first_name: 'Ada', email: 42, lead_source: 'SPZA|contoso.crm' })), ['email'])
})

test('invalid :: a body that is not one object is Invalid', () => {
  for (const body of [null, undefined, 42, 'a lead', [https()]]) assert.equal(problemPaths(failure(body)), ['(body)'], JSON.stringify(body))
  assert.equal(problemPaths(failure(null, '[4]')), ['[4]'])
})

test.run()
