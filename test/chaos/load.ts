// The chaos test's load: HTTP clients posting marketplace and native leads (batches and single, with and without
// Idempotency-Key) to whichever ingest process is up, and a Kafka producer on the inbound topic, all recording
// what was acknowledged in the ledger. Upstream behaviour: what got no answer is sent again later.
import type { Producer } from 'kafkajs'
import { sleep } from '../durability/workload.js'
import type { Format, ItemAnswer, Ledger, Pair } from './ledger.js'

const routeOf: Record<Format, string> = { marketplace: '/v1/marketplace/leads', native: '/v1/leads' }

/** The pairs whose delivery got no complete answer: each client sends them first, as upstream retries would. */
export class Redeliveries {
  private readonly queue: Pair[] = []
  push(pairs: ReadonlyArray<Pair>): void {
    for (const p of pairs) if (p.ackedBy.size === 0) this.queue.push(p)
  }
  take(format: Format, max: number): Pair[] {
    const out: Pair[] = []
    for (let i = 0; i < this.queue.length && out.length < max; )
      if (this.queue[i]!.lead.format === format) out.push(...this.queue.splice(i, 1))
      else i++
    return out.filter((p) => p.ackedBy.size === 0)
  }
}

/**
 * POSTs `items` (one as a bare object when `single`) to the ingest at `url()`. With an idempotency key the same
 * request is retried with that key until it is answered or `tries` run out (the next ingest process must answer
 * it as the first did, or say duplicate). Returns whether it was answered.
 */
export const post = async (
  ledger: Ledger,
  url: () => string | null,
  format: Format,
  items: ReadonlyArray<Pair>,
  single: boolean,
  key: string | null,
  tries = 1,
): Promise<boolean> => {
  const body = JSON.stringify(single ? items[0]!.payload : items.map((p) => p.payload))
  for (let attempt = 0; attempt < tries; attempt++) {
    const base = url()
    if (base === null) {
      await sleep(50)
      continue
    }
    ledger.stats.requests++
    let status: number
    let text: string
    let replayed: boolean
    try {
      const res = await fetch(`${base}${routeOf[format]}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(key === null ? {} : { 'idempotency-key': key }) },
        body,
        signal: AbortSignal.timeout(10000),
      })
      status = res.status
      text = await res.text()
      replayed = res.headers.get('idempotent-replayed') === 'true'
    } catch {
      // No complete answer: the process died under the request (or was not there).
      ledger.stats.unanswered++
      await sleep(50)
      continue
    }
    if (status >= 500) {
      ledger.stats.serverErrors++
      ledger.anomaly(`${routeOf[format]} answered ${status}: ${text.slice(0, 200)}`)
      continue
    }
    if (replayed) ledger.stats.idempotentReplays++
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      ledger.anomaly(`${routeOf[format]} answered ${status} with a body that is not JSON`)
      return true
    }
    const ok = single ? status === 201 || status === 200 || status === 400 : status === 200 || status === 207 || status === 400
    const results: ReadonlyArray<ItemAnswer> = single
      ? [status === 400 ? { status: 'rejected' } : (parsed as ItemAnswer)]
      : ((parsed as { results?: ReadonlyArray<ItemAnswer> }).results ?? [])
    if (!ok || results.length !== items.length) ledger.anomaly(`${single ? 'one lead' : `batch of ${items.length}`} answered ${status}: ${text.slice(0, 300)}`)
    else results.forEach((r, i) => ledger.recordAnswer(items[i]!, r))
    return true
  }
  return false
}

/** One HTTP client: posts until `live.running` turns false, never more than one request in flight. */
export const httpClient = async (
  ledger: Ledger,
  client: number,
  url: () => string | null,
  redeliveries: Redeliveries,
  live: { readonly running: boolean },
): Promise<void> => {
  let requests = 0
  while (live.running) {
    const format: Format = ledger.rand() < 0.7 ? 'marketplace' : 'native'
    const single = ledger.rand() < 0.3
    const size = single ? 1 : 2 + Math.floor(ledger.rand() * 19)
    const items = redeliveries.take(format, Math.min(size, 8))
    items.push(...ledger.mix(format, size - items.length))
    const key = ledger.rand() < 0.4 ? `${ledger.tag}-c${client}-${requests++}` : null
    const answered = await post(ledger, url, format, items, single, key, key === null ? 1 : 40)
    // A client that lost the answer sends the same request with the same key: the stored answer comes back
    // (or, if the key was not stored before a kill, the request runs again and its leads are duplicates).
    if (answered && key !== null && ledger.rand() < 0.3) await post(ledger, url, format, items, single, key)
    // Unanswered, or rejected because the lead kept changing under concurrent writers: sent again later.
    redeliveries.push(items)
  }
}

/**
 * The Kafka upstream: small batches of marketplace and native leads (some re-deliveries among them) on the
 * inbound topic. A pair is acknowledged once the broker acknowledged its send (acks = all); ingest commits
 * the topic's offsets only after appending, so each acknowledged message must reach the store.
 */
export const kafkaUpstream = async (ledger: Ledger, producer: Producer, topic: string, live: { readonly running: boolean }): Promise<void> => {
  while (live.running) {
    const format: Format = ledger.rand() < 0.6 ? 'marketplace' : 'native'
    const pairs = ledger.mix(format, 1 + Math.floor(ledger.rand() * 10))
    if (!(await sendToKafka(ledger, producer, topic, pairs))) await sleep(100)
    await sleep(20 + Math.floor(ledger.rand() * 60))
  }
}

/** Sends pairs to the inbound topic; a `format` header on some, so both ways of telling the format are used. */
export const sendToKafka = async (ledger: Ledger, producer: Producer, topic: string, pairs: ReadonlyArray<Pair>): Promise<boolean> => {
  ledger.stats.kafkaSends++
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: pairs.map((p) => ({
        key: p.lead.leadId,
        value: JSON.stringify(p.payload),
        ...(ledger.rand() < 0.5 ? { headers: { format: p.lead.format } } : {}),
      })),
    })
    ledger.recordKafkaAck(pairs)
    return true
  } catch {
    ledger.stats.kafkaUnacked++
    return false
  }
}

/** Upstream after the chaos: re-sends every pair still unacknowledged (over HTTP) until each is answered or `ms` pass. */
export const redeliverAll = async (ledger: Ledger, url: () => string | null, ms: number): Promise<void> => {
  for (const deadline = Date.now() + ms; ledger.unacked().length > 0 && Date.now() < deadline; )
    for (const format of ['marketplace', 'native'] as const) {
      const pending = ledger.unacked().filter((p) => p.lead.format === format)
      for (let i = 0; i < pending.length; i += 100) await post(ledger, url, format, pending.slice(i, i + 100), false, null, 5)
    }
}
