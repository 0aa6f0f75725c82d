// Agreement test: each JSON Schema in schemas/ accepts exactly the fixtures its io-ts codec accepts.
import {
  currentVersion,
  decodeCatalogueEntry,
  decodeEvent,
  decodeMarketplaceLead,
  decodeNativeLead,
  decodeQualificationCommand,
  defaultSources,
  eventCodecs,
  eventTypes,
  Instant,
  LeadActionRecordedV1,
  LeadCapturedV1,
  LeadContactedV1,
  LeadContactedV2,
  LeadConvertedV1,
  LeadDisqualifiedV1,
  LeadNurturingStartedV1,
  LeadQualifiedV1,
  LeadReopenedV1,
  nativeTypes,
  decodeNativeLifecycle,
  type NativeLifecycleType,
  withSources,
  type EventType,
  keyedHash,
} from '@leadstream/domain'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { catalogueEntry, qualification } from './fixtures/commands.js'
import * as ev from './fixtures/events.js'
import { azureTable, crmForm, marketplaceHttps, nativeLeadCaptured, nativeLifecycle, unmappedSources } from './fixtures/inbound.js'
import {
  accepted,
  agree,
  asShape,
  bySchema,
  fixture,
  hasSchema,
  idBase,
  ofDecoder,
  ofValidation,
  refused,
  schemaFiles,
  tableSchema,
  validatorOf,
  type Check,
  type Fixture,
  type Fixtures,
} from './harness.js'

const at = '2026-11-25T12:00:00.000Z'
const receipt = { receivedAt: at, identity: keyedHash(Buffer.from('test identity secret')) }

// ---------------------------------------------------------------------------------------------------------
// the schema files themselves
// ---------------------------------------------------------------------------------------------------------

const files = suite('schemas')

files('schemas :: every file is draft 2020-12 with an $id that mirrors its path', () => {
  assert.ok(schemaFiles.length > 0, 'no schema files found')
  for (const f of schemaFiles) {
    assert.is(f.json['$schema'], 'https://json-schema.org/draft/2020-12/schema', f.path)
    assert.is(f.json['$id'], idBase + f.path, f.path)
    assert.type(f.json['description'], 'string', `${f.path} has no description`)
  }
})

files('schemas :: every event type has a schema for each version up to its current one', () => {
  for (const type of eventTypes)
    for (let v = 1; v <= currentVersion[type]; v++) assert.ok(hasSchema(`events/${type}.v${v}.schema.json`), `no schemas/events/${type}.v${v}.schema.json`)
})

files('schemas :: every native inbound type has a schema for each version it accepts', () => {
  for (const [type, versions] of Object.entries(nativeTypes))
    for (const v of versions) assert.ok(hasSchema(`inbound/native/${type}.v${v}.schema.json`), `no schemas/inbound/native/${type}.v${v}.schema.json`)
})

files('schemas :: every schema compiles in strict mode, with its $refs resolved', () => {
  for (const f of schemaFiles) assert.type(validatorOf(f.path), 'function', f.path)
})

files.run()

// ---------------------------------------------------------------------------------------------------------
// Instant: every timestamp in every event and in the native format
// ---------------------------------------------------------------------------------------------------------

const instant = suite('Instant.v1')
const instantSchema = bySchema('common/instant.v1.schema.json')
const instantCodec: Check = (v) => ofValidation(Instant.decode(v))

const named = (pairs: ReadonlyArray<readonly [string, unknown]>): ReadonlyArray<Fixture> => pairs.map(([name, value]) => fixture(name, value))

agree(instant, 'Instant.v1', instantSchema, instantCodec, {
  valid: named([
    ['UTC with milliseconds', '2026-11-25T10:00:00.000Z'],
    ['UTC without a fraction', '2026-11-25T10:00:00Z'],
    ['a positive offset', '2026-11-25T11:00:00+01:00'],
    ['an offset without a colon', '2026-11-25T11:00:00+0100'],
    ['a time without seconds', '2026-11-25T10:00Z'],
    ['the end of a day (24:00)', '2026-11-25T24:00:00Z'],
    ['the 29th of February of a leap year', '2024-02-29T00:00:00Z'],
    ['a lower-case z', '2026-11-25T10:00:00z'],
  ]),
  invalid: named([
    ...ev.badInstants,
    ['the 29th of February of 1900', '1900-02-29T00:00:00Z'],
    ['the 31st of November', '2026-11-31T10:00:00Z'],
    ['a leap second', '2026-12-31T23:59:60Z'],
    ['a lower-case t', '2026-11-25t10:00:00Z'],
    ['a space for the T', '2026-11-25 10:00:00Z'],
    ['an hour offset without minutes', '2026-11-25T11:00:00+01'],
    ['trailing text', '2026-11-25T10:00:00Z (UTC)'],
  ]),
})

instant('Instant.v1 :: the schema and the codec agree on a grid of near-miss timestamps', () => {
  const dates = ['2024-02-29', '1900-02-29', '2000-02-29', '2026-02-28', '2026-04-31', '2026-12-31', '2026-13-01', '2026-00-10', '2026-11-00']
  const times = ['10:00', '10:00:00', '10:00:00.5', '23:59:59', '23:59:60', '24:00', '24:00:00.000', '24:00:01', '25:00', '10:60', '10:00.5', '1:00:00']
  const offsets = ['', 'Z', 'z', '+01:00', '-0530', '+23:59', '+24:00', '+01', '+01:60', ' Z', 'UTC']
  let checked = 0
  for (const date of dates)
    for (const sep of ['T', 't', ' '])
      for (const time of times)
        for (const offset of offsets) {
          const value = `${date}${sep}${time}${offset}`
          assert.is(instantSchema(value).ok, instantCodec(value).ok, value)
          checked++
        }
  assert.ok(checked > 3000)
})

instant.run()

// ---------------------------------------------------------------------------------------------------------
// event data, one suite per event type at its current version
// ---------------------------------------------------------------------------------------------------------

// A Record over EventType: adding an event type without fixtures here fails the type-check.
const eventFixtures: Record<EventType, Fixtures> = {
  LeadCaptured: ev.leadCaptured,
  LeadActionRecorded: ev.leadActionRecorded,
  LeadContacted: ev.leadContacted,
  LeadNurturingStarted: ev.leadNurturingStarted,
  LeadQualified: ev.leadQualified,
  LeadConverted: ev.leadConverted,
  LeadDisqualified: ev.leadDisqualified,
  LeadReopened: ev.leadReopened,
  PersonalDataErased: ev.personalDataErased,
  OfferClassified: ev.offerClassified,
}

for (const type of eventTypes) {
  const label = `${type}.v${currentVersion[type]}`
  const test = suite(label)
  // Widened to one decoder: each codec decodes unknown input.
  const codec: { decode: (u: unknown) => Parameters<typeof ofValidation>[0] } = eventCodecs[type]
  agree(test, label, bySchema(`events/${label}.schema.json`), (v) => ofValidation(codec.decode(v)), eventFixtures[type])
  test.run()
}

// ---------------------------------------------------------------------------------------------------------
// older event versions: stored events keep their version, so each older schema still agrees with its codec,
// and what the upcasters make of its valid data is valid data of the current version
// ---------------------------------------------------------------------------------------------------------

type Decode = { decode: (u: unknown) => Parameters<typeof ofValidation>[0] }

/** Keyed `<Type>.v<n>`: every version below a type's current one needs an entry (checked below). */
const previousVersions: Readonly<
  Record<string, { readonly type: EventType; readonly version: number; readonly codec: Decode; readonly fixtures: Fixtures; readonly opensPersonal?: true }>
> = {
  'LeadContacted.v1': { type: 'LeadContacted', version: 1, codec: LeadContactedV1, fixtures: ev.leadContactedV1, opensPersonal: true },
  'LeadContacted.v2': { type: 'LeadContacted', version: 2, codec: LeadContactedV2, fixtures: ev.leadContactedV2, opensPersonal: true },
  'LeadNurturingStarted.v1': {
    type: 'LeadNurturingStarted',
    version: 1,
    codec: LeadNurturingStartedV1,
    fixtures: ev.leadNurturingStartedV1,
    opensPersonal: true,
  },
  'LeadQualified.v1': { type: 'LeadQualified', version: 1, codec: LeadQualifiedV1, fixtures: ev.leadQualifiedV1, opensPersonal: true },
  'LeadConverted.v1': { type: 'LeadConverted', version: 1, codec: LeadConvertedV1, fixtures: ev.leadConvertedV1, opensPersonal: true },
  'LeadDisqualified.v1': { type: 'LeadDisqualified', version: 1, codec: LeadDisqualifiedV1, fixtures: ev.leadDisqualifiedV1, opensPersonal: true },
  'LeadReopened.v1': { type: 'LeadReopened', version: 1, codec: LeadReopenedV1, fixtures: ev.leadReopenedV1, opensPersonal: true },
  'LeadCaptured.v1': { type: 'LeadCaptured', version: 1, codec: LeadCapturedV1, fixtures: ev.leadCapturedV1, opensPersonal: true },
  'LeadActionRecorded.v1': { type: 'LeadActionRecorded', version: 1, codec: LeadActionRecordedV1, fixtures: ev.leadActionRecordedV1, opensPersonal: true },
}

const previous = suite('previous event versions')

previous('previous :: every version below a current one has fixtures for its schema and codec', () => {
  for (const type of eventTypes)
    for (let v = 1; v < currentVersion[type]; v++) assert.ok(previousVersions[`${type}.v${v}`] !== undefined, `no fixtures for ${type}.v${v}`)
})

for (const [label, p] of Object.entries(previousVersions)) {
  agree(previous, label, bySchema(`events/${label}.schema.json`), (v) => ofValidation(p.codec.decode(v)), p.fixtures)
  previous(`${label} :: its valid data, upcast on read, fits the current schema`, () => {
    const current = bySchema(`events/${p.type}.v${currentVersion[p.type]}.schema.json`)
    for (const f of p.fixtures.valid) {
      const read = decodeEvent(p.type, p.version, f.value)
      assert.ok(read._tag === 'Right', `${f.name}: ${JSON.stringify(read)}`)
      if (read._tag === 'Right') {
        assert.is(read.right.version, currentVersion[p.type], f.name)
        // Personal data a v1 writer left in clear is read as open personal data (in memory only); the current
        // schema, which admits sealed data only, must refuse it there and accept everything else.
        const data = read.right.data as Readonly<Record<string, unknown>>
        if (p.opensPersonal === true && data['personal'] !== null) {
          assert.not.ok(current(data).ok, `${f.name}: the current schema admits personal data in clear`)
          assert.ok(typeof data['personal'] === 'object' && 'open' in (data['personal'] as object), f.name)
        }
        const verdict = current(p.opensPersonal === true ? { ...data, personal: null } : data)
        assert.ok(verdict.ok, `${f.name}: ${verdict.why}`)
      }
    }
  })
}

previous.run()

// ---------------------------------------------------------------------------------------------------------
// the message envelope: the envelope schema, then the data schema its type and version name
// ---------------------------------------------------------------------------------------------------------

const envelope = suite('envelope.v1')
const envelopeSchema = bySchema('events/envelope.v1.schema.json')

const messageSchema: Check = (value) => {
  const outer = envelopeSchema(value)
  if (!outer.ok) return outer
  const m = value as { type: string; version: number; data: unknown }
  const path = `events/${m.type}.v${m.version}.schema.json`
  return hasSchema(path) ? bySchema(path)(m.data) : refused(`no schema ${path}`)
}

// decodeEvent takes type and version as the stores read them (typed columns); a message of the wrong JS
// types never reaches it.
const messageCodec: Check = (value) => {
  const m = value as { type?: unknown; version?: unknown; data?: unknown }
  if (typeof m.type !== 'string' || typeof m.version !== 'number') return refused('type or version of the wrong type')
  const r = decodeEvent(m.type, m.version, m.data)
  return r._tag === 'Right' ? accepted : refused(JSON.stringify(r.left))
}

agree(envelope, 'envelope.v1', messageSchema, messageCodec, ev.envelope)

envelope('envelope.v1 :: rejects malformed envelopes no codec reads yet', () => {
  for (const f of ev.envelopeSchemaOnly) assert.not.ok(envelopeSchema(f.value).ok, `the schema accepts ${f.name}`)
})

envelope.run()

// ---------------------------------------------------------------------------------------------------------
// leadstream's native inbound format
// ---------------------------------------------------------------------------------------------------------

const native = suite('native LeadCaptured.v1')
agree(native, 'native LeadCaptured.v1', bySchema('inbound/native/LeadCaptured.v1.schema.json'), (v) => ofDecoder(decodeNativeLead(v)), nativeLeadCaptured)
native.run()

const lifecycle = suite('native lifecycle events v1')
const lifecycleNeeds: Readonly<Record<NativeLifecycleType, Readonly<Record<string, unknown>>>> = {
  LeadContacted: {},
  LeadNurturingStarted: {},
  LeadQualified: {},
  LeadConverted: {},
  LeadDisqualified: { reason: 'not-interested' },
  LeadReopened: {},
  LeadActionRecorded: { action: 'StartTestDrive' },
}
for (const [type, needs] of Object.entries(lifecycleNeeds))
  agree(
    lifecycle,
    `native ${type}.v1`,
    bySchema(`inbound/native/${type}.v1.schema.json`),
    (v) => ofDecoder(decodeNativeLifecycle(type as NativeLifecycleType, v)),
    nativeLifecycle(type, needs, type !== 'LeadActionRecorded'),
  )
lifecycle('native LeadContacted.v1 :: a channel outside the list is refused by both', () => {
  const v = { type: 'LeadContacted', version: 1, eventId: 'e', leadId: 'L', occurredAt: '2026-11-26T09:30:00Z', data: { channel: 'fax' } }
  assert.not.ok(bySchema('inbound/native/LeadContacted.v1.schema.json')(v).ok)
  assert.not.ok(ofDecoder(decodeNativeLifecycle('LeadContacted', v)).ok)
})
lifecycle.run()

// ---------------------------------------------------------------------------------------------------------
// the marketplace's shapes
// ---------------------------------------------------------------------------------------------------------

const https = suite('marketplace-https.v1')
agree(https, 'marketplace-https.v1', bySchema('inbound/marketplace-https.v1.schema.json'), asShape('marketplace-https'), marketplaceHttps)

https('marketplace-https.v1 :: an unmapped lead source is well-shaped, refused by the domain until mapped', () => {
  const schema = bySchema('inbound/marketplace-https.v1.schema.json')
  const mapped = withSources({ TestDrive: 'AzureMarketplace', Marketo: 'AzureMarketplace' })
  for (const f of unmappedSources) {
    assert.ok(schema(f.value).ok, `the schema refuses ${f.name}`)
    const r = decodeMarketplaceLead(defaultSources, receipt, f.value)
    assert.ok(r._tag === 'Left' && r.left._tag === 'UnknownStorefront', `${f.name}: expected UnknownStorefront`)
    assert.is(decodeMarketplaceLead(mapped, receipt, f.value)._tag, 'Right', `${f.name}: refused even with a mapping`)
  }
})

https('marketplace-https.v1 :: key casing is canonicalised before the shape applies', () => {
  // The schema names canonical keys; the codec renames any casing first, so both spellings decode alike.
  const canonical = {
    UserDetails: { FirstName: 'Some', Email: 'someone@contoso.com' },
    LeadSource: 'AzureMarketplace',
    ActionCode: 'INS',
    OfferTitle: 'Contoso VM',
  }
  const asSent = {
    userDetails: { firstName: 'Some', EMAIL: 'someone@contoso.com' },
    leadSource: 'AzureMarketplace',
    actioncode: 'INS',
    offerTitle: 'Contoso VM',
  }
  assert.ok(bySchema('inbound/marketplace-https.v1.schema.json')(canonical).ok)
  assert.equal(decodeMarketplaceLead(defaultSources, receipt, asSent), decodeMarketplaceLead(defaultSources, receipt, canonical))
})

https.run()

const table = suite('azure-table.v1')
agree(table, 'azure-table.v1', tableSchema, asShape('azure-table'), azureTable)
table.run()

const form = suite('crm-form.v1')
agree(form, 'crm-form.v1', bySchema('inbound/crm-form.v1.schema.json'), asShape('crm-form'), crmForm)
form.run()

// ---------------------------------------------------------------------------------------------------------
// command bodies
// ---------------------------------------------------------------------------------------------------------

const command = suite('qualification.v1')
agree(command, 'qualification.v1', bySchema('commands/qualification.v1.schema.json'), (v) => ofDecoder(decodeQualificationCommand('L1', at, v)), qualification)

command('qualification.v1 :: length counts code points in the codec as in the schema', () => {
  // 150 emoji: 150 characters to JSON Schema and to the codec (300 UTF-16 units to String.length).
  const body = { type: 'ContactLead', by: '😀'.repeat(150) }
  assert.ok(bySchema('commands/qualification.v1.schema.json')(body).ok)
  assert.ok(ofDecoder(decodeQualificationCommand('L1', at, body)).ok)
})

command.run()

const catalogue = suite('catalogue-entry.v1')
agree(catalogue, 'catalogue-entry.v1', bySchema('commands/catalogue-entry.v1.schema.json'), (v) => ofDecoder(decodeCatalogueEntry(at, v)), catalogueEntry)
catalogue.run()
