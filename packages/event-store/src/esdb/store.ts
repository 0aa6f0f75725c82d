// The event store on EventStoreDB/KurrentDB (gRPC client v6): one ESDB stream per lead, `$all` as the global order.
import * as E from 'fp-ts/lib/Either.js'
import { identity } from 'fp-ts/lib/function.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  streamNameFilter,
  type AppendResult,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
  type StreamingRead,
} from '@eventstore/db-client'
import type { RecordedEvent } from '@leadstream/domain'
import { assertStorable, storeUnavailable, type AppendOutcome, type AppendRequest, type EventStore, type StoreError } from '../port.js'
import {
  DOMAIN_STREAM_PREFIXES,
  expectedRevisionOf,
  isDomainEvent,
  isPositionAfter,
  judgeAppend,
  positionAfter,
  positionOf,
  storedIds,
  streamRevisionOf,
  toEventData,
  toRecorded,
} from './mappers.js'

export interface EventStoreDbOptions {
  /** `esdb://host:2113?tls=false`; keep nodePreference=leader (the default) so reads see this process's writes. */
  readonly connectionString: string
  /** Each call to the server gives up after this long, reads included (default 10 000 ms, the client's own). */
  readonly deadlineMs?: number
}

/** Events read per `$all` page; other streams' and system events are skipped client-side (see readAll). */
const PAGE = 512
/** Reads and writes of one append before giving up on a stream that keeps moving (only `any` retries). */
const MAX_ATTEMPTS = 5

/**
 * Guarantees, and where they differ from the embedded store:
 * - The global order is `$all` restricted to the domain's streams (`lead-…`, `offer-…`) and to non-system event
 *   types. A position is the event's commit position in the transaction log: a byte offset, so increasing but not
 *   dense; an append's events each get their own (ESDB writes an append as committed prepares).
 * - An append is one ESDB write to one stream: atomic, and durable once acknowledged.
 * - Idempotency is judged here, not by ESDB. The server compares ids only at the revisions after the expected one,
 *   and writes again when the expected revision is current (kurrent-io/KurrentDB#1898, #2274); with `any` it only
 *   asks a bounded cache of recent ids. So each append first reads the stream and judges as the embedded store
 *   does (all ids stored: Duplicate; some: PartialDuplicate; else the revision check), then writes expecting the
 *   revision it read. A racer that wrote other ids in between makes the server refuse, and the append is judged
 *   again from a fresh read. A racer that wrote the same ids makes the server acknowledge without writing (its
 *   own check at those revisions): servers that give that ack no position are judged again (Duplicate); newer
 *   ones give the first write's position, so the later racer reports Appended with the first one's revision and
 *   position. Never a second copy. Ids are unique per stream, not store-wide (ESDB has no index by event id).
 *   The ESDB event id is a UUID v5 of ours; ours is in the metadata.
 * - appendMany appends one request after another: ESDB v6 has no transaction across streams.
 * - Every call has a deadline. An append that ran out of time may still have been written: a retry with the
 *   same ids is then a Duplicate, never a second copy. A call that fails (server down, leader changed) is a
 *   StoreUnavailable; the client reconnects on the next call, and retrying is the caller's choice.
 * Needs a server from 22.6 on: older ones give stream reads no `$all` position (StoreUnavailable says so). On a
 * secure server the connection string's user must be allowed to read `$all` (admins and ops, by default).
 * A bad connection string or deadline throws here: it is a defect of the composition root, not a store failure.
 */
export const eventStoreDbEventStore = (options: EventStoreDbOptions): EventStore => {
  const deadlineMs = options.deadlineMs ?? 10_000
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) throw new Error(`deadlineMs must be a positive number of milliseconds, got ${deadlineMs}`)
  const client = EventStoreDBClient.connectionString(options.connectionString)
  const waiting = new Set<() => void>()
  let closed = false

  // -------------------------------------------------------------------------------------------------------
  // calls: the one place where the client's rejected promises become values
  // -------------------------------------------------------------------------------------------------------

  /** Runs one client call under the deadline; the failure stays `unknown` until the caller classifies it. */
  const call = <A>(what: string, run: () => Promise<A>, cancel: () => void = () => undefined): TE.TaskEither<unknown, A> =>
    TE.tryCatch(() => withDeadline(deadlineMs, what, run, cancel), identity)

  /** Reads to the end. The client sets no deadline on reads (it ignores `deadline` there), so `call` gives one. */
  const readThrough = <A>(what: string, open: () => StreamingRead<A>): TE.TaskEither<unknown, ReadonlyArray<A>> => {
    let read: StreamingRead<A> | undefined
    return call(
      what,
      () => drain((read = open())),
      () => void read?.cancel().catch(() => undefined),
    )
  }

  /** A stream's recorded events; a missing (or soft-deleted) stream has none. */
  const readRaw = async (streamId: string): Promise<E.Either<StoreError, ReadonlyArray<EsdbRecordedEvent>>> => {
    const r = await readThrough(`reading ${streamId}`, () => client.readStream(streamId, { fromRevision: START, direction: FORWARDS }))()
    if (E.isRight(r)) return E.right(r.right.flatMap((resolved) => (resolved.event === undefined ? [] : [resolved.event])))
    return r.left instanceof StreamNotFoundError ? E.right([]) : E.left(failure(streamId, r.left))
  }

  // -------------------------------------------------------------------------------------------------------
  // appends
  // -------------------------------------------------------------------------------------------------------

  const appendOne = async (req: AppendRequest): Promise<E.Either<StoreError, AppendOutcome>> => {
    assertStorable([req])
    const events = req.events.map(toEventData)
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const read = await readRaw(req.streamId)
      if (E.isLeft(read)) return read
      const stored = storedIds(read.right)
      if (E.isLeft(stored)) return stored
      const revision = streamRevisionOf(read.right)
      const judged = judgeAppend(req, revision, stored.right)
      if (judged._tag === 'Judged') return judged.result
      const written = await call(`appending to ${req.streamId}`, () =>
        client.appendToStream(req.streamId, events, { expectedRevision: expectedRevisionOf(revision), deadline: deadlineMs }),
      )()
      if (E.isLeft(written)) {
        // Someone wrote between our read and our write: judge again from a fresh read.
        if (written.left instanceof WrongExpectedVersionError) continue
        return E.left(failure(req.streamId, written.left))
      }
      const appended = appendedOutcome(req.streamId, written.right)
      if (appended !== undefined) return E.right(appended)
      // `throwOnAppendFailure=false` in the connection string, or an ack without a position (older servers
      // answer an idempotent re-write so): the fresh read tells which.
    }
    return E.left(storeUnavailable(`appending to ${req.streamId}: the stream moved under each of ${MAX_ATTEMPTS} attempts`))
  }

  // -------------------------------------------------------------------------------------------------------
  // the global order
  // -------------------------------------------------------------------------------------------------------

  /**
   * `$all` pages from `after` forwards. The v6 client cannot filter a read (only a subscription), so other streams'
   * and system events are skipped here and paging goes on until `limit` domain events or the end of `$all`. A read
   * from a position includes the event there, and `after` is one of our events (commit = prepare), so the page
   * starts at `after` and drops it; later pages start at the full position of the last event seen, whatever it was.
   * The cost: foreign events after the caller's position are read again by each call until a domain event follows.
   */
  const readAll = async (after: number, limit: number): Promise<E.Either<StoreError, ReadonlyArray<RecordedEvent>>> => {
    const from = positionAfter(after)
    if (E.isLeft(from)) return E.left(storeUnavailable(from.left))
    const out: RecordedEvent[] = []
    let cursor = from.right
    while (out.length < limit) {
      const start = cursor
      const page = await readThrough(`reading $all after ${after}`, () =>
        client.readAll({ fromPosition: start ?? START, direction: FORWARDS, maxCount: PAGE }),
      )()
      if (E.isLeft(page)) return E.left(failure('$all', page.left))
      for (const resolved of page.right) {
        const e = resolved.event
        if (e?.position === undefined || (start !== undefined && !isPositionAfter(e.position, start))) continue
        cursor = e.position
        if (!isDomainEvent(e)) continue
        const recorded = toRecorded(e)
        if (E.isLeft(recorded)) return recorded
        out.push(recorded.right)
        if (out.length === limit) break
      }
      if (page.right.length < PAGE || cursor === start) break
    }
    return E.right(out)
  }

  /**
   * The last domain event's position, paging `$all` backwards past other streams' and system events; a database
   * without domain events is read through once to answer 0.
   */
  const head = async (): Promise<E.Either<StoreError, number>> => {
    let cursor: Position | undefined
    for (;;) {
      const start = cursor
      const page = await readThrough('reading the head of $all', () => client.readAll({ fromPosition: start ?? END, direction: BACKWARDS, maxCount: PAGE }))()
      if (E.isLeft(page)) return E.left(failure('$all', page.left))
      for (const resolved of page.right) {
        const e = resolved.event
        if (e?.position === undefined || (start !== undefined && !isPositionAfter(start, e.position))) continue
        cursor = e.position
        if (isDomainEvent(e)) return E.mapLeft(storeUnavailable)(positionOf(e.position))
      }
      if (page.right.length < PAGE || cursor === start) return E.right(0)
    }
  }

  /**
   * A catch-up subscription to `$all` from `position`, filtered by the server to the domain's streams: the first
   * domain event after `position` wakes the waiter. A failed subscription waits out the timeout rather than waking
   * the caller into a loop; the caller's next read reports what is wrong.
   */
  const waitFor = (position: number, timeoutMs: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const from = positionAfter(position)
      if (closed || E.isLeft(from)) return resolve()
      let settled = false
      const subscription = client.subscribeToAll({ fromPosition: from.right ?? START, filter: streamNameFilter({ prefixes: [...DOMAIN_STREAM_PREFIXES] }) })
      const done = () => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        waiting.delete(done)
        void subscription.unsubscribe().catch(() => undefined)
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      waiting.add(done)
      subscription.on('error', () => undefined)
      subscription.on('data', (resolved) => {
        const e = resolved.event
        if (e !== undefined && isDomainEvent(e) && E.exists((p: number) => p > position)(positionOf(e.position))) done()
      })
    })

  return {
    readStream: (streamId) => async () => {
      const read = await readRaw(streamId)
      if (E.isLeft(read)) return read
      const events: RecordedEvent[] = []
      for (const e of read.right) {
        const recorded = toRecorded(e)
        if (E.isLeft(recorded)) return recorded
        events.push(recorded.right)
      }
      return E.right({ revision: streamRevisionOf(read.right), events })
    },
    append: (request) => () => appendOne(request),
    appendMany: (requests) => async () => {
      const results: Array<E.Either<StoreError, AppendOutcome>> = []
      for (const request of requests) results.push(await appendOne(request))
      return results
    },
    readAll: (after, limit) => () => readAll(after, limit),
    head: () => head,
    waitFor,
    close: async () => {
      closed = true
      for (const done of [...waiting]) done()
      await client.dispose()
    },
  }
}

// ---------------------------------------------------------------------------------------------------------
// client plumbing: deadlines, draining reads, classifying failures
// ---------------------------------------------------------------------------------------------------------

const withDeadline = <A>(ms: number, what: string, run: () => Promise<A>, cancel: () => void): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => {
      cancel()
      reject(new Error(`${what}: no answer from EventStoreDB within ${ms} ms`))
    }, ms)
    Promise.resolve()
      .then(run)
      .then(
        (a) => {
          clearTimeout(timer)
          resolve(a)
        },
        (e: unknown) => {
          clearTimeout(timer)
          reject(e)
        },
      )
  })

/** Collects a read; a missing stream arrives as the read's error (StreamNotFoundError), not as an empty read. */
const drain = <A>(read: StreamingRead<A>): Promise<ReadonlyArray<A>> =>
  new Promise((resolve, reject) => {
    const out: A[] = []
    read.on('data', (a: A) => {
      out.push(a)
    })
    read.once('error', reject)
    read.once('end', () => resolve(out))
  })

const failure = (streamId: string, e: unknown): StoreError =>
  e instanceof StreamDeletedError
    ? storeUnavailable(`${streamId} is deleted (tombstoned) in EventStoreDB; the port has no deleted streams`)
    : storeUnavailable(e)

/** A successful write with its position; undefined when the answer does not say the events were written now. */
const appendedOutcome = (streamId: string, result: AppendResult): AppendOutcome | undefined => {
  if (!result.success) return undefined
  const position = positionOf(result.position)
  return E.isRight(position) ? { _tag: 'Appended', streamId, lastRevision: Number(result.nextExpectedRevision), lastPosition: position.right } : undefined
}
