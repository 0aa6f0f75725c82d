// Opening a delivery's sealed contact data at send time with a real key store: what ingest sealed opens for the
// attempt; once the subject's keys are shredded (an erasure), nothing opens, so nothing personal is sent.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { event, noteTextOf, offer, Sealed } from '@leadstream/domain'
import { masterKey, newKey, sealEvents, sqliteKeyStore, subjectOfEmail } from '@leadstream/privacy'
import { personalOpener } from './personal.js'

const test = suite('personalOpener')

test('open :: a sealed capture opens with the key store; after shredding it opens as nothing; so does a sealed note', async () => {
  const keys = await sqliteKeyStore({ path: ':memory:', master: { current: masterKey(newKey()), previous: [] } })
  const secret = { bytes: Buffer.from('test identity secret') }
  try {
    const capture = event('LeadCaptured', {
      leadId: 'L1',
      storefront: 'AppSource',
      campaign: 'nurture',
      leadSource: 'AppSource',
      action: 'INS',
      offer: offer('contoso.crm', 'Contoso CRM'),
      country: 'GB',
      campaigns: [],
      isTest: false,
      doNotContact: false,
      format: 'native',
      occurredAt: '2026-12-01T09:00:00.000Z',
      personal: {
        open: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '1', company: 'Analytical', title: 'CTO', description: 'call me' },
      },
    })
    const [sealedEvent] = await sealEvents({ keys, secret }, [{ eventId: 'e1', event: capture, metadata: {} }])
    const data = sealedEvent!.event.data as { personal: unknown }
    assert.ok(Sealed.is(data.personal), 'ingest stores it sealed')
    const sealed = data.personal as Sealed
    const open = personalOpener(keys)
    assert.equal(await open('L1', { _tag: 'Sealed', sealed, country: 'GB' }), {
      contact: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@example.com',
        phone: '1',
        country: 'GB',
        company: 'Analytical',
        title: 'CTO',
        description: 'call me',
      },
    })
    const qualified = event('LeadQualified', { leadId: 'L1', by: 'sales@contoso', at: '2026-12-01T09:30:00.000Z', personal: noteTextOf('spoke to her') })
    const [sealedNote] = await sealEvents({ keys, secret }, [{ eventId: 'e2', event: qualified, metadata: {} }])
    const note = (sealedNote!.event.data as { personal: unknown }).personal
    assert.ok(Sealed.is(note), 'the note is stored sealed')
    const ref = { _tag: 'Note', sealed: note as Sealed, type: 'LeadQualified' } as const
    assert.equal(await open('L1', ref), { note: 'spoke to her' }, 'opened with the key of the lead’s subject')
    await keys.shred(subjectOfEmail(secret, 'ada@example.com')!)
    assert.is(await open('L1', { _tag: 'Sealed', sealed, country: 'GB' }), null, 'erased: nothing to send')
    assert.is(await open('L1', ref), null, 'nor the note')
  } finally {
    await keys.close()
  }
})

test.run()
