// Reading events back: type and version checks, decoding with field paths, and upcasting old versions.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { FieldProblem } from './decodeError.js'
import { decodeEvent, upcasters } from './decodeEvent.js'
import { currentVersion, event, eventTypes, type DomainEvent, type EventType, personalOf } from './events.js'
import { emptyCustomer, offer } from './model.js'

/** A transition's data, as LeadContacted v1 (and every other transition at v1) stored it. */
const contacted = { leadId: 'L1', by: 'sam', at: '2026-11-25T11:00:00Z', note: null }
const erasedV1 = { ...contacted, subject: 's1', reason: 'request' }
/** A transition's data as the current versions store it: the note sealed in `personal` (null: none). */
const sealedNote = { keyId: 'dk-1', iv: 'aXY=', data: 'ZGF0YQ==', tag: 'dGFn' }
const current = { leadId: 'L1', by: 'sam', at: '2026-11-25T11:00:00Z', personal: sealedNote }

const paths = (r: E.Either<ReadonlyArray<FieldProblem>, DomainEvent>): ReadonlyArray<string> => {
  if (E.isRight(r)) throw new Error(`expected a failure, got ${JSON.stringify(r.right)}`)
  return r.left.map((p) => p.path)
}

/** Runs `body` with `type` at a higher current version and the given upcasters, then restores both. */
const withVersion = (type: EventType, version: number, steps: Readonly<Record<number, (data: unknown) => unknown>>, body: () => void): void => {
  const savedVersion = currentVersion[type]
  const savedSteps = upcasters[type]
  currentVersion[type] = version
  upcasters[type] = steps
  try {
    body()
  } finally {
    currentVersion[type] = savedVersion
    if (savedSteps === undefined) delete upcasters[type]
    else upcasters[type] = savedSteps
  }
}

const test = suite('decodeEvent')

test('decodeEvent :: a current event decodes, its instants normalised', () => {
  assert.equal(decodeEvent('LeadQualified', 2, current), E.right({ type: 'LeadQualified', version: 2, data: { ...current, at: '2026-11-25T11:00:00.000Z' } }))
  assert.equal(
    decodeEvent('LeadContacted', 3, { ...current, channel: 'email' }),
    E.right({ type: 'LeadContacted', version: 3, data: { ...current, at: '2026-11-25T11:00:00.000Z', channel: 'email' } }),
  )
})

test('decodeEvent :: a stored transition refuses its note in clear or open (the stores hold it sealed only)', () => {
  assert.equal(paths(decodeEvent('LeadQualified', 2, { ...current, personal: 'called Ann' })), ['data.personal'])
  const open = paths(decodeEvent('LeadQualified', 2, { ...current, personal: { open: { note: 'called Ann' } } }))
  assert.ok(open.length > 0 && open.every((p) => p.startsWith('data.personal')), open.join())
  assert.equal(paths(decodeEvent('LeadQualified', 2, contacted)), ['data.personal'], 'a v1 shape stored as v2')
})

test('decodeEvent :: a v1 transition’s clear note reads as open (in memory only), a blank one as none', () => {
  for (const type of ['LeadNurturingStarted', 'LeadQualified', 'LeadConverted'] as const) {
    const r = decodeEvent(type, 1, { ...contacted, note: 'called Ann' })
    assert.equal(
      r,
      E.right({ type, version: 2, data: { leadId: 'L1', by: 'sam', at: '2026-11-25T11:00:00.000Z', personal: { open: { note: 'called Ann' } } } }),
      type,
    )
  }
  const blank = decodeEvent('LeadDisqualified', 1, { ...contacted, note: '  ', reason: 'lost' })
  assert.ok(E.isRight(blank) && blank.right.type === 'LeadDisqualified' && blank.right.data.personal === null)
  const reopened = decodeEvent('LeadReopened', 1, { ...contacted, to: 'qualified' })
  assert.ok(E.isRight(reopened) && reopened.right.type === 'LeadReopened' && reopened.right.data.personal === null && reopened.right.data.to === 'qualified')
})

test('decodeEvent :: a stored LeadContacted v1 reads as v3 with channel null (not recorded)', () => {
  assert.equal(
    decodeEvent('LeadContacted', 1, contacted),
    E.right({ type: 'LeadContacted', version: 3, data: { leadId: 'L1', by: 'sam', at: '2026-11-25T11:00:00.000Z', personal: null, channel: null } }),
  )
  // v1 never checked a channel, so one a v1 writer left behind is not trusted.
  const r = decodeEvent('LeadContacted', 1, { ...contacted, channel: 'phone' })
  assert.ok(E.isRight(r) && r.right.type === 'LeadContacted' && r.right.data.channel === null)
  // The note is read into `personal`: a bad one is named there.
  assert.equal(paths(decodeEvent('LeadContacted', 1, { ...contacted, note: 7 })), ['data.personal'], 'v1 data is still checked, after the upcast')
})

test('decodeEvent :: LeadContacted v2 needs a known channel or null; v4 does not exist', () => {
  assert.equal(paths(decodeEvent('LeadContacted', 2, contacted)), ['data.channel'], 'a v2 without channel')
  assert.equal(paths(decodeEvent('LeadContacted', 2, { ...contacted, channel: 'fax' })), ['data.channel'])
  assert.equal(paths(decodeEvent('LeadContacted', 4, { ...current, channel: 'email' })), ['version'])
})

test('decodeEvent :: every type has an upcaster for each version below its current one', () => {
  for (const type of eventTypes) for (let v = 1; v < currentVersion[type]; v++) assert.type(upcasters[type]?.[v], 'function', `${type} v${v} → v${v + 1}`)
})

test('decodeEvent :: an event the decider wrote reads back as itself after JSON', () => {
  const written = event('LeadCaptured', {
    leadId: 'L1',
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA-PLT|contoso.crm',
    action: 'PLT',
    offer: offer('contoso.crm', 'Contoso CRM'),
    country: { ...emptyCustomer, email: 'ada@contoso.com' }.country,
    personal: personalOf({ ...emptyCustomer, email: 'ada@contoso.com' }, null),
    campaigns: ['spring-launch'],
    isTest: false,
    doNotContact: false,
    format: 'crm-form',
    occurredAt: '2026-11-25T10:00:00.000Z',
  })
  // Open personal data is never stored: the stored codec refuses it; sealed, the event reads back as itself.
  assert.equal(paths(decodeEvent(written.type, written.version, JSON.parse(JSON.stringify(written.data)))), [
    'data.personal.keyId',
    'data.personal.iv',
    'data.personal.data',
    'data.personal.tag',
  ])
  const sealed = { ...written, data: { ...written.data, personal: { keyId: 'dk-1', iv: 'aXY=', data: 'ZGF0YQ==', tag: 'dGFn' } } }
  assert.equal(decodeEvent(sealed.type, sealed.version, JSON.parse(JSON.stringify(sealed.data))), E.right(sealed))
})

test('decodeEvent :: a v1 capture (contact fields in clear, before sealing) reads as v2 with its personal data open', () => {
  const v1 = {
    leadId: 'L1',
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer('contoso.crm', null),
    customer: { ...emptyCustomer, email: 'ada@contoso.com', country: 'DE' },
    description: 'call me',
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-11-25T10:00:00.000Z',
  }
  const r = decodeEvent('LeadCaptured', 1, v1)
  assert.ok(E.isRight(r) && r.right.type === 'LeadCaptured' && r.right.version === 2)
  if (E.isRight(r) && r.right.type === 'LeadCaptured') {
    assert.is(r.right.data.country, 'DE')
    assert.equal(r.right.data.personal, {
      open: { firstName: '', lastName: '', email: 'ada@contoso.com', phone: '', company: '', title: '', description: 'call me' },
    })
  }
  const edu = decodeEvent('LeadCaptured', 1, { ...v1, customer: emptyCustomer, description: null })
  assert.ok(E.isRight(edu) && edu.right.type === 'LeadCaptured' && edu.right.data.personal === null, 'no personal data: null')
})

test('decodeEvent :: an unknown type is named at type', () => {
  for (const type of ['LeadArchived', 'leadcontacted', '', 'toString']) assert.equal(paths(decodeEvent(type, 1, contacted)), ['type'], type)
})

test('decodeEvent :: a version outside 1..current is named at version', () => {
  for (const version of [0, -1, 3, 1.5, Number.NaN]) assert.equal(paths(decodeEvent('LeadQualified', version, contacted)), ['version'], String(version))
  for (const version of [0, 4, 1.5]) assert.equal(paths(decodeEvent('LeadContacted', version, contacted)), ['version'], `LeadContacted ${version}`)
})

test('decodeEvent :: data that does not match names the field under data', () => {
  assert.equal(paths(decodeEvent('LeadDisqualified', 1, { ...contacted, reason: 'bored' })), ['data.reason'])
  assert.equal(paths(decodeEvent('LeadContacted', 1, { ...contacted, at: 'tomorrow' })), ['data.at'])
  assert.equal(paths(decodeEvent('OfferClassified', 1, { offerKey: 'id:x', offerId: 'x', offerTitle: null, kind: 'spaceship', by: 'sam', at: contacted.at })), [
    'data.kind',
  ])
  assert.equal(paths(decodeEvent('LeadContacted', 1, 'not an object')), ['data'])
})

test('decodeEvent :: an old version is upcast step by step to the current one', () => {
  // A made-up history of PersonalDataErased: v1 named the actor `who`; v2 added a `channel`; v3 (the current
  // codec) has `by` and ignores extras.
  const v1 = { leadId: 'L1', who: 'sam', at: '2026-11-25T11:00:00Z', note: null, subject: 's1', reason: 'request' }
  const calls: string[] = []
  const steps = {
    1: (d: unknown) => {
      calls.push('1→2')
      const { who, ...rest } = d as { who: string }
      return { ...rest, by: who, channel: 'phone' }
    },
    2: (d: unknown) => {
      calls.push('2→3')
      return { ...(d as object), note: (d as { channel: string }).channel }
    },
  }
  withVersion('PersonalDataErased', 3, steps, () => {
    const r = decodeEvent('PersonalDataErased', 1, v1)
    assert.ok(E.isRight(r))
    if (E.isRight(r)) {
      assert.is(r.right.version, 3)
      assert.equal(r.right.data, { leadId: 'L1', by: 'sam', at: '2026-11-25T11:00:00.000Z', note: 'phone', channel: 'phone', subject: 's1', reason: 'request' })
    }
    assert.equal(calls, ['1→2', '2→3'])
    calls.length = 0
    const fromV2 = decodeEvent('PersonalDataErased', 2, { ...erasedV1, channel: 'email', note: 'x' })
    assert.ok(E.isRight(fromV2) && fromV2.right.type === 'PersonalDataErased' && fromV2.right.data.note === 'email')
    assert.equal(calls, ['2→3'], 'only the steps above the stored version run')
    assert.equal(paths(decodeEvent('PersonalDataErased', 4, erasedV1)), ['version'])
  })
  assert.is(currentVersion.PersonalDataErased, 1, 'restored')
  assert.is(upcasters.PersonalDataErased, undefined, 'restored')
})

test('decodeEvent :: a missing upcaster step is named at version', () => {
  withVersion('PersonalDataErased', 3, { 2: (d) => d }, () => {
    assert.equal(paths(decodeEvent('PersonalDataErased', 1, erasedV1)), ['version'])
    assert.ok(E.isRight(decodeEvent('PersonalDataErased', 2, erasedV1)))
  })
})

test.run()
