// Arbitraries of what senders put in leadstream's inbound formats, the wrong types in the right places
// included: shared by the decoder and HTTP fuzz suites.
import * as fc from 'fast-check'

/** Strings a sender might put anywhere: ordinary, empty, huge-ish, control characters, lone surrogates, MSFT_TEST. */
export const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.constantFrom(
    '',
    ' ',
    'MSFT_TEST_636573304831318844',
    'AzureMarketplace',
    'SPZA',
    'AppSource',
    'AzurePortal',
    'INS',
    'PLT',
    'DNC',
    'a@b.edu',
    '\uD800',
    'x'.repeat(5000),
  ),
)
/** Any JSON-ish value, including the wrong types in the right places. */
export const junk = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(text, { maxLength: 3 }),
  fc.dictionary(text, text, { maxKeys: 3 }),
)

/** A key in one of the casings real deliveries use, or a random one. */
const casing = (key: string) =>
  fc.constantFrom(key, key.toLowerCase(), key.toUpperCase(), key[0]!.toLowerCase() + key.slice(1), ` ${key}`, key.replace(/([a-z])([A-Z])/g, '$1_$2'))
const objectOf = (fields: Readonly<Record<string, fc.Arbitrary<unknown>>>) =>
  fc
    .tuple(...Object.entries(fields).map(([k, v]) => fc.tuple(casing(k), fc.option(v, { nil: undefined }))))
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)))

export const userDetails = objectOf(
  Object.fromEntries(['FirstName', 'LastName', 'Email', 'Phone', 'Country', 'Company', 'Title'].map((k) => [k, fc.oneof(text, junk)])),
)
export const httpsLead = objectOf({
  UserDetails: fc.oneof(userDetails, junk),
  LeadSource: fc.oneof(text, junk),
  ActionCode: fc.oneof(text, junk),
  OfferTitle: fc.oneof(text, junk),
  Description: fc.oneof(text, junk),
})
export const tableRow = objectOf({
  PartitionKey: text,
  RowKey: text,
  Timestamp: fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    text,
  ),
  ActionCode: text,
  Description: text,
  LeadSource: fc.oneof(text, fc.constantFrom('SPZA-INS|bitnami.openedxcypress', 'AzureMarketplace-PLT|checkpoint.check-point-r77-10sg-byol')),
  OfferTitle: text,
  CustomerInfo: fc.oneof(
    userDetails.map((u) => JSON.stringify(u)),
    text,
    userDetails,
    junk,
  ),
})
export const crmForm = objectOf({
  first_name: text,
  last_name: text,
  email: text,
  phone: text,
  company: text,
  title: text,
  country: text,
  description: text,
  lead_source: fc.oneof(text, fc.constantFrom('SPZA-INS|bitnami.openedxcypress', 'AzureMarketplace-PLT|a.b', '-|', '|', 'x-y|')),
})
/** The fields every native event carries beside its type and data, right and wrong. */
const envelope = {
  eventId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/), text),
  leadId: fc.oneof(fc.stringMatching(/^[a-z]{1,3}-[a-z0-9]{1,10}$/), text),
  occurredAt: fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    text,
  ),
}
export const nativeEvent = objectOf({
  type: fc.oneof(fc.constant('LeadCaptured'), text),
  version: fc.oneof(fc.constant(1), junk),
  ...envelope,
  data: fc.oneof(
    objectOf({
      storefront: fc.oneof(fc.constantFrom('AppSource', 'AzureMarketplace'), text),
      action: text,
      offer: fc.oneof(objectOf({ id: text, title: text }), junk),
      customer: fc.oneof(userDetails, junk),
    }),
    junk,
  ),
})
export const command = objectOf({
  type: fc.oneof(fc.constantFrom('ContactLead', 'StartNurturing', 'QualifyLead', 'ConvertLead', 'DisqualifyLead', 'ReopenLead'), text),
  by: fc.oneof(text, junk),
  reason: fc.oneof(fc.constantFrom('lost', 'cannot-contact', 'not-interested', 'canceled', 'duplicate'), text, junk),
  note: fc.oneof(text, junk),
})
export const catalogue = objectOf({
  offerId: fc.oneof(text, junk),
  offerTitle: fc.oneof(text, junk),
  kind: fc.oneof(fc.constantFrom('saas', 'vm', 'consulting'), text, junk),
  by: fc.oneof(text, junk),
})
/** Deep values, within and past the nesting limit. */
export const deep = fc.integer({ min: 1, max: 200 }).map((n) => JSON.parse('['.repeat(n) + ']'.repeat(n)) as unknown)

export const anyInput = fc.oneof(fc.anything({ maxDepth: 4 }), junk, deep)

const lifecycleTypes = ['LeadContacted', 'LeadNurturingStarted', 'LeadQualified', 'LeadConverted', 'LeadDisqualified', 'LeadReopened', 'LeadActionRecorded']
/** Native lifecycle events (a CRM telling what happened to a lead it knows), right and wrong. */
export const lifecycleEvent = objectOf({
  type: fc.oneof(fc.constantFrom(...lifecycleTypes), text),
  version: fc.oneof(fc.constant(1), junk),
  ...envelope,
  data: fc.oneof(
    objectOf({
      by: fc.oneof(text, junk),
      note: fc.oneof(text, junk),
      channel: fc.oneof(fc.constantFrom('email', 'phone', 'meeting'), text, junk),
      reason: fc.oneof(fc.constantFrom('lost', 'cannot-contact', 'duplicate'), text, junk),
      action: fc.oneof(fc.constantFrom('INS', 'PLT'), text, junk),
    }),
    junk,
  ),
})
/** Webhook subscription bodies (POST /v1/admin/webhooks). */
export const subscription = objectOf({
  url: fc.oneof(
    fc.constantFrom('https://crm.example.com/hooks', 'http://127.0.0.1:9/x', 'http://example.com/', 'https://u:p@x.com/', 'https://[::1]:99999/'),
    fc.webUrl(),
    text,
    junk,
  ),
  events: fc.oneof(fc.array(fc.oneof(fc.constantFrom('lead.captured', 'lead.erased', 'lead.state_changed'), text), { maxLength: 4 }), junk),
  filters: fc.oneof(
    objectOf({
      storefronts: fc.oneof(fc.array(fc.oneof(fc.constant('AppSource'), text), { maxLength: 3 }), junk),
      offers: fc.oneof(fc.array(text, { maxLength: 3 }), junk),
      includeTest: junk,
    }),
    junk,
  ),
  secret: fc.oneof(fc.constantFrom('whsec_', 'whsec_MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIz'), text, junk),
  includeContact: junk,
  description: fc.oneof(text, junk),
})
/** Webhook replay bodies (POST /v1/admin/webhooks/{id}/replay). */
export const webhookReplay = objectOf({
  parked: junk,
  fromPosition: fc.oneof(fc.integer(), fc.double(), junk),
  fromTime: fc.oneof(
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    text,
  ),
})
/** Privacy request bodies: an erasure (email, by, reason) or a subject search (email). */
export const privacyRequest = objectOf({
  email: fc.oneof(fc.emailAddress(), fc.constantFrom(' Ada@Example.com ', 'a@b', '@', `${'a'.repeat(250)}@b.co`, 'a\u0000@b.co', '\uD800@b.co'), text, junk),
  by: fc.oneof(text, junk),
  reason: fc.oneof(text, junk),
})
