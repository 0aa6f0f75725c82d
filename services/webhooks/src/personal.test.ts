// Opening a delivery's sealed contact data at send time with a real key store: what ingest sealed opens for the
// attempt; once the subject's keys are shredded (an erasure), nothing opens, so nothing personal is sent.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { event, offer, Sealed } from '@leadstream/domain'
import { masterKey, newKey, sealEvents, sqliteKeyStore, subjectOfEmail } from '@leadstream/privacy'
import { personalOpener } from './personal.js'

const test = suite('personalOpener')

test('open :: a sealed capture opens with the key store; after shredding it opens as nothing; notes pass as they are', async () => {
  const keys = await sqliteKeyStore({ path: ':memory:', master: { current: masterKey(newKey()), previous: [] } })
  const secret = { bytes: Buffer.from('test identity secret') }
  try {
    const capture = event('LeadCaptured', {
      leadId: 'L1', storefront: 'AppSource', campaign: 'nurture', leadSource: 'AppSource', action: 'INS', offer: offer('contoso.crm', 'Contoso CRM'),
      country: 'GB', campaigns: [], isTest: false, doNotContact: false, format: 'native', occurredAt: '2026-12-01T09:00:00.000Z',
      personal: { open: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '1', company: 'Analytical', title: 'CTO', description: 'call me' } },
    })
    const [sealedEvent] = await sealEvents({ keys, secret }, [{ eventId: 'e1', event: capture, metadata: {} }])
    const data = sealedEvent!.event.data as { personal: unknown }
    assert.ok(Sealed.is(data.personal), 'ingest stores it sealed')
    const sealed = data.personal as Sealed
    const open = personalOpener(keys)
    assert.equal(await open('L1', { _tag: 'Sealed', sealed, country: 'GB' }), {
      contact: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', phone: '1', country: 'GB', company: 'Analytical', title: 'CTO', description: 'call me' },
    })
    assert.equal(await open('L1', { _tag: 'Note', note: 'spoke to her' }), { note: 'spoke to her' })
    await keys.shred(subjectOfEmail(secret, 'ada@example.com')!)
    assert.is(await open('L1', { _tag: 'Sealed', sealed, country: 'GB' }), null, 'erased: nothing to send')
  } finally {
    await keys.close()
  }
})

test.run()
