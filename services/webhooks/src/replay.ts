// Replays from the event log: one subscription's deliveries built again from a log position or a time, by
// re-reading the log (the embedded store's global log, or `lead-events` through its own consumer group) and
// routing each event to that subscription alone, with its filters, types and contact option. Ids are the
// live ones (subscription + event), so a receiver sees the same `webhook-id` it saw before.
//
// Guarantees, and where they are kept:
// - In order per lead: each replayed delivery replaces any earlier one of the same id with a new seq, in log
//   order (store.replayed), and while the replay reads, the live dispatcher leaves the events it covers to it
//   for this subscription (`covers`); it hands them back only once the replay has read as far as the live
//   checkpoint, a switch made under the same lock as the live batches (`serial`), so no event falls between.
// - Other subscriptions and the live checkpoint are untouched: a replay records deliveries of its subscription
//   only, and no checkpoint (it is not resumed after a restart: run it again, the ids are the same).
import type { LogReplayView } from '@leadstream/api'
import type { EventLog, LogBatch, LogOffset } from '@leadstream/event-log'
import type { Logger } from '@leadstream/runtime'
import {
  deliveryOf,
  leadsToLookUp,
  route,
  type LeadTraits,
  type Message,
  type NewDelivery,
  type Subscription,
  type WebhookStore,
} from '@leadstream/delivery-log'

export type ReplayFrom = { readonly position: number } | { readonly time: string }

export interface LogReplayPorts {
  readonly log: EventLog
  /**
   * A log of its own for each replay (Kafka: a new consumer group, read from each partition's start). Absent: the
   * embedded log, whose offsets are positions, so a replay from a position starts right there.
   */
  readonly openReplayLog?: (name: string) => EventLog
  readonly store: WebhookStore
  readonly logger: Logger
  readonly now: () => Date
  /** Runs `f` under the lock the live dispatcher's batches take. */
  readonly serial: <A>(f: () => Promise<A>) => Promise<A>
  /** New deliveries are due: the sender looks now. */
  readonly wake: () => void
}

export interface LogReplays {
  /** Starts a replay of one subscription; null when one is already reading for it. */
  start(s: Subscription, from: ReplayFrom): LogReplayView | null
  /** The latest replay of the subscription since this process started. */
  progress(subscriptionId: string): LogReplayView | null
  /** Whether a replay reading now covers this message for this subscription (the live dispatcher then leaves it). */
  covers(subscriptionId: string, m: Message): boolean
  /** Stops the replays reading (after their batch in hand). */
  stop(): Promise<void>
}

const isCovered = (from: ReplayFrom, m: Message): boolean => ('position' in from ? m.position >= from.position : m.recordedAt >= from.time)

/** How often a replay that has nothing left to read checks whether the live dispatcher has caught up to it. */
const handOverCheckMs = 200

interface Running {
  readonly from: ReplayFrom
  view: LogReplayView
  readonly abort: AbortController
  done: Promise<void>
}

export const logReplays = (ports: LogReplayPorts, options: { readonly maxBatch: number }): LogReplays => {
  const replays = new Map<string, Running>()

  const run = async (s: Subscription, r: Running): Promise<void> => {
    const log = ports.openReplayLog?.(`${s.id}-${Date.now()}`) ?? ports.log
    const startAt: ReadonlyArray<LogOffset> = ports.openReplayLog === undefined && 'position' in r.from ? [{ partition: 0, offset: r.from.position - 1 }] : []
    const startedAt = r.view.startedAt
    // Each lead's facts as of the event read (its `from` state, its filters), folded by this replay; a lead
    // captured before the replay's start is looked up in the delivery log (its latest facts).
    const facts = new Map<string, LeadTraits>()
    const received = new Set<string>()
    const read = new Map<number, { offset: number; recordedAt: string }>()
    const finish = (state: LogReplayView['state'], error: string | null) => {
      r.view = { ...r.view, state, error, finishedAt: ports.now().toISOString() }
      r.abort.abort()
    }
    /** Read as far as the live checkpoint (so the live dispatcher takes over from there) and up to the replay's start. */
    const caughtUp = async (): Promise<boolean> => {
      const at = new Map(startAt.map((o) => [o.partition, o.offset]))
      for (const [partition, p] of read) at.set(partition, p.offset)
      const live = await ports.store.checkpoints()
      if (live.some((c) => (at.get(c.partition) ?? -1) < c.offset)) return false
      if ((await log.progress([...at].map(([partition, offset]) => ({ partition, offset })))).lag === 0) return true
      return read.size > 0 && [...read.values()].every((p) => p.recordedAt >= startedAt)
    }
    const handOver = () =>
      ports.serial(async () => {
        if (r.view.state === 'reading' && (await caughtUp())) finish('done', null)
      })
    const handle = (batch: LogBatch) =>
      ports.serial(async () => {
        if (r.view.state !== 'reading') return
        const last = batch.entries[batch.entries.length - 1]
        if (last === undefined) return
        // Removed while replaying: nothing more to send it.
        if ((await ports.store.subscription(s.id)) === null) return finish('stopped', 'the subscription was removed')
        const events = batch.entries.map((e) => e.event)
        const missing = leadsToLookUp(events).filter((id) => !facts.has(id))
        const known = new Map(await ports.store.facts(missing))
        for (const [id, f] of facts) known.set(id, f)
        const { outgoing, facts: after } = route(events, known, [s], { sinceCreation: false })
        for (const f of after) facts.set(f.leadId, f)
        const deliveries: NewDelivery[] = []
        for (const o of outgoing) {
          if (o._tag === 'Deliver') {
            if (!isCovered(r.from, o.delivery.message)) continue
            received.add(o.delivery.message.leadId)
            deliveries.push(o.delivery)
          } else if (isCovered(r.from, o.message) && received.has(o.message.leadId)) {
            // An erasure follows the lead's replayed deliveries (it is already in the live log for earlier ones).
            deliveries.push(deliveryOf(s.id, o.message))
          }
        }
        await ports.store.replayed(deliveries, ports.now())
        read.set(batch.partition, { offset: last.offset, recordedAt: last.event.recordedAt })
        r.view = { ...r.view, read: r.view.read + events.length, requeued: r.view.requeued + deliveries.length }
        if (deliveries.length > 0) ports.wake()
        if (await caughtUp()) finish('done', null)
      })
    const timer = setInterval(() => void handOver().catch(() => undefined), handOverCheckMs)
    try {
      await handOver()
      if (r.view.state === 'reading') await log.consume({ resumeFrom: async () => startAt, handle, maxBatch: options.maxBatch, signal: r.abort.signal })
      if (r.view.state === 'reading') finish('stopped', null)
      ports.logger.info({ subscription: s.id, read: r.view.read, requeued: r.view.requeued, state: r.view.state }, 'webhook replay from the log finished')
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e)
      finish('failed', message)
      ports.logger.error({ subscription: s.id, err: message }, 'webhook replay from the log failed')
    } finally {
      clearInterval(timer)
    }
  }

  return {
    start: (s, from) => {
      if (replays.get(s.id)?.view.state === 'reading') return null
      const view: LogReplayView = {
        state: 'reading',
        fromPosition: 'position' in from ? from.position : null,
        fromTime: 'time' in from ? from.time : null,
        startedAt: ports.now().toISOString(),
        finishedAt: null,
        read: 0,
        requeued: 0,
        error: null,
      }
      const r: Running = { from, view, abort: new AbortController(), done: Promise.resolve() }
      replays.set(s.id, r)
      r.done = run(s, r)
      return view
    },
    progress: (id) => replays.get(id)?.view ?? null,
    covers: (id, m) => {
      const r = replays.get(id)
      return r !== undefined && r.view.state === 'reading' && isCovered(r.from, m)
    },
    stop: async () => {
      for (const r of replays.values()) r.abort.abort()
      await Promise.all([...replays.values()].map((r) => r.done))
    },
  }
}
