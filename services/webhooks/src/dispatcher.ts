// The dispatcher: one more consumer of the event log. Each batch is routed to the subscriptions (pure) and
// recorded in the delivery log with the checkpoint in ONE transaction, so a crash neither loses a delivery nor
// records one twice; the sender then sends what is due. Delivery is at least once: an attempt cut short by a
// crash is made again, with the same webhook-id.
import type { CircuitState, DispatcherView, LogReplayView } from '@leadstream/api'
import type { EventLog, LogBatch } from '@leadstream/event-log'
import type { Logger } from '@leadstream/runtime'
import { leadsToLookUp, route, type Subscription, type WebhookStore } from '@leadstream/delivery-log'
import { logReplays, type ReplayFrom } from './replay.js'
import { sender, type Sender, type SenderOptions } from './sender.js'
import type { WebhookMetrics } from './metrics.js'
import type { OpenPersonal } from './personal.js'

export interface DispatcherPorts {
  readonly log: EventLog
  readonly store: WebhookStore
  readonly logger: Logger
  readonly metrics: WebhookMetrics
  readonly now: () => Date
  readonly random?: () => number
  readonly openPersonal: OpenPersonal
  /** Kafka: a log of its own for each replay (a new consumer group); absent, replays read `log` (the embedded one). */
  readonly openReplayLog?: (name: string) => EventLog
}

/**
 * What the operators' routes and the health check ask of a dispatcher: the same whether it runs on this thread
 * or in a worker thread (threaded.ts), hence promises throughout.
 */
export interface DispatcherControl {
  /** A subscription was added or removed: reading the log starts (or goes idle) now rather than at the next check. */
  subscriptionsChanged(): void
  /** Deliveries were queued again: the sender looks now. */
  wake(): void
  circuit(subscriptionId: string): Promise<CircuitState>
  status(): Promise<DispatcherView>
  /** Re-reads the log for one subscription (replay.ts); null when a replay of it is already reading. */
  replayFromLog(s: Subscription, from: ReplayFrom): Promise<LogReplayView | null>
  replayProgress(subscriptionId: string): Promise<LogReplayView | null>
}

export interface Dispatcher extends DispatcherControl {
  readonly sender: Sender
  start(): void
  /** Stops reading the log after the batch in hand, then lets the deliveries in flight finish. */
  stop(): Promise<void>
  status(): Promise<DispatcherView>
}

/** How often an idle dispatcher checks for a subscription added by another process (its own routes tell it at once). */
const idleCheckMs = 2000

export const dispatcher = (ports: DispatcherPorts, options: SenderOptions & { readonly maxBatch: number; readonly retentionDays: number }): Dispatcher => {
  const send = sender(
    { store: ports.store, logger: ports.logger, metrics: ports.metrics, now: ports.now, random: ports.random ?? Math.random, openPersonal: ports.openPersonal },
    options,
  )
  let state: DispatcherView['state'] = 'starting'
  let lastError: string | null = null
  let running: Promise<void> | null = null
  let stopping = false
  // The log is read only while some subscription exists: without one there is nothing to send, and the embedded
  // server's event loop is spared the work. The checkpoint stays where it was; the first subscription makes the
  // dispatcher catch up from it (events recorded before a subscription existed are not sent to it anyway).
  let reading: AbortController | null = null
  let wakeIdle: () => void = () => {}

  // Live batches and a replay's hand-over take turns (replay.ts says why).
  let lock: Promise<unknown> = Promise.resolve()
  const serial = <A>(f: () => Promise<A>): Promise<A> => {
    const next = lock.then(f, f)
    lock = next.catch(() => undefined)
    return next
  }
  const replays = logReplays(
    {
      log: ports.log,
      ...(ports.openReplayLog === undefined ? {} : { openReplayLog: ports.openReplayLog }),
      store: ports.store,
      logger: ports.logger,
      now: ports.now,
      serial,
      wake: () => send.wake(),
    },
    { maxBatch: options.maxBatch },
  )

  const handle = (batch: LogBatch): Promise<void> =>
    serial(async () => {
      const last = batch.entries[batch.entries.length - 1]
      if (last === undefined) return
      const events = batch.entries.map((e) => e.event)
      const known = await ports.store.facts(leadsToLookUp(events))
      const subscriptions = await ports.store.subscriptions()
      const routed = route(events, known, subscriptions)
      // What a replay reading now covers for its subscription is the replay's to record (in order per lead).
      const outgoing = routed.outgoing.filter((o) => o._tag !== 'Deliver' || !replays.covers(o.delivery.subscriptionId, o.delivery.message))
      await ports.store.record({ partition: batch.partition, offset: last.offset, facts: routed.facts, outgoing, now: ports.now() })
      state = 'live'
      if (outgoing.length > 0) send.wake()
      if (subscriptions.length === 0) reading?.abort()
    })

  /** Reads the log while subscriptions exist; idle (checked every idleCheckMs, or when told) while none do. */
  const readWhileSubscribed = async (): Promise<void> => {
    while (!stopping) {
      if ((await ports.store.subscriptions()).length === 0) {
        state = 'idle'
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, idleCheckMs)
          wakeIdle = () => {
            clearTimeout(timer)
            resolve()
          }
        })
        wakeIdle = () => {}
        continue
      }
      reading = new AbortController()
      if (state === 'idle') state = 'starting'
      await ports.log.consume({ resumeFrom: () => ports.store.checkpoints(), handle, maxBatch: options.maxBatch, signal: reading.signal })
      reading = null
    }
  }

  // Retention: delivered deliveries older than retentionDays go, at start and then hourly.
  let pruning: NodeJS.Timeout | null = null
  const prune = () =>
    void ports.store.prune(new Date(ports.now().getTime() - options.retentionDays * 86_400_000)).then(
      (n) => (n > 0 ? ports.logger.info({ deleted: n, retentionDays: options.retentionDays }, 'webhook deliveries past retention deleted') : undefined),
      (e: unknown) => ports.logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'webhook retention failed; tried again in an hour'),
    )

  return {
    sender: send,
    start: () => {
      if (running !== null) return
      send.start()
      prune()
      pruning = setInterval(prune, 3_600_000).unref()
      running = (async () => {
        try {
          await readWhileSubscribed()
          state = 'stopped'
        } catch (e) {
          state = 'failed'
          lastError = e instanceof Error ? e.message : String(e)
          ports.logger.error({ err: lastError }, 'webhook dispatcher stopped on an error')
        }
      })()
    },
    subscriptionsChanged: () => wakeIdle(),
    wake: () => send.wake(),
    circuit: async (id) => send.circuit(id),
    replayFromLog: async (s, from) => replays.start(s, from),
    replayProgress: async (id) => replays.progress(id),
    stop: async () => {
      if (pruning !== null) clearInterval(pruning)
      stopping = true
      await replays.stop()
      reading?.abort()
      wakeIdle()
      await running
      await send.stop()
      if (state !== 'failed') state = 'stopped'
    },
    status: async () => {
      const { head, lag } = await ports.log.progress(await ports.store.checkpoints())
      return { state, head, lag, lastError }
    },
  }
}
