// Text limits: every inbound text field, at its limit and past it, with control characters and broken Unicode,
// gets the same verdict from the JSON Schema as from the codec; the codec's reason names the field.
import { openApiDocument } from '@leadstream/api'
import {
  decodeCatalogueEntry,
  decodeMarketplaceLead,
  decodeNativeLead,
  decodeQualificationCommand,
  defaultSources,
  problemsOf,
  textLimits,
  keyedHash,
} from '@leadstream/domain'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { agree, asShape, bySchema, fixture, ofDecoder, tableSchema, type Check, type Fixture, type Fixtures } from './harness.js'

const at = '2026-11-25T12:00:00.000Z'
type Limit = keyof typeof textLimits

/** One text field of a shape: how to put a value there, its limit, and whether it is free text. */
interface Field {
  readonly name: string
  readonly limit: Limit
  readonly multiline?: boolean
  /** Prefix kept in front of the padding (a lead source must still name a storefront). */
  readonly prefix?: string
  readonly set: (value: string) => unknown
}

/** The samples every text field is judged on. */
const samplesOf = (f: Field): Fixtures => {
  const max = textLimits[f.limit]
  const p = f.prefix ?? ''
  const pad = (n: number, ch = 'x') => p + ch.repeat(n - p.length)
  const valid: Fixture[] = [
    fixture(`${f.name} at its limit (${max})`, f.set(pad(max))),
    fixture(`${f.name} of ${max} characters outside the BMP (each one character)`, f.set(p + '😀'.repeat(max - p.length))),
  ]
  const invalid: Fixture[] = [
    fixture(`${f.name} one past its limit`, f.set(pad(max + 1))),
    fixture(`${f.name} with a NUL`, f.set(`${p}a\u0000b`)),
    fixture(`${f.name} with an escape character`, f.set(`${p}a\u001bb`)),
    fixture(`${f.name} with a C1 control character`, f.set(`${p}a\u0085b`)),
    fixture(`${f.name} with a lone high surrogate`, f.set(`${p}a\ud800b`)),
    fixture(`${f.name} with a lone low surrogate`, f.set(`${p}a\udc00`)),
  ]
  if (f.multiline === true) valid.push(fixture(`${f.name} with lines and tabs (free text)`, f.set(`${p}one\r\ntwo\tthree`)))
  else invalid.push(fixture(`${f.name} with a line feed (single-line)`, f.set(`${p}one\ntwo`)))
  return { valid, invalid }
}

const judge = (label: string, schema: Check, codec: Check, fields: ReadonlyArray<Field>): void => {
  const test = suite(`limits ${label}`)
  for (const f of fields) agree(test, label, schema, codec, samplesOf(f))
  test.run()
}

// ---------------------------------------------------------------------------------------------------------
// the marketplace's shapes
// ---------------------------------------------------------------------------------------------------------

const httpsBase = { UserDetails: { Email: 'ann@contoso.com' }, LeadSource: 'AzureMarketplace', ActionCode: 'INS', OfferTitle: 'Contoso VM', Description: 'hi' }
const user = (k: string, v: string) => ({ ...httpsBase, UserDetails: { ...httpsBase.UserDetails, [k]: v } })
const customer: ReadonlyArray<[string, Limit]> = [
  ['FirstName', 'firstName'],
  ['LastName', 'lastName'],
  ['Email', 'email'],
  ['Phone', 'phone'],
  ['Country', 'country'],
  ['Company', 'company'],
  ['Title', 'title'],
]

judge('marketplace-https.v1', bySchema('inbound/marketplace-https.v1.schema.json'), asShape('marketplace-https'), [
  ...customer.map(([k, limit]): Field => ({ name: `UserDetails.${k}`, limit, set: (v) => user(k, v) })),
  { name: 'LeadSource', limit: 'leadSource', prefix: 'AzureMarketplace|', set: (v) => ({ ...httpsBase, LeadSource: v }) },
  { name: 'ActionCode', limit: 'action', set: (v) => ({ ...httpsBase, ActionCode: v }) },
  { name: 'OfferTitle', limit: 'offerTitle', set: (v) => ({ ...httpsBase, OfferTitle: v }) },
  { name: 'Description', limit: 'description', multiline: true, set: (v) => ({ ...httpsBase, Description: v }) },
])

const row = { PartitionKey: 'p', RowKey: 'r', LeadSource: 'SPZA', ActionCode: 'PLT', OfferTitle: 'Contoso CRM', CustomerInfo: '{"Email":"ann@contoso.com"}' }
judge('azure-table.v1', tableSchema, asShape('azure-table'), [
  ...customer.map(([k, limit]): Field => ({ name: `CustomerInfo (packed) ${k}`, limit, set: (v) => ({ ...row, CustomerInfo: JSON.stringify({ [k]: v }) }) })),
  ...customer.map(([k, limit]): Field => ({ name: `CustomerInfo (object) ${k}`, limit, set: (v) => ({ ...row, CustomerInfo: { [k]: v } }) })),
  { name: 'PartitionKey', limit: 'tableKey', set: (v) => ({ ...row, PartitionKey: v }) },
  { name: 'RowKey', limit: 'tableKey', set: (v) => ({ ...row, RowKey: v }) },
  { name: 'Timestamp', limit: 'timestamp', set: (v) => ({ ...row, Timestamp: v }) },
  { name: 'OfferTitle', limit: 'offerTitle', set: (v) => ({ ...row, OfferTitle: v }) },
  { name: 'Description', limit: 'description', multiline: true, set: (v) => ({ ...row, Description: v }) },
])

const form = { first_name: 'Ann', email: 'ann@contoso.com', lead_source: 'AzureMarketplace-INS|contoso.vm' }
judge('crm-form.v1', bySchema('inbound/crm-form.v1.schema.json'), asShape('crm-form'), [
  ...(
    [
      ['first_name', 'firstName'],
      ['last_name', 'lastName'],
      ['email', 'email'],
      ['phone', 'phone'],
      ['company', 'company'],
      ['title', 'title'],
      ['country', 'country'],
    ] as ReadonlyArray<[string, Limit]>
  ).map(([k, limit]): Field => ({ name: k, limit, set: (v) => ({ ...form, [k]: v }) })),
  { name: 'lead_source', limit: 'leadSource', prefix: 'AzureMarketplace-INS|', set: (v) => ({ ...form, lead_source: v }) },
  { name: 'description', limit: 'description', multiline: true, set: (v) => ({ ...form, description: v }) },
])

// ---------------------------------------------------------------------------------------------------------
// native events and commands
// ---------------------------------------------------------------------------------------------------------

const native = {
  type: 'LeadCaptured',
  version: 1,
  eventId: 'e1',
  leadId: 'L1',
  occurredAt: at,
  data: { storefront: 'AppSource', action: 'PLT', offer: { id: 'contoso.crm' } },
}
const nativeData = (d: Record<string, unknown>) => ({ ...native, data: { ...native.data, ...d } })
judge('native LeadCaptured.v1', bySchema('inbound/native/LeadCaptured.v1.schema.json'), (v) => ofDecoder(decodeNativeLead(v)), [
  ...(['firstName', 'lastName', 'email', 'phone', 'country', 'company', 'title'] as const).map(
    (k): Field => ({ name: `data.customer.${k}`, limit: k, set: (v) => nativeData({ customer: { [k]: v } }) }),
  ),
  { name: 'data.action', limit: 'action', set: (v) => nativeData({ action: v }) },
  { name: 'data.offer.id', limit: 'offerId', set: (v) => nativeData({ offer: { id: v } }) },
  { name: 'data.offer.title', limit: 'offerTitle', set: (v) => nativeData({ offer: { id: 'contoso.crm', title: v } }) },
  { name: 'data.leadSource', limit: 'leadSource', set: (v) => nativeData({ leadSource: v }) },
  { name: 'data.description', limit: 'description', multiline: true, set: (v) => nativeData({ description: v }) },
  { name: 'data.campaigns[0]', limit: 'campaign', set: (v) => nativeData({ campaigns: [v] }) },
])

// The lifecycle events a CRM sends (added after the limits first were): who did it, a note, and for an action
// recorded later, its action, lead source, description and campaigns.
const lifecycle = (type: string, data: Record<string, unknown>) => ({ type, version: 1, eventId: 'e2', leadId: 'L1', occurredAt: at, data })
for (const type of ['LeadContacted', 'LeadNurturingStarted', 'LeadQualified', 'LeadConverted', 'LeadDisqualified', 'LeadReopened']) {
  const extra = type === 'LeadDisqualified' ? { reason: 'lost' } : {}
  judge(`native ${type}.v1`, bySchema(`inbound/native/${type}.v1.schema.json`), (v) => ofDecoder(decodeNativeLead(v)), [
    { name: 'data.by', limit: 'by', prefix: 'sam', set: (v) => lifecycle(type, { ...extra, by: v }) },
    { name: 'data.note', limit: 'note', multiline: true, set: (v) => lifecycle(type, { ...extra, by: 'sam', note: v }) },
  ])
}
judge('native LeadActionRecorded.v1', bySchema('inbound/native/LeadActionRecorded.v1.schema.json'), (v) => ofDecoder(decodeNativeLead(v)), [
  { name: 'data.action', limit: 'action', set: (v) => lifecycle('LeadActionRecorded', { action: v }) },
  { name: 'data.leadSource', limit: 'leadSource', set: (v) => lifecycle('LeadActionRecorded', { action: 'PLT', leadSource: v }) },
  { name: 'data.description', limit: 'description', multiline: true, set: (v) => lifecycle('LeadActionRecorded', { action: 'PLT', description: v }) },
  { name: 'data.campaigns[0]', limit: 'campaign', set: (v) => lifecycle('LeadActionRecorded', { action: 'PLT', campaigns: [v] }) },
])

judge('qualification.v1', bySchema('commands/qualification.v1.schema.json'), (v) => ofDecoder(decodeQualificationCommand('L1', at, v)), [
  { name: 'by', limit: 'by', prefix: 'sam', set: (v) => ({ type: 'ContactLead', by: v }) },
  { name: 'note', limit: 'note', multiline: true, set: (v) => ({ type: 'ContactLead', by: 'sam', note: v }) },
])

judge('catalogue-entry.v1', bySchema('commands/catalogue-entry.v1.schema.json'), (v) => ofDecoder(decodeCatalogueEntry(at, v)), [
  { name: 'by', limit: 'by', prefix: 'pub', set: (v) => ({ kind: 'saas', offerId: 'contoso.crm', by: v }) },
  { name: 'offerId', limit: 'offerId', prefix: 'c', set: (v) => ({ kind: 'saas', offerId: v, by: 'pub' }) },
  { name: 'offerTitle', limit: 'offerTitle', prefix: 'C', set: (v) => ({ kind: 'saas', offerTitle: v, by: 'pub' }) },
])

// ---------------------------------------------------------------------------------------------------------
// what the sender is told
// ---------------------------------------------------------------------------------------------------------

const reasons = suite('limits :: reasons')

const problemsOfLead = (value: unknown) => {
  const r = decodeMarketplaceLead(defaultSources, { receivedAt: at, identity: keyedHash(Buffer.from('test identity secret')) }, value)
  assert.is(r._tag, 'Left', 'accepted')
  return r._tag === 'Left' ? problemsOf(r.left) : []
}

reasons('limits :: a 1 MB email is refused, naming the field and the limit', () => {
  assert.equal(problemsOfLead(user('Email', `${'a'.repeat(1 << 20)}@contoso.com`)), [{ path: 'UserDetails.Email', reason: 'at most 254 characters' }])
})

reasons('limits :: any key casing, the canonical field is named', () => {
  assert.equal(problemsOfLead({ userDetails: { email: 'a\u0000@contoso.com' }, leadSource: 'AzureMarketplace', offerTitle: 'T' }), [
    { path: 'UserDetails.Email', reason: 'contains the control character U+0000' },
  ])
})

reasons('limits :: an offer title that is a single NUL is refused; a blank one names no offer', () => {
  assert.equal(problemsOfLead({ ...httpsBase, OfferTitle: '\u0000' }), [{ path: 'OfferTitle', reason: 'contains the control character U+0000' }])
  assert.equal(
    problemsOfLead({ ...httpsBase, OfferTitle: ' \t ' }).map((p) => p.path),
    ['OfferTitle'],
  )
})

reasons('limits :: a lone surrogate is named as invalid Unicode, in the packed CustomerInfo too', () => {
  assert.equal(problemsOfLead({ ...row, CustomerInfo: JSON.stringify({ Company: 'Con\ud800toso' }) }), [
    { path: 'CustomerInfo.Company', reason: 'contains a lone surrogate (not valid Unicode)' },
  ])
})

reasons('limits :: a blank `by` is refused', () => {
  const r = decodeQualificationCommand('L1', at, { type: 'ContactLead', by: '  ' })
  assert.equal(r._tag === 'Left' ? problemsOf(r.left) : [], [{ path: 'by', reason: 'must not be blank' }])
})

reasons('limits :: the OpenAPI document states the same limits as the codecs', () => {
  const doc = JSON.stringify(openApiDocument())
  assert.match(doc, /"by":\{"type":"string","maxLength":200,/)
  assert.match(doc, /"email":\{"type":"string","maxLength":254,/)
})

reasons.run()
