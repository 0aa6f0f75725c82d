// The relay: tails the event store's global order and publishes each event to `lead-events`, keyed by
// stream. Log tailing, never a dual write from ingest.
import * as E from 'fp-ts/lib/Either.js'
import type { Producer } from 'kafkajs'
import type { EventStore } from '@leadstream/event-store'
import { toMessage } from '@leadstream/event-log'
import type { Checkpoints, Logger, Metrics } from '@leadstream/runtime'

export interface RelayPorts {
  readonly store: EventStore
  /** Must be created with `idempotent: true`: broker-side de-duplication of retried sends. */
  readonly producer: Producer
  readonly checkpoints: Checkpoints
  readonly logger: Logger
  readonly metrics: Metrics
}

export interface RelayOptions {
  readonly topic: string
  readonly batch: number
  readonly idleWaitMs?: number
}

export interface RelayStatus {
  readonly state: 'running' | 'stopped' | 'failed'
  readonly position: number
  readonly head: number
  readonly lastError: string | null
}

export interface Relay {
  /**
   * Republishes the whole event store from position 0 (e.g. into a new or emptied topic). Safe at any time:
   * projections skip what they have already applied, by lead revision.
   */
  reseed(): void
  start(): void
  stop(): Promise<void>
  status(): Promise<RelayStatus>
}

const CHECKPOINT = 'relay:lead-events'

/**
 * Guarantees: events are published in global order (so one lead's events reach its partition in order);
 * the checkpoint advances only after Kafka acknowledged the batch (acks = all). Killed between the two, the
 * relay publishes the batch again on restart: projections are idempotent per lead revision, so a projector
 * never counts those twice; nothing is ever skipped.
 */
export const relay = (ports: RelayPorts, options: RelayOptions): Relay => {
  const abort = new AbortController()
  let state: RelayStatus['state'] = 'running'
  let position = ports.checkpoints.get(CHECKPOINT)
  let lastError: string | null = null
  let running: Promise<void> | null = null
  let reseedRequested = false
  const stopped = new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }))

  const loop = async () => {
    while (!abort.signal.aborted) {
      if (reseedRequested) {
        reseedRequested = false
        position = 0
        ports.checkpoints.set(CHECKPOINT, 0)
      }
      const read = await ports.store.readAll(position, options.batch)()
      if (E.isLeft(read)) throw new Error(`reading the event store after ${position}: ${read.left._tag}`)
      const events = read.right
      const last = events[events.length - 1]
      if (last === undefined) {
        await Promise.race([ports.store.waitFor(position, options.idleWaitMs ?? 1000), stopped])
        continue
      }
      await ports.producer.send({ topic: options.topic, acks: -1, messages: events.map(toMessage) })
      // asked during the send: start over (at the top of the loop) instead of recording this batch's end
      if (reseedRequested) continue
      ports.checkpoints.set(CHECKPOINT, last.position)
      position = last.position
      ports.metrics.eventsPublished.inc(events.length)
      ports.metrics.projectionPosition.set({ projection: 'relay' }, position)
    }
  }

  return {
    reseed: () => {
      reseedRequested = true
      ports.logger.warn({ from: position }, 'relay reseed: republishing the event store from position 0')
    },
    start: () => {
      if (running !== null) return
      ports.logger.info({ position }, 'relay publishing from its checkpoint')
      running = loop().then(
        () => {
          state = 'stopped'
        },
        (e: unknown) => {
          state = 'failed'
          lastError = e instanceof Error ? e.message : String(e)
          ports.logger.error({ err: lastError }, 'relay stopped on an error')
        },
      )
    },
    stop: async () => {
      abort.abort()
      await running
    },
    status: async () => {
      const head = await ports.store.head()()
      return { state, position, head: E.isRight(head) ? head.right : -1, lastError }
    },
  }
}
