// The EventStoreDB adapter's pure mappings, without a server: ids, revisions, positions, metadata, judging appends.
import * as E from 'fp-ts/lib/Either.js'
import { NO_STREAM, type Position, type RecordedEvent as EsdbRecordedEvent } from '@eventstore/db-client'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { currentVersion, event, type NewEvent } from '@leadstream/domain'
import type { AppendRequest } from '../port.js'
import {
  eventUuid,
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
  toStoredMetadata,
  uuidV5,
} from './mappers.js'

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/
const at = (n: number | bigint): Position => ({ commit: BigInt(n), prepare: BigInt(n) })

const contacted = (eventId: string, metadata: NewEvent['metadata'] = { by: 'sam' }): NewEvent => ({
  eventId,
  event: event('LeadContacted', { leadId: 'L1', by: 'sam', at: '2026-11-25T10:00:00.000Z', personal: null, channel: null }),
  metadata,
})

/** An event as the client hands it back from a read, built from what the adapter wrote. */
const recorded = (e: NewEvent, revision: number, position: Position | undefined, patch: Partial<Record<string, unknown>> = {}): EsdbRecordedEvent =>
  ({
    streamId: 'lead-L1',
    id: eventUuid(e.eventId),
    isJson: true,
    revision: BigInt(revision),
    type: e.event.type,
    created: new Date('2026-11-25T10:00:01.000Z'),
    data: JSON.parse(JSON.stringify(e.event.data)) as unknown,
    metadata: JSON.parse(JSON.stringify(toStoredMetadata(e))) as unknown,
    position,
    ...patch,
  }) as EsdbRecordedEvent // built by hand: the client's type is a conditional union over JSON and binary events

// ---------------------------------------------------------------------------------------------------------

const ids = suite('eventUuid')

ids('uuidV5 :: matches the RFC 9562 name-based UUID of a known name', () => {
  assert.is(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2')
  assert.is(uuidV5('6ba7b811-9dad-11d1-80b4-00c04fd430c8', 'https://example.com/é'), '20ecd233-a9e7-5067-a96f-fd6600ca3fda')
})

ids('eventUuid :: the same event id always gives the same UUID', () => {
  assert.is(eventUuid('marketplace:abc-123:captured'), eventUuid('marketplace:abc-123:captured'))
})

ids('eventUuid :: any string becomes a valid version-5 UUID', () => {
  for (const id of ['', 'x', 'lead-L1:0', 'ünïcødé ✓', 'a'.repeat(10_000), '2ed6657d-e927-568b-95e1-2665a8aea6a2'])
    assert.match(eventUuid(id), UUID_V5, `for ${JSON.stringify(id.slice(0, 20))}`)
})

ids('eventUuid :: different event ids give different UUIDs, case included', () => {
  const all = ['a', 'A', 'a ', 'b', 'lead-L1:0', 'lead-L1:1'].map(eventUuid)
  assert.is(new Set(all).size, all.length)
})

ids.run()

// ---------------------------------------------------------------------------------------------------------

const revisions = suite('expectedRevisionOf')

revisions('expectedRevisionOf :: a stream read as missing is expected to be missing', () => {
  assert.is(expectedRevisionOf(-1), NO_STREAM)
})

revisions('expectedRevisionOf :: a stream at a revision is expected at exactly that revision', () => {
  assert.is(expectedRevisionOf(0), 0n)
  assert.is(expectedRevisionOf(41), 41n)
})

revisions('streamRevisionOf :: the last event read gives the revision, none gives -1', () => {
  assert.is(streamRevisionOf([]), -1)
  assert.is(streamRevisionOf([{ revision: 0n }, { revision: 1n }]), 1)
})

revisions.run()

// ---------------------------------------------------------------------------------------------------------

const positions = suite('positionOf')

positions('positionOf :: the commit position is the port position', () => {
  assert.equal(positionOf({ commit: 1234n, prepare: 1234n }), E.right(1234))
  assert.equal(positionOf(at(Number.MAX_SAFE_INTEGER)), E.right(Number.MAX_SAFE_INTEGER))
})

positions('positionOf :: a commit position beyond 2^53 is refused, never rounded', () => {
  assert.ok(E.isLeft(positionOf(at(2n ** 53n))))
  assert.ok(E.isLeft(positionOf(at(2n ** 62n))))
})

positions('positionOf :: no position, 0 and 2^64 - 1 mean the server did not say', () => {
  assert.ok(E.isLeft(positionOf(undefined)))
  assert.ok(E.isLeft(positionOf(at(0))))
  assert.ok(E.isLeft(positionOf(at(2n ** 64n - 1n))))
})

positions('positionAfter :: 0 reads from the start, a position from that exact event', () => {
  assert.equal(positionAfter(0), E.right(undefined))
  assert.equal(positionAfter(4096), E.right(at(4096)))
})

positions('positionAfter :: a negative or fractional position is not one of ours', () => {
  assert.ok(E.isLeft(positionAfter(-1)))
  assert.ok(E.isLeft(positionAfter(1.5)))
  assert.ok(E.isLeft(positionAfter(2 ** 60)))
})

positions('isPositionAfter :: orders by commit, then prepare', () => {
  assert.ok(isPositionAfter(at(200), at(100)))
  assert.not.ok(isPositionAfter(at(100), at(100)))
  assert.not.ok(isPositionAfter(at(100), at(200)))
  assert.ok(isPositionAfter({ commit: 500n, prepare: 300n }, { commit: 500n, prepare: 200n }))
})

positions.run()

// ---------------------------------------------------------------------------------------------------------

const ours = suite('isDomainEvent')

ours('isDomainEvent :: lead and offer streams are the global order', () => {
  assert.ok(isDomainEvent({ streamId: 'lead-L1', type: 'LeadContacted' }))
  assert.ok(isDomainEvent({ streamId: 'offer-id:x.y', type: 'OfferClassified' }))
})

ours('isDomainEvent :: system events, metadata streams and other streams are not', () => {
  assert.not.ok(isDomainEvent({ streamId: 'lead-L1', type: '$streamDeleted' }))
  assert.not.ok(isDomainEvent({ streamId: '$$lead-L1', type: '$metadata' }))
  assert.not.ok(isDomainEvent({ streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' }))
  assert.not.ok(isDomainEvent({ streamId: 'billing-42', type: 'InvoiceSent' }))
  assert.not.ok(isDomainEvent({ streamId: 'leads-L1', type: 'LeadContacted' }))
})

ours.run()

// ---------------------------------------------------------------------------------------------------------

const mapping = suite('toRecorded')

mapping('toEventData :: a JSON event under the derived id, our id and version in the metadata', () => {
  const data = toEventData(contacted('ev-1', { by: 'sam', correlationId: 'c-1', causationId: 'k-1' }))
  assert.is(data.id, eventUuid('ev-1'))
  assert.is(data.contentType, 'application/json')
  assert.is(data.type, 'LeadContacted')
  assert.equal(data.metadata, { eventId: 'ev-1', version: currentVersion.LeadContacted, by: 'sam', $correlationId: 'c-1', $causationId: 'k-1' })
})

mapping('toRecorded :: an event written by the adapter reads back as itself', () => {
  const written = contacted('ev-1', { by: 'sam', correlationId: 'c-1' })
  const read = toRecorded(recorded(written, 3, at(777)))
  assert.equal(
    read,
    E.right({
      eventId: 'ev-1',
      streamId: 'lead-L1',
      revision: 3,
      position: 777,
      event: written.event,
      metadata: { correlationId: 'c-1', by: 'sam' },
      recordedAt: '2026-11-25T10:00:01.000Z',
    }),
  )
})

mapping('toRecorded :: metadata without our id is a CorruptEvent naming the field', () => {
  const read = toRecorded(recorded(contacted('ev-1'), 0, at(10), { metadata: { version: 1 } }))
  assert.ok(E.isLeft(read) && read.left._tag === 'CorruptEvent')
  if (E.isLeft(read) && read.left._tag === 'CorruptEvent') {
    assert.is(read.left.position, 10)
    assert.equal(
      read.left.problems.map((p) => p.path),
      ['metadata.eventId'],
    )
  }
})

mapping('toRecorded :: data that fails its codec is a CorruptEvent with the data path', () => {
  const read = toRecorded(recorded(contacted('ev-1'), 0, at(10), { data: { leadId: 'L1' } }))
  assert.ok(E.isLeft(read) && read.left._tag === 'CorruptEvent' && read.left.problems.every((p) => p.path.startsWith('data.')))
})

mapping('toRecorded :: an unknown type or a binary event is corrupt', () => {
  const unknown = toRecorded(recorded(contacted('ev-1'), 0, at(10), { type: 'Mystery' }))
  assert.ok(E.isLeft(unknown) && unknown.left._tag === 'CorruptEvent')
  const binary = toRecorded(recorded(contacted('ev-1'), 0, at(10), { isJson: false, data: new Uint8Array([1]) }))
  assert.ok(E.isLeft(binary) && binary.left._tag === 'CorruptEvent')
})

mapping('toRecorded :: an event without a position is StoreUnavailable (server before 22.6)', () => {
  const read = toRecorded(recorded(contacted('ev-1'), 0, at(2n ** 64n - 1n)))
  assert.ok(E.isLeft(read) && read.left._tag === 'StoreUnavailable')
})

mapping.run()

// ---------------------------------------------------------------------------------------------------------

const judge = suite('judgeAppend')

const request = (expectedRevision: AppendRequest['expectedRevision'], events: ReadonlyArray<NewEvent>): AppendRequest => ({
  streamId: 'lead-L1',
  expectedRevision,
  events,
})
const stream = (...written: Array<[NewEvent, number]>) => {
  const r = storedIds(written.map(([e, position], revision) => recorded(e, revision, at(position))))
  if (E.isLeft(r)) throw new Error('stored ids')
  return r.right
}

judge('judgeAppend :: new ids at the expected revision are written', () => {
  assert.equal(judgeAppend(request('no-stream', [contacted('a')]), -1, stream()), { _tag: 'Write' })
  assert.equal(judgeAppend(request(1, [contacted('c')]), 1, stream([contacted('a'), 10], [contacted('b'), 20])), { _tag: 'Write' })
  assert.equal(judgeAppend(request('any', [contacted('c')]), 1, stream([contacted('a'), 10], [contacted('b'), 20])), { _tag: 'Write' })
})

judge('judgeAppend :: all ids stored is a Duplicate at the last of them, even with a stale revision', () => {
  const a = contacted('a')
  const b = contacted('b')
  const judged = judgeAppend(request('no-stream', [a, b]), 2, stream([a, 10], [b, 20], [contacted('c'), 30]))
  assert.equal(judged, { _tag: 'Judged', result: E.right({ _tag: 'Duplicate', streamId: 'lead-L1', lastRevision: 2, lastPosition: 20 }) })
})

judge('judgeAppend :: some ids stored is a PartialDuplicate naming them', () => {
  const a = contacted('a')
  const judged = judgeAppend(request(0, [a, contacted('new')]), 0, stream([a, 10]))
  assert.equal(judged, { _tag: 'Judged', result: E.left({ _tag: 'PartialDuplicate', streamId: 'lead-L1', eventIds: ['a'] }) })
})

judge('judgeAppend :: new ids at another revision are a WrongExpectedRevision with the actual one', () => {
  const judged = judgeAppend(request(5, [contacted('x')]), 0, stream([contacted('a'), 10]))
  assert.equal(judged, { _tag: 'Judged', result: E.left({ _tag: 'WrongExpectedRevision', streamId: 'lead-L1', expected: 5, actual: 0 }) })
  const exists = judgeAppend(request('no-stream', [contacted('x')]), 0, stream([contacted('a'), 10]))
  assert.ok(exists._tag === 'Judged' && E.isLeft(exists.result) && exists.result.left._tag === 'WrongExpectedRevision')
})

judge('judgeAppend :: an empty request writes nothing and reports the stream as it is', () => {
  assert.equal(judgeAppend(request('any', []), 4, stream()), {
    _tag: 'Judged',
    result: E.right({ _tag: 'Appended', streamId: 'lead-L1', lastRevision: 4, lastPosition: 0 }),
  })
})

judge('storedIds :: a stream read without positions cannot be judged', () => {
  assert.ok(E.isLeft(storedIds([recorded(contacted('a'), 0, undefined)])))
})

judge.run()
