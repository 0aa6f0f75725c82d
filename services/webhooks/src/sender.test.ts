// The sender against a real SQLite delivery log and a real loopback receiver: an attempt that fails before its
// POST (the personal part does not open) is recorded and retried later, and an attempt whose outcome the delivery
// log could not record waits for the next poll: neither makes the sender spin on the same delivery.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate, setTimeout as sleep } from 'node:timers/promises'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { route, sqliteWebhookStore, type Subscription, type WebhookStore } from '@leadstream/delivery-log'
import { event, offer, type RecordedEvent } from '@leadstream/domain'
import { TamperedRecord } from '@leadstream/privacy'
import { createLogger } from '@leadstream/runtime'
import { eventually } from '../../../test/support/eventually.js'
import { startReceiver, type Receiver } from '../../../test/support/receiver.js'
import type { OpenPersonal } from './personal.js'
import { sender, type Sender } from './sender.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-sender-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
let n = 0

const capture = (leadId: string, position: number): RecordedEvent => ({
  eventId: `ev-${leadId}`,
  streamId: `lead-${leadId}`,
  revision: 0,
  position,
  recordedAt: new Date().toISOString(),
  metadata: {},
  event: event('LeadCaptured', {
    leadId,
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'AppSource',
    action: 'INS',
    offer: offer('contoso.crm', 'Contoso CRM'),
    country: 'GB',
    personal: { keyId: `key-${leadId}`, iv: 'aXY=', data: 'ZGF0YQ==', tag: 'dGFn' },
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-12-01T09:00:00.000Z',
  }),
})

const silent = createLogger('sender-test', 'silent')
const metrics = { deliveries: { inc: () => {} }, latency: { observe: () => {} } }
const options = {
  retry: { baseMs: 1000, maxMs: 60_000, maxAttempts: 5, maxRetryAfterMs: 60_000 },
  circuit: { threshold: 5, cooldownMs: 1000, maxCooldownMs: 10_000 },
  timeoutMs: 1000,
  concurrency: 4,
  pollMs: 100,
  privateNetworks: 'refuse' as const,
}

interface Ctx {
  rx: Receiver
  store: WebhookStore
  sub: Subscription
  send: Sender | null
}
const test = suite<Ctx>('sender')

test.before.each(async (ctx) => {
  ctx.rx = await startReceiver()
  ctx.store = sqliteWebhookStore({ path: join(dir, `wh-${n++}.db`) })
  ctx.sub = {
    id: 'crm',
    url: `${ctx.rx.url}/crm`,
    events: ['lead.captured'],
    filters: {},
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    includeContact: true,
    description: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  }
  await ctx.store.addSubscription(ctx.sub)
  const { outgoing, facts } = route([capture('L1', 1)], new Map(), [ctx.sub])
  await ctx.store.record({ partition: 0, offset: 1, facts, outgoing, now: new Date() })
  ctx.send = null
})
test.after.each(async (ctx) => {
  await ctx.send?.stop()
  await ctx.store.close()
  await ctx.rx.close()
})

const start = (ctx: Ctx, store: WebhookStore, openPersonal: OpenPersonal): Sender => {
  ctx.send = sender({ store, logger: silent, metrics, now: () => new Date(), random: () => 0.5, openPersonal }, options)
  ctx.send.start()
  return ctx.send
}

test('open fails :: recorded as a failed attempt with a retry time, nothing sent, no spin', async (ctx) => {
  let opened = 0
  start(ctx, ctx.store, async (leadId) => {
    await setImmediate() // a key store answers after I/O (and the test's timers keep running should the sender spin)
    opened++
    throw new TamperedRecord(leadId, `key-${leadId}`)
  })
  const [d] = await eventually('the failed attempt recorded', async () => {
    const ds = await ctx.store.deliveries('crm', { limit: 10 })
    return ds[0]?.attempts === 1 ? ds : undefined
  })
  assert.is(d?.status, 'pending', 'retried later, not parked at the first failure')
  assert.match(d?.lastError ?? '', /^personal data not opened: the personal data of lead L1 \(key key-L1\) fails its authentication/)
  assert.is(d?.lastStatus, null)
  const retryIn = Date.parse(d?.nextAttemptAt ?? '') - Date.now()
  assert.ok(retryIn > 300 && retryIn <= 1000, `the next attempt waits the backoff (${retryIn} ms)`)
  // A window, not a synchronisation: before the fix the same delivery was opened again at once, thousands of times.
  await sleep(300)
  assert.is(opened, 1, 'opened once until its retry time')
  assert.is(ctx.rx.receipts.length, 0, 'nothing is sent without the personal data the subscription asked for')
  assert.is((await ctx.store.stats('crm', new Date())).lastError?.message, d?.lastError, "the subscription's last error says why")
})

test('open fails :: parked at the last attempt, like a receiver that never answers', async (ctx) => {
  await ctx.send?.stop()
  ctx.send = sender(
    {
      store: ctx.store,
      logger: silent,
      metrics,
      now: () => new Date(),
      random: () => 0,
      openPersonal: async () => Promise.reject(new Error('key store unavailable')),
    },
    { ...options, retry: { ...options.retry, baseMs: 20, maxMs: 40, maxAttempts: 3 } },
  )
  ctx.send.start()
  const parked = await eventually('the delivery parked', async () => (await ctx.store.deliveries('crm', { status: 'parked', limit: 10 }))[0])
  assert.is(parked.attempts, 3)
  assert.is(parked.lastError, 'personal data not opened: key store unavailable')
  assert.is(ctx.send.circuit('crm'), 'closed', "the receiver's circuit is not blamed")
})

test('record fails :: the delivery waits for the next poll instead of being sent again at once', async (ctx) => {
  let recordCalls = 0
  const broken: WebhookStore = {
    ...ctx.store,
    attempted: async () => {
      recordCalls++
      throw new Error('disk I/O error')
    },
  }
  start(ctx, broken, async () => ({
    contact: { firstName: 'A', lastName: 'L', email: 'a@example.com', phone: '', country: 'GB', company: '', title: '', description: null },
  }))
  await eventually('a first attempt', () => (recordCalls > 0 ? true : undefined))
  const first = recordCalls
  await sleep(450)
  // pollMs 100: about four more rounds; before the fix each unrecorded attempt woke the sender at once.
  assert.ok(recordCalls - first <= 6, `attempts while the log fails are paced by the poll (${recordCalls - first} in 450 ms)`)
  assert.ok(ctx.rx.receipts.length <= recordCalls, 'every POST was one of those attempts')
})

test.run()
