// Sends due deliveries, signed. Each subscription has its own slots and its own circuit, so a slow or dead
// receiver holds only its own deliveries; within a subscription one lead has one delivery in flight at a time,
// in log order (the store hands out only the first in line per lead).
import http from 'node:http'
import https from 'node:https'
import { setImmediate } from 'node:timers/promises'
import type { CircuitState } from '@leadstream/api'
import { TamperedRecord } from '@leadstream/privacy'
import type { Logger } from '@leadstream/runtime'
import {
  afterAttempt,
  allowance,
  bodyOf,
  circuitAt,
  closedCircuit,
  nextDelayMs,
  signedHeaders,
  type AttemptOutcome,
  type Attempted,
  type Circuit,
  type CircuitPolicy,
  type Delivery,
  type RetryPolicy,
  type Subscription,
  type WebhookStore,
} from '@leadstream/delivery-log'
import { AddressRefused, egress, type Egress, type PrivateNetworks } from './egress.js'
import type { WebhookMetrics } from './metrics.js'
import type { OpenPersonal } from './personal.js'

export interface SenderPorts {
  readonly store: WebhookStore
  readonly logger: Logger
  readonly metrics: WebhookMetrics
  readonly now: () => Date
  readonly random: () => number
  /** Opens a delivery's personal part for one attempt (the key store's unsealer). */
  readonly openPersonal: OpenPersonal
  /** How receivers' host names are resolved (tests name their own); the system resolver by default. */
  readonly resolve?: Parameters<typeof egress>[1]
}

export interface SenderOptions {
  readonly retry: RetryPolicy
  readonly circuit: CircuitPolicy
  readonly timeoutMs: number
  readonly concurrency: number
  readonly pollMs: number
  /** Whether https deliveries may reach private and loopback addresses (LEADSTREAM_WEBHOOK_PRIVATE_NETWORKS). */
  readonly privateNetworks: PrivateNetworks
}

export interface Sender {
  start(): void
  /** New deliveries may be due: look now instead of at the next poll. */
  wake(): void
  circuit(subscriptionId: string): CircuitState
  /** Stops taking deliveries and waits for those in flight (their outcome is recorded). */
  stop(): Promise<void>
}

/**
 * One POST; never throws. The answer's body is not read into any message: it may echo personal data. node:http(s)
 * with keep-alive agents rather than fetch: a delivery is one small POST whose answer body is never read, and
 * fetch's per-request machinery (streams, cloning) cost a third of the sender's CPU. The agents check the address
 * they connect to (egress.ts); a refused one fails the attempt before any byte is sent.
 */
const post = (out: Egress, url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<AttemptOutcome> =>
  new Promise<AttemptOutcome>((resolve) => {
    const u = new URL(url)
    const secure = u.protocol === 'https:'
    const refused = out.refusal(u)
    if (refused !== null) return resolve({ ok: false, status: null, retryAfter: null, error: refused.message })
    let settled = false
    const settle = (o: AttemptOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(o)
    }
    const req = (secure ? https : http).request(
      u,
      {
        method: 'POST',
        agent: secure ? out.agents.https : out.agents.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'leadstream-webhooks/1', ...headers },
      },
      (res) => {
        res.resume()
        const status = res.statusCode ?? 0
        const ok = status >= 200 && status < 300
        const retryAfter = res.headers['retry-after']
        settle({ ok, status, retryAfter: typeof retryAfter === 'string' ? retryAfter : null, error: ok ? null : `HTTP ${status}` })
      },
    )
    const timer = setTimeout(() => {
      settle({ ok: false, status: null, retryAfter: null, error: `no answer within ${timeoutMs} ms` })
      req.destroy()
    }, timeoutMs)
    req.on('error', (e: Error & { code?: string }) =>
      settle({ ok: false, status: null, retryAfter: null, error: e instanceof AddressRefused ? e.message : `connection failed: ${e.code ?? e.message}` }),
    )
    req.end(body)
  })

export const sender = (ports: SenderPorts, options: SenderOptions): Sender => {
  const out = egress(options.privateNetworks, ports.resolve)
  const circuits = new Map<string, Circuit>()
  const busy = new Map<string, Set<string>>()
  const inFlight = new Set<Promise<void>>()
  let running = false
  let loop: Promise<void> | null = null
  let wakeUp: () => void = () => {}
  let woken = false

  // Group commit: outcomes that finish while a commit runs go into the next one, so a durable write (fsync)
  // is paid per group of deliveries, not per delivery. A lead stays busy until its outcome is committed.
  let queue: Array<{ readonly a: Attempted; readonly done: () => void; readonly fail: (e: unknown) => void }> = []
  let flushing = false
  const flush = async (): Promise<void> => {
    await setImmediate()
    while (queue.length > 0) {
      const group = queue
      queue = []
      try {
        await ports.store.attempted(group.map((x) => x.a))
        for (const x of group) x.done()
      } catch (e) {
        for (const x of group) x.fail(e)
      }
    }
    flushing = false
  }
  const record = (a: Attempted): Promise<void> =>
    new Promise<void>((done, fail) => {
      queue.push({ a, done, fail })
      if (!flushing) {
        flushing = true
        void flush()
      }
    })

  /**
   * The body for one attempt, or why it cannot be built: the personal part may not open (key store unreachable, a
   * tampered record). The reason never quotes what was opened (a parse error would echo part of the plaintext).
   */
  const bodyFor = async (s: Subscription, d: Delivery): Promise<{ readonly body: string } | { readonly error: string }> => {
    try {
      return { body: bodyOf(d.payload, s.includeContact && d.personal !== null ? await ports.openPersonal(d.leadId, d.personal) : null) }
    } catch (e) {
      const why =
        e instanceof TamperedRecord ? e.message : e instanceof SyntaxError ? 'the opened record is not JSON' : e instanceof Error ? e.message : String(e)
      return { error: `personal data not opened: ${why}` }
    }
  }

  /**
   * One attempt, recorded whatever happens before the POST: a delivery whose personal part does not open fails
   * like an unanswered POST (retried later, parked at the last attempt) without reaching the receiver, and without
   * counting against its circuit (the receiver is not at fault). Throws only when the outcome was not recorded.
   */
  const attempt = async (s: Subscription, d: Delivery): Promise<void> => {
    const built = await bodyFor(s, d)
    const outcome: AttemptOutcome =
      'body' in built
        ? await post(out, s.url, signedHeaders(s.secret, d.id, ports.now(), built.body), built.body, options.timeoutMs)
        : { ok: false, status: null, retryAfter: null, error: built.error }
    const at = ports.now()
    const attempts = d.attempts + 1
    const retryAt =
      outcome.ok || attempts >= options.retry.maxAttempts
        ? null
        : new Date(at.getTime() + nextDelayMs(options.retry, attempts, outcome, at.getTime(), ports.random))
    await record({ seq: d.seq, at, ok: outcome.ok, status: outcome.status, error: outcome.error, retryAt })
    if ('body' in built) circuits.set(s.id, afterAttempt(options.circuit, circuits.get(s.id) ?? closedCircuit, outcome.ok, at.getTime()))
    const result = outcome.ok ? 'delivered' : retryAt === null ? 'parked' : 'failed'
    ports.metrics.deliveries.inc({ subscription: s.id, outcome: result })
    if (outcome.ok) ports.metrics.latency.observe((at.getTime() - Date.parse(d.recordedAt)) / 1000)
    if ('error' in built)
      ports.logger.warn(
        { subscription: s.id, delivery: d.id, seq: d.seq, attempts, error: outcome.error },
        'webhook delivery not sent: its personal data did not open',
      )
    else if (result === 'parked')
      ports.logger.warn({ subscription: s.id, delivery: d.id, seq: d.seq, attempts, error: outcome.error }, 'webhook delivery parked')
  }

  const launch = (s: Subscription, d: Delivery): void => {
    const leads = busy.get(s.id) ?? busy.set(s.id, new Set()).get(s.id)!
    leads.add(d.leadId)
    // After a recorded outcome the lead's next delivery may be due at once: look again. After an unrecorded one
    // (the delivery log failed) the same delivery is still due: it waits for the next poll, or it would spin.
    const p = attempt(s, d)
      .then(
        () => true,
        (e: unknown) => {
          ports.logger.error({ subscription: s.id, seq: d.seq, err: e instanceof Error ? e.message : String(e) }, 'webhook attempt not recorded')
          return false
        },
      )
      .then((recorded) => {
        leads.delete(d.leadId)
        inFlight.delete(p)
        if (recorded) wake()
      })
    inFlight.add(p)
  }

  const round = async (): Promise<void> => {
    const now = ports.now()
    for (const s of await ports.store.subscriptions()) {
      const leads = busy.get(s.id) ?? new Set<string>()
      const slots = allowance(circuits.get(s.id) ?? closedCircuit, now.getTime(), options.concurrency) - leads.size
      if (slots <= 0) continue
      for (const d of await ports.store.due(s.id, now, slots, leads)) launch(s, d)
    }
  }

  const wake = (): void => {
    woken = true
    wakeUp()
  }

  return {
    start: () => {
      if (running) return
      running = true
      loop = (async () => {
        while (running) {
          woken = false
          try {
            await round()
          } catch (e) {
            ports.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'webhook sender round failed')
          }
          if (!running) break
          if (!woken)
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, options.pollMs)
              wakeUp = () => {
                clearTimeout(timer)
                resolve()
              }
            })
          wakeUp = () => {}
        }
      })()
    },
    wake,
    circuit: (id) => circuitAt(circuits.get(id) ?? closedCircuit, ports.now().getTime()).state,
    stop: async () => {
      running = false
      wakeUp()
      await loop
      await Promise.all([...inFlight])
      out.agents.http.destroy()
      out.agents.https.destroy()
    },
  }
}
