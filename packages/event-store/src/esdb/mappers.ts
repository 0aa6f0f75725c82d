// Pure mappings between the port's shapes and EventStoreDB's: ids, revisions, positions, metadata, recorded events.
import { createHash } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import {
  NO_STREAM,
  jsonEvent,
  type AppendExpectedRevision,
  type EventData,
  type Position,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client'
import {
  decodeEvent,
  fromValidation,
  problem,
  streamOfLead,
  streamOfOffer,
  type EventMetadata,
  type FieldProblem,
  type NewEvent,
  type RecordedEvent,
} from '@leadstream/domain'
import { revisionMatches, storeUnavailable, wrongExpectedRevision, type AppendOutcome, type AppendRequest, type StoreError } from '../port.js'

// ---------------------------------------------------------------------------------------------------------
// event ids
// ---------------------------------------------------------------------------------------------------------

/**
 * The namespace of our event ids. Never change it: a re-delivery after a change would get a new UUID, and since
 * ESDB judges ids per stream our read-before-write would no longer recognise the stored event.
 */
export const EVENT_ID_NAMESPACE = 'e269642e-40a5-4082-9ff2-d91165cb63d5'

/** A name-based UUID (version 5, SHA-1; RFC 9562 §5.5): the same name in the same namespace gives the same UUID. */
export const uuidV5 = (namespace: string, name: string): string => {
  const bytes = createHash('sha1')
    .update(Buffer.from(namespace.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16)
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x50
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80
  const h = bytes.toString('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
}

/** ESDB wants a UUID per event and ours may be any string, so the ESDB id is derived from ours, deterministically. */
export const eventUuid = (eventId: string): string => uuidV5(EVENT_ID_NAMESPACE, eventId)

// ---------------------------------------------------------------------------------------------------------
// revisions
// ---------------------------------------------------------------------------------------------------------

/** The expected revision of a write that must find the stream as we read it: -1 is "no stream yet". */
export const expectedRevisionOf = (revision: number): AppendExpectedRevision => (revision < 0 ? NO_STREAM : BigInt(revision))

/** The stream's last revision, -1 when it has no events. */
export const streamRevisionOf = (events: ReadonlyArray<Pick<EsdbRecordedEvent, 'revision'>>): number => {
  const last = events[events.length - 1]
  return last === undefined ? -1 : Number(last.revision)
}

// ---------------------------------------------------------------------------------------------------------
// positions
// ---------------------------------------------------------------------------------------------------------

/** 2^64 - 1: what servers before 22.6 put in the position of an event read from its stream (no position known). */
const NO_POSITION = 0xffff_ffff_ffff_ffffn

/**
 * The port's position of an event: its commit position. Positions are byte offsets in the transaction log, exact
 * as numbers up to 2^53 (8 PiB of log); beyond that this refuses rather than round. 0 (the client's default for
 * an absent field) and 2^64 - 1 mean the server did not say: stream reads carry positions from server 22.6 on.
 */
export const positionOf = (p: Position | undefined): E.Either<string, number> => {
  if (p === undefined || p.commit <= 0n || p.commit === NO_POSITION)
    return E.left('EventStoreDB gave no $all position for an event (stream reads carry one from server 22.6 on)')
  if (p.commit > BigInt(Number.MAX_SAFE_INTEGER)) return E.left(`commit position ${p.commit} is beyond 2^53 and cannot be a port position`)
  return E.right(Number(p.commit))
}

/**
 * Where a forward read or subscription starts for "after `after`": undefined is the start of `$all`. Our events
 * are committed prepares (commit = prepare), so `{ after, after }` is exactly the event the caller last saw; a read
 * includes it, a caller drops it.
 */
export const positionAfter = (after: number): E.Either<string, Position | undefined> =>
  !Number.isSafeInteger(after) || after < 0
    ? E.left(`position ${after} is not a position of this store`)
    : E.right(after === 0 ? undefined : { commit: BigInt(after), prepare: BigInt(after) })

/** `$all` order: by commit position, then prepare position (events of one legacy transaction share a commit). */
export const isPositionAfter = (a: Position, b: Position): boolean => a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare)

// ---------------------------------------------------------------------------------------------------------
// which events are ours
// ---------------------------------------------------------------------------------------------------------

/** The domain's streams; everything else in the database (other apps, `$`-system streams) is not the global order. */
export const DOMAIN_STREAM_PREFIXES: ReadonlyArray<string> = [streamOfLead(''), streamOfOffer('')]

/** A domain stream's event, not a system one (a tombstone writes `$streamDeleted` into the stream itself). */
export const isDomainEvent = (e: Pick<EsdbRecordedEvent, 'streamId' | 'type'>): boolean =>
  !e.type.startsWith('$') && DOMAIN_STREAM_PREFIXES.some((prefix) => e.streamId.startsWith(prefix))

// ---------------------------------------------------------------------------------------------------------
// metadata and events
// ---------------------------------------------------------------------------------------------------------

/** What ESDB keeps beside each event: our id and the data's version, plus ESDB's correlation conventions. */
export const StoredMetadata = t.intersection([
  t.type({ eventId: t.string, version: t.number }),
  t.partial({ by: t.string, $correlationId: t.string, $causationId: t.string, commandId: t.string, command: t.string }),
])
export type StoredMetadata = t.TypeOf<typeof StoredMetadata>

export const toStoredMetadata = (e: NewEvent): StoredMetadata => ({
  eventId: e.eventId,
  version: e.event.version,
  ...(e.metadata.by === undefined ? {} : { by: e.metadata.by }),
  ...(e.metadata.correlationId === undefined ? {} : { $correlationId: e.metadata.correlationId }),
  ...(e.metadata.causationId === undefined ? {} : { $causationId: e.metadata.causationId }),
  ...(e.metadata.commandId === undefined ? {} : { commandId: e.metadata.commandId }),
  ...(e.metadata.command === undefined ? {} : { command: e.metadata.command }),
})

export const fromStoredMetadata = (m: StoredMetadata): EventMetadata => ({
  ...(m.$correlationId === undefined ? {} : { correlationId: m.$correlationId }),
  ...(m.$causationId === undefined ? {} : { causationId: m.$causationId }),
  ...(m.by === undefined ? {} : { by: m.by }),
  ...(m.commandId === undefined ? {} : { commandId: m.commandId }),
  ...(m.command === undefined ? {} : { command: m.command }),
})

export const toEventData = (e: NewEvent): EventData =>
  jsonEvent({ id: eventUuid(e.eventId), type: e.event.type, data: e.event.data, metadata: toStoredMetadata(e) })

/** An event read back: its metadata and data decoded (CorruptEvent with field paths when either fails). */
export const toRecorded = (e: EsdbRecordedEvent): E.Either<StoreError, RecordedEvent> => {
  const position = positionOf(e.position)
  if (E.isLeft(position)) return E.left(storeUnavailable(`${e.streamId}@${e.revision}: ${position.left}`))
  const corrupt = (problems: ReadonlyArray<FieldProblem>): StoreError => ({ _tag: 'CorruptEvent', position: position.right, problems })
  if (!e.isJson) return E.left(corrupt([problem('data', 'expected a JSON event, got binary content')]))
  return pipe(
    StoredMetadata.decode(e.metadata),
    E.mapLeft((errors) => corrupt(fromValidation(errors, 'metadata'))),
    E.chain((metadata) =>
      pipe(
        decodeEvent(e.type, metadata.version, e.data),
        E.bimap(corrupt, (event) => ({
          eventId: metadata.eventId,
          streamId: e.streamId,
          revision: Number(e.revision),
          position: position.right,
          event,
          metadata: fromStoredMetadata(metadata),
          recordedAt: e.created.toISOString(),
        })),
      ),
    ),
  )
}

// ---------------------------------------------------------------------------------------------------------
// judging an append against the stream as read
// ---------------------------------------------------------------------------------------------------------

/** The ESDB ids stored in a stream, each with its position (a Duplicate reports the last one). */
export const storedIds = (events: ReadonlyArray<EsdbRecordedEvent>): E.Either<StoreError, ReadonlyMap<string, number>> => {
  const ids = new Map<string, number>()
  for (const e of events) {
    const position = positionOf(e.position)
    if (E.isLeft(position)) return E.left(storeUnavailable(`${e.streamId}@${e.revision}: ${position.left}`))
    ids.set(e.id.toLowerCase(), position.right)
  }
  return E.right(ids)
}

export type Judgement = { readonly _tag: 'Write' } | { readonly _tag: 'Judged'; readonly result: E.Either<StoreError, AppendOutcome> }

/**
 * The embedded store's rules, against the stream as read: idempotency first (a re-delivery carrying a stale
 * revision is still a re-delivery), then the expected revision; an empty request writes nothing.
 */
export const judgeAppend = (req: AppendRequest, revision: number, stored: ReadonlyMap<string, number>): Judgement => {
  const known = req.events.map((e) => stored.get(eventUuid(e.eventId)))
  const found = known.filter((p): p is number => p !== undefined)
  const judged = (result: E.Either<StoreError, AppendOutcome>): Judgement => ({ _tag: 'Judged', result })
  if (found.length > 0 && found.length < req.events.length)
    return judged(
      E.left({ _tag: 'PartialDuplicate', streamId: req.streamId, eventIds: req.events.filter((_, i) => known[i] !== undefined).map((e) => e.eventId) }),
    )
  if (found.length > 0) return judged(E.right({ _tag: 'Duplicate', streamId: req.streamId, lastRevision: revision, lastPosition: Math.max(...found) }))
  if (!revisionMatches(req.expectedRevision, revision)) return judged(E.left(wrongExpectedRevision(req.streamId, req.expectedRevision, revision)))
  if (req.events.length === 0) return judged(E.right({ _tag: 'Appended', streamId: req.streamId, lastRevision: revision, lastPosition: 0 }))
  return { _tag: 'Write' }
}
