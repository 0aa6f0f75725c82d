// The one mapping of a new delivery to its row, shared by both stores: its columns and values line up, and the row
// reads back (toDelivery) as the delivery that was put.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { captured, recorded, sealedFor, subscription } from './fixtures.js'
import { route } from './messages.js'
import { newDeliveryColumns, newDeliveryValues, toDelivery, type DeliveryRow } from './rows.js'

const test = suite('rows')

test('new delivery :: one value per column, read back as the delivery put', () => {
  const { outgoing } = route([recorded('r1', 0, captured('r1'))], new Map(), [subscription('s', { includeContact: true })])
  const o = outgoing[0]
  if (o?._tag !== 'Deliver') throw new Error('expected a delivery')
  const values = newDeliveryValues(o.delivery, Date.parse('2026-12-01T10:00:00.000Z'))
  assert.is(values.length, newDeliveryColumns.length)
  // What the store's defaults add to the inserted columns.
  const row = {
    seq: 1,
    status: 'pending',
    attempts: 0,
    last_error: null,
    last_status: null,
    delivered_at: null,
    ...Object.fromEntries(newDeliveryColumns.map((c, i) => [c, values[i]])),
  } as DeliveryRow
  const d = toDelivery(row)
  assert.equal(
    [d.id, d.subscriptionId, d.type, d.leadId, d.eventId, d.position, d.recordedAt],
    [o.delivery.id, 's', 'lead.captured', 'r1', o.delivery.message.eventId, o.delivery.message.position, o.delivery.message.recordedAt],
  )
  assert.equal(d.payload, o.delivery.message.payload)
  assert.equal(d.personal, { _tag: 'Sealed', sealed: sealedFor('r1'), country: 'GB' })
  assert.is(d.nextAttemptAt, '2026-12-01T10:00:00.000Z')
})

test.run()
