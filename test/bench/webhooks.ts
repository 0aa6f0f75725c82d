// Webhooks out: deliveries/s and append → delivery latency to a loopback receiver, beside the raw append rate of
// the same number of leads in the same run (appendMany with personal data sealed, as ingest appends). The embedded server (dispatcher inside) runs in this process, the
// receiver too (it only parses each body to read `recordedAt`).
import { testPersonalData } from '../support/privacy.js'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { sqliteEventStore } from '@leadstream/event-store'
import { appendAll } from './append.js'
import { leadHistory } from './history.js'
import { startServer } from './server.js'
import { latency, type Latency } from './stats.js'

export interface WebhookBench {
  readonly leads: number
  readonly appendPerSecond: number
  readonly deliveriesPerSecond: number
  /** From each event's append (its recordedAt) to the receiver reading it, during the throughput run. */
  readonly burst: Latency
  /** The same for single leads posted one at a time, 20 ms apart: the latency a lightly loaded server shows. */
  readonly steady: Latency
  readonly seconds: number
  /** Four subscriptions on the same receiver: every lead delivered four times. */
  readonly fanOut: { readonly subscriptions: number; readonly leads: number; readonly deliveriesPerSecond: number; readonly latency: Latency }
}

const native = (i: number) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `bench-wh-${i}`,
  leadId: `bench-wh-lead-${i}`,
  occurredAt: '2026-12-01T09:00:00Z',
  data: {
    storefront: i % 2 === 0 ? 'AppSource' : 'AzureMarketplace',
    action: 'INS',
    offer: { id: 'contoso.crm', title: 'Contoso CRM' },
    customer: { firstName: 'Ada', email: `ada${i}@example.com` },
  },
})

const receiver = async () => {
  const lags: number[] = []
  let waiter: { n: number; done: () => void } | null = null
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { recordedAt: string } }
      lags.push(Date.now() - Date.parse(body.data.recordedAt))
      res.writeHead(204).end()
      if (waiter !== null && lags.length >= waiter.n) waiter.done()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    lags,
    until: (n: number) => new Promise<void>((done) => (lags.length >= n ? done() : (waiter = { n, done }))),
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

export const benchWebhooks = async (dataDir: string, leads: number, batch: number, seed: number, say: (s: string) => void): Promise<WebhookBench> => {
  say(`webhooks: raw rate — ${leads} LeadCaptured through appendMany, ${batch} per transaction…`)
  // As ingest appends: personal data sealed with a key store in the directory (the embedded default).
  const dir = join(dataDir, 'webhooks-append')
  const personal = await testPersonalData(dir, '')
  const store = personal.sealing(sqliteEventStore({ path: join(dir, 'events.db') }))
  const raw = await appendAll(store, leadHistory({ seed, captureShare: 1, classifications: 0, total: leads }), { batch })
  await store.close()
  await personal.close()

  const rx = await receiver()
  const server = await startServer(join(dataDir, 'webhooks'))
  try {
    const created = await fetch(`${server.url}/v1/admin/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: rx.url }),
    })
    if (created.status !== 201) throw new Error(`subscribing answered ${created.status}: ${await created.text()}`)
    say(`webhooks: ${leads} leads POSTed in batches of ${batch}, every one delivered to a loopback receiver…`)
    const t0 = Date.now()
    for (let i = 0; i < leads; i += batch) {
      const res = await fetch(`${server.url}/v1/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Array.from({ length: Math.min(batch, leads - i) }, (_, k) => native(i + k))),
      })
      if (res.status !== 201 && res.status !== 200) throw new Error(`POST /v1/leads answered ${res.status}`)
      await res.arrayBuffer()
    }
    await rx.until(leads)
    const seconds = (Date.now() - t0) / 1000
    const burst = latency(rx.lags.slice(0, leads))

    const singles = 200
    say(`webhooks: ${singles} single leads, 20 ms apart…`)
    for (let i = 0; i < singles; i++) {
      const res = await fetch(`${server.url}/v1/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(native(leads + i)),
      })
      await res.arrayBuffer()
      await sleep(20)
    }
    await rx.until(leads + singles)
    const steady = latency(rx.lags.slice(leads))

    // Fan-out: three more subscriptions, so each new lead goes to four; a quarter as many leads.
    const subscriptions = 4
    for (let i = 1; i < subscriptions; i++) {
      const more = await fetch(`${server.url}/v1/admin/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${rx.url}/${i}` }),
      })
      if (more.status !== 201) throw new Error(`subscribing answered ${more.status}`)
    }
    const fanLeads = Math.max(1, Math.floor(leads / subscriptions))
    const before = rx.lags.length
    say(`webhooks: ${fanLeads} more leads to ${subscriptions} subscriptions (${fanLeads * subscriptions} deliveries)…`)
    const t1 = Date.now()
    for (let i = 0; i < fanLeads; i += batch) {
      const res = await fetch(`${server.url}/v1/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Array.from({ length: Math.min(batch, fanLeads - i) }, (_, k) => native(leads + singles + i + k))),
      })
      await res.arrayBuffer()
    }
    await rx.until(before + fanLeads * subscriptions)
    const fanOut = {
      subscriptions,
      leads: fanLeads,
      deliveriesPerSecond: (fanLeads * subscriptions) / ((Date.now() - t1) / 1000),
      latency: latency(rx.lags.slice(before)),
    }
    return { leads, appendPerSecond: raw.eventsPerSecond, deliveriesPerSecond: leads / seconds, burst, steady, seconds, fanOut }
  } finally {
    await server.close()
    await rx.close()
  }
}
