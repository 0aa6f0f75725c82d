// Projection throughput: the real projector (embedded log → projectBatch → SQLite view store) from position 0
// until it has caught up with the event store's head.
import * as E from 'fp-ts/lib/Either.js'
import { embeddedEventLog, type EventLog } from '@leadstream/event-log'
import type { EventStore } from '@leadstream/event-store'
import { projector } from '@leadstream/projector'
import { createLogger, createMetrics } from '@leadstream/runtime'
import type { ViewStore } from '@leadstream/view-store'
import { setTimeout as sleep } from 'node:timers/promises'

export interface ProjectionResult {
  readonly events: number
  readonly seconds: number
  readonly eventsPerSecond: number
  /** Of `seconds`, the time `finishBuild` took (creating the indexes of a bulk build; 0 otherwise). */
  readonly indexSeconds: number
}

export const projectAll = async (
  store: EventStore,
  views: ViewStore,
  options: {
    readonly maxBatch?: number
    readonly onProgress?: (position: number, head: number, seconds: number) => void
    /** As a rebuild loads a new generation: in bulk (`beginBuild`), indexed once caught up (`finishBuild`, timed too). */
    readonly build?: boolean
    /** Opens the log's personal data (projectors' openingLog), as the services do. */
    readonly open?: (log: EventLog) => EventLog
  },
): Promise<ProjectionResult> => {
  const head = await store.head()()
  if (E.isLeft(head)) throw new Error(`event store head: ${head.left._tag}`)
  const proj = projector(
    { log: (options.open ?? ((l: EventLog) => l))(embeddedEventLog(store)), views, metrics: createMetrics(), logger: createLogger('bench-projector', 'warn') },
    options.maxBatch === undefined ? {} : { maxBatch: options.maxBatch },
  )
  const t0 = process.hrtime.bigint()
  const elapsed = () => Number(process.hrtime.bigint() - t0) / 1e9
  if (options.build === true) await views.beginBuild()
  proj.start()
  try {
    // The projector yields to the event loop between batches, so this poll sees each committed checkpoint.
    for (let lastReport = 0; ; ) {
      const position = await views.position()
      if (position >= head.right) break
      const status = await proj.status()
      if (status.state === 'failed') throw new Error(`projector failed: ${status.lastError?.message ?? 'unknown error'}`)
      if (options.onProgress !== undefined && elapsed() - lastReport >= 1) {
        lastReport = elapsed()
        options.onProgress(position, head.right, lastReport)
      }
      await sleep(20)
    }
  } finally {
    await proj.stop()
  }
  const caughtUp = elapsed()
  if (options.build === true) await views.finishBuild()
  const seconds = elapsed()
  return { events: head.right, seconds, eventsPerSecond: head.right / seconds, indexSeconds: seconds - caughtUp }
}
