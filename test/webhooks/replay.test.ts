// Replay from the event log: a subscription created after some leads gets them by replaying from position 0 or
// from a time, routed by its own filters, in order per lead, with the same webhook-ids on every replay; another
// subscription and the live dispatcher are not disturbed.
import { setTimeout as sleep } from 'node:timers/promises'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LogReplayAnswer, StreamAnswer, SubscriptionCreated, WebhookPayload, WebhookReplayed } from '@leadstream/api'
import { decodeAs, getJson, http, startTestServer, typed, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { startReceiver, type Receiver } from '../support/receiver.js'

const test = suite<{ server: TestServer; rx: Receiver }>('webhooks :: replay from the log')
test.before(async (ctx) => {
  ctx.rx = await startReceiver()
  ctx.server = await startTestServer({ LEADSTREAM_WEBHOOK_POLL_MS: '20', LEADSTREAM_WEBHOOK_BATCH: '3' })
})
test.after(async (ctx) => {
  await ctx.server.dispose()
  await ctx.rx.close()
})

const lead = (n: number, storefront: string) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `rp-${n}`,
  leadId: `rp-lead-${n}`,
  occurredAt: '2026-12-01T09:00:00Z',
  data: { storefront, action: 'INS', offer: { id: 'contoso.crm', title: 'Contoso CRM' }, customer: { firstName: 'Ada', email: `rp-${n}@example.com` } },
})

test('replay :: a subscription created after the leads gets them from position 0 and from a time, by its filters, in order, same ids', async ({
  server,
  rx,
}) => {
  const received = (path: string) =>
    rx.receipts
      .filter((r) => r.path === path && r.answered === 204)
      .map((r) => ({ id: r.id, verified: r.verified, payload: decodeAs(WebhookPayload, JSON.parse(r.body)) }))
  const subscribe = async (path: string, body: Record<string, unknown>) => {
    const created = decodeAs(SubscriptionCreated, (await http('POST', `${server.url}/v1/admin/webhooks`, { url: `${rx.url}${path}`, ...body })).body)
    rx.secrets.set(path, created.secret)
    return created.subscription.id
  }
  const replayTo = async (id: string, body: Record<string, unknown>) => {
    const started = typed(WebhookReplayed, await http('POST', `${server.url}/v1/admin/webhooks/${id}/replay`, body))
    assert.is(started.status, 202, JSON.stringify(started.body))
    return eventually(
      'the replay done',
      async () => {
        const r = (await getJson(LogReplayAnswer, `${server.url}/v1/admin/webhooks/${id}/replay`)).body.replay
        return r !== null && r.state !== 'reading' ? r : undefined
      },
      10_000,
    )
  }

  const live = await subscribe('/live', {})
  const beforeAll = new Date().toISOString()
  for (let n = 1; n <= 6; n++) assert.is((await http('POST', `${server.url}/v1/leads`, lead(n, n % 2 === 0 ? 'AzureMarketplace' : 'AppSource'))).status, 201)
  for (const n of [1, 3])
    assert.is((await http('POST', `${server.url}/v1/leads/rp-lead-${n}/commands`, { type: 'ContactLead', by: 'sam', channel: 'phone' })).status, 201)
  await eventually('the live subscription has all 8', () => (received('/live').length >= 8 ? true : undefined), 10_000)

  const late = await subscribe('/late', { filters: { storefronts: ['AppSource'] } })
  const r0 = await replayTo(late, { fromPosition: 0 })
  assert.is(r0.state, 'done', JSON.stringify(r0))
  assert.is(r0.requeued, 5, 'three AppSource captures and two contacts')
  const first = await eventually('the replayed deliveries', () => (received('/late').length >= 5 ? received('/late') : undefined), 10_000)
  assert.ok(
    first.every((d) => d.verified),
    'signed with the subscription’s secret',
  )
  // The sender runs in its worker thread: its attempt metrics reach the server's one registry.
  await eventually('the deliveries counted in /metrics', async () => {
    const m = String((await http('GET', `${server.url}/metrics`)).body)
    return new RegExp(`leadstream_webhook_deliveries_total\\{subscription="${late}",outcome="delivered"\\} 5\\b`).test(m) ? true : undefined
  })
  assert.equal(new Set(first.map((d) => d.payload.data.leadId)), new Set(['rp-lead-1', 'rp-lead-3', 'rp-lead-5']), 'its storefront filter applies')
  for (const n of [1, 3]) {
    const mine = first.filter((d) => d.payload.data.leadId === `rp-lead-${n}`).map((d) => d.payload.type)
    assert.equal(mine, ['lead.captured', 'lead.state_changed'], `lead ${n} in order`)
  }
  const contact = first.find((d) => d.payload.type === 'lead.state_changed')
  assert.ok(
    contact !== undefined &&
      contact.payload.type === 'lead.state_changed' &&
      contact.payload.data.from === 'captured' &&
      contact.payload.data.to === 'contacted',
  )

  // From a time: the same events again, with the same webhook-ids.
  const rt = await replayTo(late, { fromTime: beforeAll })
  assert.is(rt.requeued, 5)
  const both = await eventually('sent again', () => (received('/late').length >= 10 ? received('/late') : undefined), 10_000)
  assert.equal(new Set(both.slice(5).map((d) => d.id)), new Set(first.map((d) => d.id)), 'same webhook-ids')

  // From the position of lead 3's contact: only what is at or after it.
  const stream = (await getJson(StreamAnswer, `${server.url}/v1/admin/streams/rp-lead-3`)).body.events
  const contactAt = stream.find((e) => e.type === 'LeadContacted')!.position
  const rp = await replayTo(late, { fromPosition: contactAt })
  assert.is(rp.requeued, 1)
  const third = await eventually('sent from the position', () => (received('/late').length >= 11 ? received('/late') : undefined), 10_000)
  assert.is(third[10]!.payload.type, 'lead.state_changed')
  assert.is(third[10]!.payload.data.leadId, 'rp-lead-3')

  // Live deliveries to the late subscription go on after the replays; the first subscription got nothing twice.
  assert.is((await http('POST', `${server.url}/v1/leads`, lead(7, 'AppSource'))).status, 201)
  await eventually('live again', () => (received('/late').some((d) => d.payload.data.leadId === 'rp-lead-7') ? true : undefined), 10_000)
  await eventually('the live one has lead 7', () => (received('/live').length >= 9 ? true : undefined), 10_000)
  const liveIds = received('/live').map((d) => d.id)
  assert.is(new Set(liveIds).size, liveIds.length, 'the other subscription was not replayed')
  assert.is(liveIds.length, 9)
  assert.is(received('/late').filter((d) => d.payload.data.leadId === 'rp-lead-7').length, 1)
  assert.ok(live !== late)
})

test('replay :: leads posted while the replay reads reach the subscription, each under one id, in order per lead (the hand-over to the live dispatcher)', async ({
  server,
  rx,
}) => {
  const created = decodeAs(
    SubscriptionCreated,
    (await http('POST', `${server.url}/v1/admin/webhooks`, { url: `${rx.url}/race`, events: ['lead.captured', 'lead.state_changed'] })).body,
  )
  rx.secrets.set('/race', created.secret)
  const id = created.subscription.id
  // Posting goes on while the replay (3 events per batch) reads the log from its start.
  const posting = (async () => {
    for (let n = 100; n < 130; n++) {
      assert.is((await http('POST', `${server.url}/v1/leads`, lead(n, 'AppSource'))).status, 201)
      assert.is((await http('POST', `${server.url}/v1/leads/rp-lead-${n}/commands`, { type: 'ContactLead', by: 'sam' })).status, 201)
    }
  })()
  const started = typed(WebhookReplayed, await http('POST', `${server.url}/v1/admin/webhooks/${id}/replay`, { fromPosition: 0 }))
  assert.is(started.status, 202)
  assert.is(started.body.replay?.state, 'reading')
  await posting
  const done = await eventually(
    'the replay done',
    async () => {
      const r = (await getJson(LogReplayAnswer, `${server.url}/v1/admin/webhooks/${id}/replay`)).body.replay
      return r !== null && r.state !== 'reading' ? r : undefined
    },
    10_000,
  )
  assert.is(done.state, 'done')
  // The first case's seven leads (two contacted) and the thirty new ones, each captured and contacted.
  const expected = 7 + 2 + 2 * 30
  const got = await eventually(
    'all delivered',
    () => {
      const r = rx.receipts.filter((x) => x.path === '/race' && x.answered === 204)
      return r.length >= expected ? r : undefined
    },
    15_000,
  )
  await sleep(300)
  const payloads = rx.receipts
    .filter((x) => x.path === '/race' && x.answered === 204)
    .map((r) => ({ id: r.id, p: decodeAs(WebhookPayload, JSON.parse(r.body)) }))
  assert.ok(got.every((r) => r.verified))
  // A delivery the live dispatcher sent before the hand-over is sent again by the replay (same id: a replay sends
  // again what it covers); after the hand-over, nothing twice. Taking each id's last arrival, each lead's
  // deliveries arrived in log order.
  const finished = Date.parse(done.finishedAt ?? '')
  const receipts = rx.receipts.filter((x) => x.path === '/race' && x.answered === 204)
  const ids = new Map<string, number[]>()
  for (const r of receipts) ids.set(r.id, [...(ids.get(r.id) ?? []), r.at])
  assert.is(ids.size, expected, 'every event, with its one id')
  for (const [, ats] of ids) if (ats.length > 1) assert.ok(ats[0]! <= finished, 'only what was delivered before the hand-over comes twice')
  const last = receipts.filter((r, i) => !receipts.slice(i + 1).some((later) => later.id === r.id)).map((r) => decodeAs(WebhookPayload, JSON.parse(r.body)))
  for (let n = 100; n < 130; n++) {
    const positions = last.filter((p) => p.data.leadId === `rp-lead-${n}`).map((p) => p.data.position)
    assert.equal(
      positions,
      [...positions].sort((a, b) => a - b),
      `lead ${n} in log order`,
    )
  }
  for (let n = 100; n < 130; n++) {
    const types = new Set(payloads.filter((x) => x.p.data.leadId === `rp-lead-${n}`).map((x) => x.p.type))
    assert.equal(types, new Set(['lead.captured', 'lead.state_changed']), `lead ${n}: both`)
  }
})

test('replay :: 404 for no subscription; GET answers null before any replay', async ({ server }) => {
  const created = decodeAs(SubscriptionCreated, (await http('POST', `${server.url}/v1/admin/webhooks`, { url: 'http://127.0.0.1:9/none' })).body)
  assert.equal((await getJson(LogReplayAnswer, `${server.url}/v1/admin/webhooks/${created.subscription.id}/replay`)).body, { replay: null })
  assert.is((await http('POST', `${server.url}/v1/admin/webhooks/wh_nope/replay`, { fromPosition: 0 })).status, 404)
  assert.is((await http('GET', `${server.url}/v1/admin/webhooks/wh_nope/replay`)).status, 404)
})

test.run()
