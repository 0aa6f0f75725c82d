// The embedded log: the event store's own global order, read as a single partition whose offset is the position.
import * as E from 'fp-ts/lib/Either.js'
import { setImmediate } from 'node:timers/promises'
import type { EventStore } from '@leadstream/event-store'
import type { ConsumeOptions, EventLog } from '../port.js'

const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })))

export interface EmbeddedLogOptions {
  readonly idleWaitMs?: number
  /** The partition number its checkpoints are kept under (0; a history read before Kafka uses another). */
  readonly partition?: number
  /** Return once the head is reached instead of following the log (a history read). */
  readonly untilCaughtUp?: boolean
}

export const embeddedEventLog = (store: EventStore, options: EmbeddedLogOptions = {}): EventLog => {
  const idleWaitMs = options.idleWaitMs ?? 1000
  const partition = options.partition ?? 0
  return {
    progress: async (offsets) => {
      const h = await store.head()()
      if (E.isLeft(h)) throw new Error(`event log head: ${h.left._tag}`)
      const at = offsets.find((o) => o.partition === partition)?.offset ?? 0
      return { head: h.right, lag: Math.max(0, h.right - at) }
    },
    consume: async ({ resumeFrom, handle, maxBatch, signal }: ConsumeOptions) => {
      const offsets = await resumeFrom()
      let position = Math.max(0, offsets.find((o) => o.partition === partition)?.offset ?? 0)
      const stopped = aborted(signal)
      while (!signal.aborted) {
        const read = await store.readAll(position, maxBatch)()
        if (E.isLeft(read)) throw new Error(`event log read after ${position}: ${read.left._tag}`)
        const events = read.right
        const last = events[events.length - 1]
        if (last === undefined) {
          if (options.untilCaughtUp === true) return
          await Promise.race([store.waitFor(position, idleWaitMs), stopped])
          continue
        }
        await handle({ partition, entries: events.map((event) => ({ offset: event.position, event })) })
        position = last.position
        // SQLite answers synchronously, so a catching-up loop would never give the event loop back: let
        // HTTP requests (queries, status, ingest) in between batches.
        await setImmediate()
      }
    },
  }
}
