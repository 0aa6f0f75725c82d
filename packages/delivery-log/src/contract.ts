// The one contract every delivery log passes (SQLite and PostgreSQL): the checkpoint moves with the deliveries,
// one lead's deliveries go out in order, parked ones hold their lead's later ones back until replayed, an
// erasure reaches every subscription that had the lead and drops the contact data kept for it.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { captured, contacted, erased, qualified, recorded, sealedFor, subscription } from './fixtures.js'
import { leadsToLookUp, route } from './messages.js'
import type { WebhookStore } from './port.js'

const at = (s: string) => new Date(`2026-12-01T${s}Z`)

/** Routes events through the pure messages as the dispatcher does, and records them at `offset`. */
const feed = async (store: WebhookStore, offset: number, events: Parameters<typeof route>[0], partition = 0) => {
  const known = await store.facts(leadsToLookUp(events))
  const { outgoing, facts } = route(events, known, await store.subscriptions())
  await store.record({ partition, offset, facts, outgoing, now: at('10:00:00') })
}

export const webhookStoreContract = (name: string, open: () => Promise<WebhookStore>): void => {
  const test = suite(`webhook store contract (${name})`)

  test('subscriptions :: added, listed, read back, removed with their deliveries', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('a', { filters: { storefronts: ['AppSource'], includeTest: true }, includeContact: true, description: 'CRM' }))
      await store.addSubscription(subscription('b'))
      assert.equal(
        (await store.subscriptions()).map((s) => s.id),
        ['a', 'b'],
      )
      const a = await store.subscription('a')
      assert.equal(a?.filters, { storefronts: ['AppSource'], includeTest: true })
      assert.is(a?.includeContact, true)
      assert.is(a?.description, 'CRM')
      await feed(store, 1, [recorded('l1', 0, captured('l1'))])
      assert.ok(await store.removeSubscription('a'))
      assert.not.ok(await store.removeSubscription('a'))
      assert.is(await store.subscription('a'), null)
      assert.is((await store.deliveries('a', { limit: 10 })).length, 0)
      assert.is((await store.deliveries('b', { limit: 10 })).length, 1)
    } finally {
      await store.close()
    }
  })

  test('record :: checkpoint and deliveries commit together; a batch read again adds nothing', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('a'))
      const batch = [recorded('l1', 0, captured('l1')), recorded('l1', 1, contacted('l1'))]
      await feed(store, 7, batch)
      await feed(store, 7, batch)
      await feed(store, 3, batch, 1)
      assert.equal(
        [...(await store.checkpoints())].sort((x, y) => x.partition - y.partition),
        [
          { partition: 0, offset: 7 },
          { partition: 1, offset: 3 },
        ],
      )
      const ds = await store.deliveries('a', { limit: 10 })
      assert.equal(
        ds.map((d) => d.type),
        ['lead.captured', 'lead.state_changed'],
      )
      assert.is((await store.facts(['l1'])).get('l1')?.state, 'contacted')
      assert.is(ds[0]?.personal, null, 'no personal data kept for a subscription that did not ask')
    } finally {
      await store.close()
    }
  })

  test('record :: two leads whose events carry the same upstream event id each get their delivery', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('a'))
      // Event ids are unique per stream only: upstream systems number their own events, per lead.
      const same = (e: ReturnType<typeof recorded>, eventId = 'upstream-7') => ({ ...e, eventId })
      await feed(store, 1, [same(recorded('l1', 0, captured('l1'))), same(recorded('l2', 0, captured('l2')))])
      const ds = await store.deliveries('a', { limit: 10 })
      assert.equal(
        ds.map((d) => d.leadId),
        ['l1', 'l2'],
        "the second lead's delivery is not taken for a re-read of the first",
      )
      assert.is.not(ds[0]!.id, ds[1]!.id)
      await feed(store, 2, [same(recorded('l1', 1, erased('l1')), 'upstream-8'), same(recorded('l2', 1, erased('l2')), 'upstream-8')])
      assert.equal(
        (await store.deliveries('a', { limit: 10 })).map((d) => [d.leadId, d.type]),
        [
          ['l1', 'lead.captured'],
          ['l2', 'lead.captured'],
          ['l1', 'lead.erased'],
          ['l2', 'lead.erased'],
        ],
        'erasures with one event id reach both leads too',
      )
    } finally {
      await store.close()
    }
  })

  test('due :: one lead in order (the next waits for the first), other leads alongside, busy leads left out', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('a'))
      await feed(store, 3, [recorded('l1', 0, captured('l1')), recorded('l2', 0, captured('l2')), recorded('l1', 1, qualified('l1'))])
      const first = await store.due('a', at('10:00:00'), 10, new Set())
      assert.equal(
        first.map((d) => [d.leadId, d.type]),
        [
          ['l1', 'lead.captured'],
          ['l2', 'lead.captured'],
        ],
      )
      assert.equal(
        (await store.due('a', at('10:00:00'), 10, new Set(['l1']))).map((d) => d.leadId),
        ['l2'],
      )
      await store.attempted([{ seq: first[0]!.seq, at: at('10:00:01'), ok: false, status: 500, error: 'HTTP 500', retryAt: at('10:00:05') }])
      assert.equal(
        (await store.due('a', at('10:00:02'), 10, new Set())).map((d) => d.leadId),
        ['l2'],
        'l1 waits for its retry; its next event waits behind it',
      )
      assert.equal((await store.nextDue('a'))?.toISOString(), '2026-12-01T10:00:00.000Z')
      await store.attempted([{ seq: first[0]!.seq, at: at('10:00:06'), ok: true, status: 204, error: null, retryAt: null }])
      const next = await store.due('a', at('10:00:06'), 10, new Set())
      assert.equal(
        next.map((d) => [d.leadId, d.type]),
        [
          ['l2', 'lead.captured'],
          ['l1', 'lead.state_changed'],
        ],
      )
      const delivered = (await store.deliveries('a', { status: 'delivered', limit: 10 }))[0]
      assert.is(delivered?.attempts, 2)
      assert.is(delivered?.lastStatus, 204)
      assert.is(delivered?.id, first[0]!.id, 'the webhook-id is kept across attempts')
    } finally {
      await store.close()
    }
  })

  test('park :: a parked delivery holds its lead back, is listed, and replays in order', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('a'))
      await feed(store, 2, [recorded('l1', 0, captured('l1')), recorded('l1', 1, qualified('l1'))])
      const [d] = await store.due('a', at('10:00:00'), 10, new Set())
      await store.attempted([{ seq: d!.seq, at: at('10:00:01'), ok: false, status: null, error: 'timed out', retryAt: null }])
      assert.is((await store.due('a', at('11:00:00'), 10, new Set())).length, 0)
      const parked = await store.deliveries('a', { status: 'parked', limit: 10 })
      assert.equal(
        parked.map((p) => [p.seq, p.lastError]),
        [[d!.seq, 'timed out']],
      )
      const stats = await store.stats('a', at('10:00:30'))
      assert.equal([stats.pending, stats.parked, stats.delivered, stats.attemptsRecent, stats.failuresRecent], [1, 1, 0, 1, 1])
      assert.equal(stats.lastError, { at: '2026-12-01T10:00:01.000Z', message: 'timed out', status: null })
      assert.is(stats.oldestPendingAt, '2026-12-01T10:00:00.000Z')
      assert.is(await store.replay('a', { parked: true }, at('10:01:00')), 1)
      const again = await store.due('a', at('10:01:00'), 10, new Set())
      assert.equal(
        again.map((x) => [x.seq, x.attempts]),
        [[d!.seq, 0]],
      )
    } finally {
      await store.close()
    }
  })

  test('replay :: from a position or a recording time queues delivered ones again', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('a'))
      const events = [recorded('l1', 0, captured('l1'), '2026-12-01T08:00:00.000Z'), recorded('l2', 0, captured('l2'), '2026-12-01T09:00:00.000Z')]
      await feed(store, 2, events)
      for (const d of await store.due('a', at('10:00:00'), 10, new Set()))
        await store.attempted([{ seq: d.seq, at: at('10:00:01'), ok: true, status: 200, error: null, retryAt: null }])
      assert.is((await store.stats('a', at('10:00:02'))).delivered, 2)
      assert.is(await store.replay('a', { fromPosition: events[1]!.position }, at('10:00:03')), 1)
      assert.equal(
        (await store.due('a', at('10:00:03'), 10, new Set())).map((d) => d.leadId),
        ['l2'],
      )
      assert.is(await store.replay('a', { fromTime: '2026-12-01T07:00:00.000Z' }, at('10:00:04')), 2)
      assert.is((await store.due('a', at('10:00:04'), 10, new Set())).length, 2)
      assert.is((await store.stats('a', at('10:00:04'))).lastSuccessAt, '2026-12-01T10:00:01.000Z')
      for (const d of await store.due('a', at('10:00:04'), 1, new Set()))
        await store.attempted([{ seq: d.seq, at: at('10:00:05'), ok: true, status: 200, error: null, retryAt: null }])
      assert.is(await store.prune(at('10:00:06')), 1, 'retention: delivered ones before the cut are deleted')
      assert.equal(
        (await store.deliveries('a', { limit: 10 })).map((d) => d.status),
        ['pending'],
        'the pending one stays',
      )
    } finally {
      await store.close()
    }
  })

  test('replayed :: a delivery of the same id is replaced (same id, attempts reset, new seq) in the given order; no checkpoint moves', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('a'))
      await store.addSubscription(subscription('b'))
      const events = [recorded('l1', 0, captured('l1')), recorded('l1', 1, contacted('l1'))]
      await feed(store, 5, events)
      const [capture] = await store.due('a', at('10:00:00'), 10, new Set())
      await store.attempted([{ seq: capture!.seq, at: at('10:00:01'), ok: true, status: 200, error: null, retryAt: null }])
      const before = await store.deliveries('a', { limit: 10 })
      // The replay's own routing of the same events, for `a` only: the same ids.
      const { outgoing } = route(events, new Map(), [subscription('a')], { sinceCreation: false })
      const again = outgoing.flatMap((o) => (o._tag === 'Deliver' ? [o.delivery] : []))
      assert.equal(
        again.map((d) => d.id),
        before.map((d) => d.id),
      )
      await store.replayed(again, at('10:00:02'))
      const after = await store.deliveries('a', { limit: 10 })
      assert.equal(
        after.map((d) => d.id),
        before.map((d) => d.id),
        'same ids, in the given order',
      )
      assert.equal(
        after.map((d) => [d.status, d.attempts]),
        [
          ['pending', 0],
          ['pending', 0],
        ],
      )
      assert.ok(after[0]!.seq > before[1]!.seq, 'a new place in line')
      assert.equal(
        (await store.due('a', at('10:00:02'), 10, new Set())).map((d) => d.type),
        ['lead.captured'],
        'one lead in order',
      )
      assert.is((await store.deliveries('b', { limit: 10 })).length, 2, 'the other subscription untouched')
      assert.equal(await store.checkpoints(), [{ partition: 0, offset: 5 }])
    } finally {
      await store.close()
    }
  })

  test('erase :: to every subscription that had the lead, whatever it asked for; contact data dropped', async () => {
    const store = await open()
    try {
      await store.addSubscription(subscription('contact', { includeContact: true, events: ['lead.captured'] }))
      await store.addSubscription(subscription('azure', { filters: { storefronts: ['AzureMarketplace'] } }))
      await store.addSubscription(subscription('pruned'))
      await feed(store, 1, [recorded('l1', 0, captured('l1'))])
      assert.equal(
        (await store.deliveries('contact', { limit: 10 }))[0]?.personal,
        { _tag: 'Sealed', sealed: sealedFor('l1'), country: 'GB' },
        'kept sealed, as the event store holds it',
      )
      await feed(store, 2, [recorded('l2', 0, captured('l2')), recorded('l2', 1, contacted('l2'))])
      for (const d of await store.due('pruned', new Date('2026-12-01T10:00:00Z'), 10, new Set()))
        await store.attempted([{ seq: d.seq, at: new Date('2026-12-01T10:00:01Z'), ok: true, status: 200, error: null, retryAt: null }])
      await store.prune(new Date('2026-12-02T00:00:00Z'))
      assert.equal(
        (await store.deliveries('pruned', { limit: 10 })).map((d) => d.leadId),
        ['l2'],
        'retention deleted its delivered l1 and l2 captures',
      )
      await feed(store, 3, [recorded('l1', 1, erased('l1'))])
      assert.equal(
        (await store.deliveries('pruned', { limit: 10 })).map((d) => [d.leadId, d.type]),
        [
          ['l2', 'lead.state_changed'],
          ['l1', 'lead.erased'],
        ],
        'an erasure reaches a subscription whose deliveries of the lead retention deleted',
      )
      const ds = (await store.deliveries('contact', { limit: 10 })).filter((d) => d.leadId === 'l1')
      assert.equal(
        ds.map((d) => d.type),
        ['lead.captured', 'lead.erased'],
      )
      assert.is(ds[0]?.personal, null, 'the personal data kept for the pending delivery is gone')
      assert.is((await store.deliveries('azure', { limit: 10 })).length, 0, 'a subscription that never had the lead gets no erasure')
    } finally {
      await store.close()
    }
  })

  test.run()
}
