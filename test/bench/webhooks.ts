// Webhooks out: deliveries/s and append → delivery latency to a loopback receiver, beside the raw append rate of
// the same number of leads in the same run. The embedded server (dispatcher inside) runs in this process, the
// receiver too (it only parses each body to read `recordedAt`).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
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
}

const native = (i: number) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `bench-wh-${i}`,
  leadId: `bench-wh-lead-${i}`,
  occurredAt: '2026-12-01T09:00:00Z',
  data: { storefront: i % 2 === 0 ? 'AppSource' : 'AzureMarketplace', action: 'INS', offer: { id: 'contoso.crm', title: 'Contoso CRM' }, customer: { firstName: 'Ada', email: `ada${i}@example.com` } },
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
  const store = sqliteEventStore({ path: join(dataDir, 'webhooks-append', 'events.db') })
  const raw = await appendAll(store, leadHistory({ seed, captureShare: 1, classifications: 0, total: leads }), { batch })
  await store.close()

  const rx = await receiver()
  const server = await startServer(join(dataDir, 'webhooks'))
  try {
    const created = await fetch(`${server.url}/v1/admin/webhooks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: rx.url }) })
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
      const res = await fetch(`${server.url}/v1/leads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(native(leads + i)) })
      await res.arrayBuffer()
      await new Promise((r) => setTimeout(r, 20))
    }
    await rx.until(leads + singles)
    return { leads, appendPerSecond: raw.eventsPerSecond, deliveriesPerSecond: leads / seconds, burst, steady: latency(rx.lags.slice(leads)), seconds }
  } finally {
    await server.close()
    await rx.close()
  }
}
