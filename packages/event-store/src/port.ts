// The event store port: the source of truth. One stream per lead, a global order, idempotent appends.
import type * as E from 'fp-ts/lib/Either.js'
import type * as T from 'fp-ts/lib/Task.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { isStorable, type FieldProblem, type NewEvent, type RecordedEvent } from '@leadstream/domain'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** What the caller believes the stream's last revision is: a number, no stream yet, or anything. */
export type ExpectedRevision = number | 'no-stream' | 'any'

export interface AppendRequest {
  readonly streamId: string
  readonly expectedRevision: ExpectedRevision
  readonly events: ReadonlyArray<NewEvent>
}

export type AppendOutcome =
  | { readonly _tag: 'Appended'; readonly streamId: string; readonly lastRevision: number; readonly lastPosition: number }
  /** Every event id of the request was already stored: nothing was written (a re-delivery). */
  | { readonly _tag: 'Duplicate'; readonly streamId: string; readonly lastRevision: number; readonly lastPosition: number }

export type StoreError =
  | { readonly _tag: 'WrongExpectedRevision'; readonly streamId: string; readonly expected: ExpectedRevision; readonly actual: number }
  /** Some but not all of a request's event ids are stored already: the request is not a re-delivery of one append. */
  | { readonly _tag: 'PartialDuplicate'; readonly streamId: string; readonly eventIds: ReadonlyArray<string> }
  | { readonly _tag: 'CorruptEvent'; readonly position: number; readonly problems: ReadonlyArray<FieldProblem> }
  | { readonly _tag: 'StoreUnavailable'; readonly message: string }

export interface StreamRead {
  /** The stream's last revision, -1 when the stream does not exist. */
  readonly revision: number
  readonly events: ReadonlyArray<RecordedEvent>
}

/** The answer to an Idempotency-Key request; `status: null` while only the claim is recorded (see below). */
export interface IdempotencyRecord {
  readonly fingerprint: string
  readonly status: number | null
  readonly body: string | null
}

/**
 * Idempotency-Key answers kept by the event store itself (the SQLite store). An append made while a request's
 * key is in scope (runtime's idempotencyScope) records the key's claim in the same transaction, so a crash
 * after the append and before the answer leaves a claim: the retry is recognised, never decided afresh.
 */
export interface IdempotencyRecords {
  get(key: string): Promise<IdempotencyRecord | null>
  put(key: string, answer: { readonly fingerprint: string; readonly status: number; readonly body: string }, now: Date): Promise<void>
  /**
   * Deletes the stored answers that name any of these leads (an erasure: an answer ties a caller's key to a
   * lead of the erased person). Answers how many went. A table scan: answers are kept for a day only.
   */
  forgetLeads(leadIds: ReadonlyArray<string>): Promise<number>
  close(): Promise<void>
}

export interface EventStore {
  /** Present when the engine keeps Idempotency-Key answers with its appends (SQLite). */
  readonly idempotency?: IdempotencyRecords
  readStream(streamId: string): TE.TaskEither<StoreError, StreamRead>
  /** Appends atomically, checking the expected revision; re-appending the same event ids is a Duplicate, not an error. */
  append(request: AppendRequest): TE.TaskEither<StoreError, AppendOutcome>
  /**
   * Appends several requests, each checked on its own; engines that can commit them in one transaction do
   * (the embedded store), so a batch costs one durable write.
   */
  appendMany(requests: ReadonlyArray<AppendRequest>): T.Task<ReadonlyArray<E.Either<StoreError, AppendOutcome>>>
  /** Events after `position` (exclusive) in global order, at most `limit`. Positions start at 1. */
  readAll(after: number, limit: number): TE.TaskEither<StoreError, ReadonlyArray<RecordedEvent>>
  /** The position of the last event, 0 when the store is empty. */
  head(): TE.TaskEither<StoreError, number>
  /** Resolves when an event after `position` exists, or after `timeoutMs`, whichever is first. */
  waitFor(position: number, timeoutMs: number): Promise<void>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

export const wrongExpectedRevision = (streamId: string, expected: ExpectedRevision, actual: number): StoreError => ({
  _tag: 'WrongExpectedRevision',
  streamId,
  expected,
  actual,
})
export const storeUnavailable = (e: unknown): StoreError => ({ _tag: 'StoreUnavailable', message: e instanceof Error ? e.message : String(e) })

/**
 * Every engine refuses, as a defect, an event whose personal data is not sealed: the store never holds (nor the
 * relay publishes) personal data in clear, whatever a caller forgets. Ingest seals with packages/privacy.
 */
export const assertStorable = (requests: ReadonlyArray<AppendRequest>): void => {
  for (const r of requests)
    for (const e of r.events)
      if (!isStorable(e.event)) throw new Error(`refusing to store ${e.event.type} of ${r.streamId} with personal data in clear: it must be sealed first`)
}

/** True when `actual` (the stream's last revision, -1 if none) satisfies `expected`. */
export const revisionMatches = (expected: ExpectedRevision, actual: number): boolean =>
  expected === 'any' || (expected === 'no-stream' ? actual === -1 : expected === actual)
