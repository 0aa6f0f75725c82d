// Where deliveries may connect: the address kinds, the policy, and the sender's agents on real sockets (a TCP
// listener on loopback counts the connections a refused delivery must never open).
import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { route, sqliteWebhookStore, type Subscription, type WebhookStore } from '@leadstream/delivery-log'
import { event, offer, type RecordedEvent } from '@leadstream/domain'
import { createLogger } from '@leadstream/runtime'
import { eventually } from '../../../test/support/eventually.js'
import { startReceiver } from '../../../test/support/receiver.js'
import { addressKind, permitted, type PrivateNetworks } from './egress.js'
import { nothingOpened } from './personal.js'
import { sender, type SenderPorts } from './sender.js'

const kinds = suite('addressKind')

kinds('ipv4 :: loopback, private, link-local, unspecified, reserved, public', () => {
  const cases: ReadonlyArray<[string, string]> = [
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.10', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.4', 'reserved'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['100.128.0.1', 'public'],
  ]
  assert.equal(
    cases.map(([a]) => [a, addressKind(a)]),
    cases,
  )
})

kinds('ipv6 :: loopback, unique-local, link-local, unspecified, ipv4 inside ipv6, public', () => {
  const cases: ReadonlyArray<[string, string]> = [
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1%eth0', 'link-local'],
    ['fd00:ec2::254', 'private'],
    ['fc00::1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    ['ff02::1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['not an address', 'reserved'],
  ]
  assert.equal(
    cases.map(([a]) => [a, addressKind(a)]),
    cases,
  )
})

kinds('policy :: http to loopback only; https to public, private and loopback only when allowed; never link-local', () => {
  const row = (kind: Parameters<typeof permitted>[0]) => [permitted(kind, false, 'allow'), permitted(kind, true, 'refuse'), permitted(kind, true, 'allow')]
  assert.equal(row('public'), [false, true, true])
  assert.equal(row('loopback'), [true, false, true])
  assert.equal(row('private'), [false, false, true])
  assert.equal(row('link-local'), [false, false, false])
  assert.equal(row('unspecified'), [false, false, false])
  assert.equal(row('reserved'), [false, false, false])
})

kinds.run()

// ---------------------------------------------------------------------------------------------------------
// the sender's connections
// ---------------------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'leadstream-egress-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
let n = 0

interface Ctx {
  listener: Server
  port: number
  connections: number
  store: WebhookStore
}
const sending = suite<Ctx>('sender :: egress')

sending.before.each(async (ctx) => {
  ctx.connections = 0
  ctx.listener = createServer((socket) => {
    ctx.connections++
    socket.destroy()
  })
  await new Promise<void>((done) => ctx.listener.listen(0, '127.0.0.1', done))
  ctx.port = (ctx.listener.address() as AddressInfo).port
  ctx.store = sqliteWebhookStore({ path: join(dir, `wh-${n++}.db`) })
})
sending.after.each(async (ctx) => {
  await ctx.store.close()
  await new Promise<void>((done) => ctx.listener.close(() => done()))
})

const capture = (leadId: string): RecordedEvent => ({
  eventId: `ev-${leadId}`,
  streamId: `lead-${leadId}`,
  revision: 0,
  position: 1,
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
    personal: null,
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-12-01T09:00:00.000Z',
  }),
})

let offset = 0

/** Subscribes `url`, records one capture for it, runs a sender until the attempt is recorded; its last error. */
const attemptTo = async (ctx: Ctx, url: string, privateNetworks: PrivateNetworks, resolve?: SenderPorts['resolve']): Promise<string | null> => {
  const sub: Subscription = {
    id: 's',
    url,
    events: ['lead.captured'],
    filters: {},
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    includeContact: false,
    description: null,
    createdAt: '2026-01-01T00:00:00.000Z',
  }
  await ctx.store.addSubscription(sub)
  const { outgoing, facts } = route([capture('L1')], new Map(), [sub])
  await ctx.store.record({ partition: 0, offset: ++offset, facts, outgoing, now: new Date() })
  const send = sender(
    {
      store: ctx.store,
      logger: createLogger('egress-test', 'silent'),
      metrics: { deliveries: { inc: () => {} }, latency: { observe: () => {} } },
      now: () => new Date(),
      random: () => 0.5,
      openPersonal: nothingOpened,
      ...(resolve === undefined ? {} : { resolve }),
    },
    {
      retry: { baseMs: 60_000, maxMs: 60_000, maxAttempts: 5, maxRetryAfterMs: 60_000 },
      circuit: { threshold: 5, cooldownMs: 1000, maxCooldownMs: 1000 },
      timeoutMs: 2000,
      concurrency: 1,
      pollMs: 50,
      privateNetworks,
    },
  )
  send.start()
  try {
    const d = await eventually('the attempt recorded', async () => (await ctx.store.deliveries('s', { limit: 1 })).find((x) => x.attempts > 0))
    return d.status === 'delivered' ? null : d.lastError
  } finally {
    await send.stop()
  }
}

sending('refuse :: https to a loopback address, a name resolving to one, or the metadata address fails the attempt before connecting', async (ctx) => {
  const literal = await attemptTo(ctx, `https://127.0.0.1:${ctx.port}/hook`, 'refuse')
  assert.match(literal ?? '', /^refused: 127\.0\.0\.1, a loopback address \(set LEADSTREAM_WEBHOOK_PRIVATE_NETWORKS=allow/)
  await ctx.store.removeSubscription('s')
  const named = await attemptTo(ctx, `https://localhost:${ctx.port}/hook`, 'refuse')
  assert.match(named ?? '', /^refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address/)
  await ctx.store.removeSubscription('s')
  const metadata = await attemptTo(ctx, 'https://169.254.169.254/latest/meta-data/', 'allow')
  assert.is(
    metadata,
    'refused: 169.254.169.254, a link-local address (never reached by webhooks)',
    'link-local is refused even where private networks are allowed',
  )
  assert.is(ctx.connections, 0, 'no connection was opened')
})

sending('refuse :: a name with a private address among its answers is refused (the whole answer is checked)', async (ctx) => {
  const resolve: SenderPorts['resolve'] = (hostname, _options, callback) =>
    callback(
      null,
      hostname === 'crm.example.com'
        ? [
            { address: '93.184.215.14', family: 4 },
            { address: '10.0.0.7', family: 4 },
          ]
        : [],
    )
  const error = await attemptTo(ctx, 'https://crm.example.com/hook', 'refuse', resolve)
  assert.is(
    error,
    'refused: crm.example.com resolves to 10.0.0.7, a private address (set LEADSTREAM_WEBHOOK_PRIVATE_NETWORKS=allow for receivers on your own network)',
  )
})

sending('allow :: with private networks allowed, https to a loopback receiver connects', async (ctx) => {
  const error = await attemptTo(ctx, `https://localhost:${ctx.port}/hook`, 'allow')
  assert.match(error ?? '', /^connection failed: /, 'the listener is no TLS server: the attempt got as far as connecting')
  assert.ok(ctx.connections >= 1, 'a connection was opened')
})

sending('http :: plain http to a loopback receiver is delivered as before', async (ctx) => {
  const rx = await startReceiver()
  try {
    assert.is(await attemptTo(ctx, `${rx.url}/hook`, 'refuse'), null)
    assert.is(rx.receipts.length, 1)
  } finally {
    await rx.close()
  }
})

sending.run()
