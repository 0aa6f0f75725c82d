// Appending straight to the embedded event store (`appendMany`, one transaction per batch): the figure for
// new leads, and the fill of a large store for the projection benchmark.
import * as E from 'fp-ts/lib/Either.js'
import type { AppendRequest, EventStore } from '@leadstream/event-store'
import type { History } from './history.js'

export interface AppendResult {
  readonly events: number
  /** Time inside `appendMany` only: generating the events is not counted. */
  readonly seconds: number
  readonly eventsPerSecond: number
}

/**
 * Appends everything `history` produces, `batch` requests per call. Every request must be Appended: a
 * rejected or duplicate one means the generator or the store is wrong, and the figure would be meaningless.
 * `alongside` gets each batch just before it is appended (untimed here): a raw baseline fed the same batches
 * in the same moments sees the same disk and the same competing load.
 */
export const appendAll = async (
  store: EventStore,
  history: History,
  options: {
    readonly batch: number
    readonly onProgress?: (events: number, seconds: number) => void
    readonly alongside?: (requests: ReadonlyArray<AppendRequest>) => void
    /** Turns each batch into what is appended before the timed call (the curve seals here: the store's own rate). */
    readonly prepare?: (requests: ReadonlyArray<AppendRequest>) => Promise<ReadonlyArray<AppendRequest>>
    /** Events per onProgress call (default 50,000). */
    readonly every?: number
  },
): Promise<AppendResult> => {
  let events = 0
  let ns = 0n
  let lastReport = 0
  for (let next = history.next(options.batch); next.length > 0; next = history.next(options.batch)) {
    const requests = options.prepare === undefined ? next : await options.prepare(next)
    options.alongside?.(requests)
    const t0 = process.hrtime.bigint()
    const outcomes = await store.appendMany(requests)()
    ns += process.hrtime.bigint() - t0
    outcomes.forEach((o, i) => {
      if (E.isLeft(o)) throw new Error(`append of ${requests[i]?.streamId ?? '?'} failed: ${JSON.stringify(o.left)}`)
      if (o.right._tag !== 'Appended') throw new Error(`append of ${o.right.streamId} was a ${o.right._tag}`)
    })
    events += requests.reduce((n, r) => n + r.events.length, 0)
    if (options.onProgress !== undefined && events - lastReport >= (options.every ?? 50_000)) {
      lastReport = events
      options.onProgress(events, Number(ns) / 1e9)
    }
  }
  const seconds = Number(ns) / 1e9
  return { events, seconds, eventsPerSecond: events / seconds }
}
