// The order of the two group commits under sealing: an event is committed to events.db only after keys.db's
// fsync of its data key completed, and the append answers only after events.db's own fsync completed.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { emptyCustomer, event, offer, personalOf, type NewEvent } from '@leadstream/domain'
import { sqliteEventStore } from '@leadstream/event-store'
import { eventually } from '../../../../test/support/eventually.js'
import { masterKey, newKey } from '../crypto.js'
import { sealingStore } from '../wrap.js'
import { sqliteKeyStore } from './store.js'

/** An fsync finished by the test: the pending ones, in call order. */
const heldSync = () => {
  const pending: Array<() => void> = []
  return { pending, sync: () => new Promise<void>((resolve) => pending.push(resolve)) }
}

const captured = (leadId: string): NewEvent => ({
  eventId: `cap-${leadId}`,
  event: event('LeadCaptured', {
    leadId,
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer('contoso.crm', null),
    country: 'GB',
    personal: personalOf({ ...emptyCustomer, firstName: 'Ada', email: 'ada@example.com' }, null),
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-11-25T10:00:00.000Z',
  }),
  metadata: {},
})

const test = suite('group commit order')

test('sealing :: the event is committed only after its key is fsynced, and answered only after its own fsync', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadstream-order-'))
  const keysFsync = heldSync()
  const eventsFsync = heldSync()
  const keys = await sqliteKeyStore({ path: join(dir, 'keys.db'), master: { current: masterKey(newKey()), previous: [] }, sync: keysFsync.sync })
  const store = sqliteEventStore({ path: join(dir, 'events.db'), sync: eventsFsync.sync })
  const sealing = sealingStore(store, { keys, secret: { bytes: Buffer.from('order test secret') } })
  const events = () => store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM events').get()?.n
  try {
    let answered = false
    const appended = sealing
      .appendMany([{ streamId: 'lead-L1', expectedRevision: 'no-stream', events: [captured('L1')] }])()
      .finally(() => {
        answered = true
      })
    await eventually('the key store to ask for its fsync', () => (keysFsync.pending.length === 1 ? true : undefined))
    assert.is(events(), 0, 'nothing in events.db while the key is not on disk')
    assert.is(eventsFsync.pending.length, 0)
    keysFsync.pending[0]?.()
    await eventually('the event store to ask for its fsync', () => (eventsFsync.pending.length === 1 ? true : undefined))
    assert.is(events(), 1, 'committed once the key was synced')
    assert.not.ok(answered, 'not answered before its own fsync')
    eventsFsync.pending[0]?.()
    const [result] = await appended
    assert.is(result?._tag === 'Right' ? result.right._tag : result?.left._tag, 'Appended')
  } finally {
    keysFsync.pending.forEach((f) => f())
    eventsFsync.pending.forEach((f) => f())
    await store.close()
    await keys.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
