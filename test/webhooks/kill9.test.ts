// At least once, in order per lead, through kill -9: the embedded server (dispatcher inside) runs as a child
// process and is SIGKILLed while it delivers to a loopback receiver that answers 500, 429 with Retry-After,
// or not at all (timeouts) at random, and goes down and comes back. The oracle is a fold of the event store:
// every event a subscription matches must arrive (2xx) with the webhook-id of (subscription, event), signed
// (verified with `standardwebhooks`), nothing the filters exclude arrives, and one lead's events arrive in
// log order (a re-sent earlier event may repeat, never overtake).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SubscriptionCreated, WebhookPayload } from '@leadstream/api'
import { deliveryId, route, type Subscription } from '@leadstream/delivery-log'
import { decodeAs, http } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { readEvents } from '../support/fold.js'
import { startReceiver, type Receiver } from '../support/receiver.js'
import { killAllServices, startService, type Service } from '../support/services.js'
import { mulberry32 } from '../durability/workload.js'

const seed = Number(process.env['LEADSTREAM_TEST_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const ROUNDS = 3
const LEADS_PER_ROUND = 20

const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-webhooks-kill9-'))
const env = {
  LEADSTREAM_DATA_DIR: dataDir,
  LEADSTREAM_PORT: '0',
  LEADSTREAM_HOST: '127.0.0.1',
  LEADSTREAM_LOG_LEVEL: process.env['LEADSTREAM_TEST_CHILD_LOG_LEVEL'] ?? 'error',
  LEADSTREAM_INGEST_TOKENS: '',
  LEADSTREAM_ANALYST_TOKENS: '',
  LEADSTREAM_OPERATOR_TOKENS: '',
  LEADSTREAM_WEBHOOK_RETRY_BASE_MS: '20',
  LEADSTREAM_WEBHOOK_RETRY_MAX_MS: '300',
  LEADSTREAM_WEBHOOK_RETRY_AFTER_MAX_MS: '1000',
  LEADSTREAM_WEBHOOK_MAX_ATTEMPTS: '100',
  LEADSTREAM_WEBHOOK_TIMEOUT_MS: '300',
  LEADSTREAM_WEBHOOK_POLL_MS: '20',
  LEADSTREAM_WEBHOOK_CIRCUIT_THRESHOLD: '5',
  LEADSTREAM_WEBHOOK_CIRCUIT_COOLDOWN_MS: '100',
  LEADSTREAM_WEBHOOK_CIRCUIT_MAX_COOLDOWN_MS: '400',
}

const test = suite('webhooks :: kill -9 while delivering to a flaky receiver')

let n = 0
const lead = (r: () => number) => {
  const i = ++n
  return {
    type: 'LeadCaptured',
    version: 1,
    eventId: `k9-event-${i}`,
    leadId: `k9-lead-${i}`,
    occurredAt: '2026-12-01T09:00:00Z',
    data: {
      storefront: r() < 0.5 ? 'AppSource' : 'AzureMarketplace',
      action: 'INS',
      offer: { id: 'contoso.crm', title: 'Contoso CRM' },
      customer: { firstName: 'Ada', email: `ada${i}@example.com` },
      isTest: r() < 0.2,
    },
  }
}

/** Leads and, for some, a state change or two (each lead's events must arrive in this order). */
const write = async (server: Service, r: () => number): Promise<void> => {
  const leads = Array.from({ length: LEADS_PER_ROUND }, () => lead(r))
  await http('POST', `${server.url}/v1/leads`, leads).catch(() => undefined)
  for (const l of leads) {
    if (r() < 0.5) continue
    await http('POST', `${server.url}/v1/leads/${l.leadId}/commands`, { type: 'ContactLead', by: 'sales', channel: 'phone' }).catch(() => undefined)
    if (r() < 0.5) await http('POST', `${server.url}/v1/leads/${l.leadId}/commands`, { type: 'StartNurturing', by: 'sales' }).catch(() => undefined)
  }
}

test('kill -9 :: every matching event arrives at least once, signed, with its one webhook-id, in order per lead; filters hold', async () => {
  const r = mulberry32(seed)
  const rx: Receiver = await startReceiver()
  rx.behaviour = () => {
    const x = r()
    return x < 0.6
      ? { status: 200 }
      : x < 0.75
        ? { status: 500 }
        : x < 0.85
          ? { status: 429, retryAfter: r() < 0.5 ? '0' : '1' }
          : x < 0.92
            ? { status: 503 }
            : 'hang'
  }
  const subs: Subscription[] = []
  try {
    let server = await startService('embedded', env)
    for (const [path, body] of [
      ['/all', { includeContact: false, filters: { includeTest: true } }],
      ['/azure-captures', { events: ['lead.captured'], filters: { storefronts: ['AzureMarketplace'] } }],
    ] as const) {
      const a = await http('POST', `${server.url}/v1/admin/webhooks`, { url: `${rx.url}${path}`, ...body })
      const created = decodeAs(SubscriptionCreated, a.body)
      rx.secrets.set(path, created.secret)
      subs.push({ ...created.subscription, secret: created.secret })
    }
    for (let round = 0; round < ROUNDS; round++) {
      await write(server, r)
      if (round === 1) await rx.down()
      await sleep(200 + Math.floor(r() * 500))
      server.kill('SIGKILL')
      await server.exited
      if (round === 1) await rx.up()
      server = await startService('embedded', env)
    }
    const events = readEvents(dataDir)
    const expected = route(events, new Map(), subs).outgoing.flatMap((o) => (o._tag === 'Deliver' ? [o.delivery] : []))
    assert.ok(expected.length > ROUNDS * LEADS_PER_ROUND, `[seed ${seed}] expected deliveries: ${expected.length}`)
    const ok = () => new Set(rx.receipts.filter((x) => x.answered !== null && x.answered < 300).map((x) => x.id))
    await eventually(
      `[seed ${seed}] every expected delivery answered 2xx`,
      () => {
        const got = ok()
        return expected.every((d) => got.has(d.id)) ? true : undefined
      },
      40000,
      100,
    )
    // Drain: SIGTERM stops reading the log, lets the deliveries in flight finish and records them, then exits 0.
    server.kill('SIGTERM')
    const exit = await server.exited
    assert.equal(exit, { code: 0, signal: null }, `[seed ${seed}] a drained exit`)

    const byId = new Map(expected.map((d) => [d.id, d]))
    assert.equal(rx.receipts.filter((x) => !x.verified).length, 0, `[seed ${seed}] every request verifies with standardwebhooks`)
    const unexpected = rx.receipts.filter((x) => !byId.has(x.id))
    assert.equal(
      unexpected.map((x) => `${x.path} ${x.body.slice(0, 80)}`),
      [],
      `[seed ${seed}] nothing the subscriptions do not match (filters)`,
    )
    const subOfPath = new Map([
      ['/all', subs[0]!.id],
      ['/azure-captures', subs[1]!.id],
    ])
    const order = new Map<string, number[]>()
    for (const x of rx.receipts) {
      const p = decodeAs(WebhookPayload, JSON.parse(x.body))
      const sub = subOfPath.get(x.path)!
      assert.is(x.id, deliveryId(sub, p.data.leadId, p.data.eventId), `[seed ${seed}] the webhook-id is the (subscription, lead, event)'s`)
      const key = `${sub}|${p.data.leadId}`
      order.set(key, [...(order.get(key) ?? []), p.data.position])
    }
    for (const [key, positions] of order)
      assert.ok(
        positions.every((p, i) => i === 0 || p >= positions[i - 1]!),
        `[seed ${seed}] ${key}: arrivals in log order (repeats allowed), got positions ${positions.join(',')}`,
      )
    const retried = [...new Set(rx.receipts.map((x) => x.id))].filter((id) => rx.receipts.filter((x) => x.id === id).length > 1)
    assert.ok(retried.length > 0, `[seed ${seed}] some deliveries were retried (the receiver failed them)`)
  } finally {
    await killAllServices()
    await rx.close().catch(() => undefined)
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test.run()
