// Sealing and opening events: the round trip, tampering and moved ciphertext fail, a shredded key reads as
// erased (the same every time), leads without personal data get no key, and an action uses its lead's key.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  emptyCustomer,
  event,
  offer,
  personalOf,
  actionTextOf,
  noteTextOf,
  Sealed,
  type DomainEvent,
  type NewEvent,
  type RecordedEvent,
} from '@leadstream/domain'
import { sqliteEventStore } from '@leadstream/event-store'
import { masterKey, newKey } from './crypto.js'
import type { KeyStore } from './port.js'
import { openContact, openEvents, openNote, sealEvents, TamperedRecord, UnknownDataKey, unsealer } from './seal.js'
import { sqliteKeyStore } from './sqlite/store.js'
import { subjectOfEmail, subjectOfLead } from './subject.js'

const secret = { bytes: Buffer.from('seal test secret') }
const ada = {
  ...emptyCustomer,
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'Ada@Example.com ',
  phone: '+44 20 7946 0000',
  company: 'Engines',
  title: 'CTO',
  country: 'GB',
}

const captured = (leadId: string, customer = ada, description: string | null = 'call me on Tuesday'): NewEvent => ({
  eventId: `cap-${leadId}`,
  event: event('LeadCaptured', {
    leadId,
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer('contoso.crm', null),
    country: customer.country,
    personal: personalOf(customer, description),
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-11-25T10:00:00.000Z',
  }),
  metadata: {},
})
const action = (leadId: string, description: string | null): NewEvent => ({
  eventId: `act-${leadId}`,
  event: event('LeadActionRecorded', {
    leadId,
    leadSource: 'SPZA',
    action: 'INS',
    campaigns: [],
    doNotContact: false,
    occurredAt: '2026-11-26T10:00:00.000Z',
    personal: actionTextOf(description),
  }),
  metadata: {},
})
const qualified = (leadId: string, note: string | null): NewEvent => ({
  eventId: `q-${leadId}`,
  event: event('LeadQualified', { leadId, by: 'sam@contoso', at: '2026-11-27T10:00:00.000Z', personal: noteTextOf(note) }),
  metadata: {},
})
const recorded = (events: ReadonlyArray<NewEvent>): RecordedEvent[] =>
  events.map((e, i) => ({ ...e, streamId: 'lead-x', revision: i, position: i + 1, recordedAt: '2026-11-25T10:00:00.000Z' }))
const dataOf = (e: DomainEvent | undefined): Record<string, unknown> => (e?.data ?? {}) as Record<string, unknown>

const withKeys = async (f: (keys: KeyStore) => Promise<void>) => {
  const keys = await sqliteKeyStore({ path: ':memory:', master: { current: masterKey(newKey()), previous: [] } })
  try {
    await f(keys)
  } finally {
    await keys.close()
  }
}

const test = suite('seal')

test('round trip :: sealed events hold no plaintext; opened they equal what was sealed', () =>
  withKeys(async (keys) => {
    const events = [captured('L1'), action('L1', 'Campaigns: expo, phone me')]
    const sealed = await sealEvents({ keys, secret }, events)
    const text = JSON.stringify(sealed)
    for (const needle of ['Lovelace', 'ada@example.com', 'Ada@Example.com', '+44 20 7946 0000', 'Engines', 'Tuesday', 'phone me'])
      assert.not.ok(text.includes(needle), needle)
    assert.ok(text.includes('"GB"'), 'the country stays in clear')
    const p0 = dataOf(sealed[0]?.event)['personal'] as { keyId: string }
    const p1 = dataOf(sealed[1]?.event)['personal'] as { keyId: string }
    assert.is(p1.keyId, p0.keyId, 'a later action of the lead is sealed with its subject’s key')
    const opened = await openEvents(keys, recorded(sealed))
    assert.equal(
      opened.map((r) => r.event),
      events.map((e) => e.event),
    )
    assert.equal(await keys.leadsOf(subjectOfEmail(secret, 'ada@example.com')!), ['L1'])
  }))

test('notes :: a transition’s note is sealed with its lead’s subject key, `by` stays clear, and reads as erased once shredded', () =>
  withKeys(async (keys) => {
    const [capture] = await sealEvents({ keys, secret }, [captured('L1')])
    // Another batch: the lead's subject is found in the key store, as for an action.
    const sealed = await sealEvents({ keys, secret }, [
      qualified('L1', 'called Ada on +44 20 7946 0000'),
      qualified('L9', 'left a voicemail'),
      qualified('L1', null),
    ])
    const text = JSON.stringify(sealed)
    // Needles with a space: a bare '7946' turns up by chance in the hex of key ids and in base64.
    for (const needle of ['called Ada', '+44 20 7946 0000', 'voicemail']) assert.not.ok(text.includes(needle), needle)
    assert.ok(text.includes('"by":"sam@contoso"'), 'the employee who acted stays in clear')
    const keyOf = (e: NewEvent | undefined) => (dataOf(e?.event)['personal'] as { keyId: string }).keyId
    assert.is(keyOf(sealed[0]), keyOf(capture), 'the lead’s subject key')
    assert.is.not(keyOf(sealed[1]), keyOf(capture), 'a lead the key store does not know gets its own subject')
    assert.equal(await keys.leadsOf(subjectOfLead(secret, 'L9')), ['L9'])
    assert.is(dataOf(sealed[2]?.event)['personal'], null, 'no note: nothing sealed')
    const opened = await openEvents(keys, recorded(sealed))
    assert.equal(
      opened.map((r) => r.event),
      [qualified('L1', 'called Ada on +44 20 7946 0000'), qualified('L9', 'left a voicemail'), qualified('L1', null)].map((e) => e.event),
    )
    await keys.shred(subjectOfEmail(secret, 'ada@example.com')!)
    const after = await openEvents(keys, recorded(sealed))
    assert.equal(
      after.map((r) => dataOf(r.event)['personal']),
      [{ erased: true }, { open: { note: 'left a voicemail' } }, null],
    )
  }))

test('tamper :: a flipped tag, a record moved to another lead or event type does not open', () =>
  withKeys(async (keys) => {
    const [sealed] = recorded(await sealEvents({ keys, secret }, [captured('L1')]))
    const personal = dataOf(sealed!.event)['personal'] as { tag: string }
    const tag = Buffer.from(personal.tag, 'base64')
    tag[0] = tag[0]! ^ 1
    const flipped = {
      ...sealed!,
      event: { ...sealed!.event, data: { ...dataOf(sealed!.event), personal: { ...personal, tag: tag.toString('base64') } } },
    } as RecordedEvent
    const moved = { ...sealed!, event: { ...sealed!.event, data: { ...dataOf(sealed!.event), leadId: 'L2' } } } as RecordedEvent
    for (const bad of [flipped, moved]) {
      try {
        await openEvents(keys, [bad])
        assert.unreachable('opened a tampered record')
      } catch (e) {
        assert.instance(e, TamperedRecord)
      }
    }
    const asAction = { ...sealed!, event: { type: 'LeadActionRecorded', version: 2, data: { ...dataOf(sealed!.event) } } } as RecordedEvent
    try {
      await openEvents(keys, [asAction])
      assert.unreachable('opened a record moved to another event type')
    } catch (e) {
      assert.instance(e, TamperedRecord)
    }
  }))

test('shred :: the subject’s events read as erased, every time; other subjects are untouched', () =>
  withKeys(async (keys) => {
    const sealed = recorded(await sealEvents({ keys, secret }, [captured('L1'), captured('L2', { ...ada, email: 'grace@example.com' })]))
    assert.is(await keys.shred(subjectOfEmail(secret, 'ada@example.com')!), 1)
    const once = await openEvents(keys, sealed)
    const again = await unsealer(keys)(sealed[0]!)
    assert.equal(dataOf(once[0]?.event)['personal'], { erased: true })
    assert.equal(again, once[0])
    assert.equal((dataOf(once[1]?.event)['personal'] as { open: { email: string } }).open.email, 'grace@example.com')
  }))

test('unknown key :: a key store that never held the key (wrong or empty store) fails loudly instead of reading as erased', () =>
  withKeys(async (keys) => {
    const sealed = recorded(await sealEvents({ keys, secret }, [captured('L1'), captured('L2', { ...ada, email: 'grace@example.com' })]))
    await keys.shred(subjectOfEmail(secret, 'ada@example.com')!)
    await withKeys(async (other) => {
      try {
        await openEvents(other, sealed)
        assert.unreachable('an empty key store redacted every lead')
      } catch (e) {
        assert.instance(e, UnknownDataKey)
        assert.equal((e as UnknownDataKey).keyIds.length, 2, 'both keys are unknown there, the shredded one too')
      }
    })
    const opened = await openEvents(keys, sealed)
    assert.equal(dataOf(opened[0]?.event)['personal'], { erased: true }, 'in its own store the shredded key still reads as erased')
  }))

test('no personal data :: an .edu lead (empty contact fields) gets no key, no link and no sealed field', () =>
  withKeys(async (keys) => {
    const edu = captured('E1', { ...emptyCustomer, country: 'US' }, null)
    const sealed = await sealEvents({ keys, secret }, [edu, action('E1', null)])
    assert.equal(sealed, [edu, action('E1', null)])
    assert.equal(
      (await keys.wrappedBy()).reduce((n, w) => n + w.keys, 0),
      0,
    )
    assert.equal(await keys.subjectsOfLeads(['E1']), new Map())
  }))

test('no email :: contact fields without an email get the lead’s own subject (still erasable)', () =>
  withKeys(async (keys) => {
    await sealEvents({ keys, secret }, [captured('N1', { ...ada, email: '' })])
    assert.equal(await keys.leadsOf(subjectOfLead(secret, 'N1')), ['N1'])
    assert.is(await keys.shred(subjectOfLead(secret, 'N1')), 1)
  }))

test('store guard :: the event store refuses open personal data, and takes it sealed', () =>
  withKeys(async (keys) => {
    const store = sqliteEventStore({ path: ':memory:' })
    try {
      const open = captured('G1')
      try {
        await store.appendMany([{ streamId: 'lead-G1', expectedRevision: 'no-stream', events: [open] }])()
        assert.unreachable('stored personal data in clear')
      } catch (e) {
        assert.match(String(e), /personal data in clear/)
      }
      const sealed = await sealEvents({ keys, secret }, [open])
      const [r] = await store.appendMany([{ streamId: 'lead-G1', expectedRevision: 'no-stream', events: sealed }])()
      assert.is(r?._tag, 'Right')
    } finally {
      await store.close()
    }
  }))

test('one record :: openContact and openNote open a sealed record kept apart from its event, bound to its lead and type', () =>
  withKeys(async (keys) => {
    const sealed = await sealEvents({ keys, secret }, [captured('L1'), qualified('L1', 'spoke to Ada')])
    const contact = dataOf(sealed[0]?.event)['personal']
    const note = dataOf(sealed[1]?.event)['personal']
    if (!Sealed.is(contact) || !Sealed.is(note)) throw new Error('expected both sealed')
    assert.equal(await openContact(keys, 'L1', contact), {
      open: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'Ada@Example.com ',
        phone: '+44 20 7946 0000',
        company: 'Engines',
        title: 'CTO',
        description: 'call me on Tuesday',
      },
    })
    assert.equal(await openNote(keys, 'L1', 'LeadQualified', note), { open: { note: 'spoke to Ada' } })
    try {
      await openContact(keys, 'L2', contact)
      assert.unreachable('a record moved to another lead must not open')
    } catch (e) {
      assert.instance(e, TamperedRecord)
    }
    try {
      await openNote(keys, 'L1', 'LeadConverted', note)
      assert.unreachable('a note under another event type must not open')
    } catch (e) {
      assert.instance(e, TamperedRecord)
    }
    await withKeys(async (other) => {
      try {
        await openContact(other, 'L1', contact)
        assert.unreachable('a key store that never held the key must not read as erased')
      } catch (e) {
        assert.instance(e, UnknownDataKey)
      }
    })
    await keys.shred(subjectOfEmail(secret, ada.email)!)
    assert.equal(await openContact(keys, 'L1', contact), { erased: true })
    assert.equal(await openNote(keys, 'L1', 'LeadQualified', note), { erased: true })
  }))

test.run()
