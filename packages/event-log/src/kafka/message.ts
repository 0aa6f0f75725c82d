// A recorded event as a Kafka message on `lead-events`: keyed by stream (one lead's events stay in one
// partition, in order), the whole record as JSON, decoded back through the domain's codecs.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { decodeEvent, fromValidation, type FieldProblem, type RecordedEvent } from '@leadstream/domain'

const Envelope = t.type({
  eventId: t.string,
  streamId: t.string,
  revision: t.number,
  position: t.number,
  type: t.string,
  version: t.number,
  data: t.unknown,
  metadata: t.record(t.string, t.string),
  recordedAt: t.string,
})

export interface EventMessage {
  readonly key: string
  readonly value: string
  readonly headers: Record<string, string>
}

export const toMessage = (r: RecordedEvent): EventMessage => ({
  key: r.streamId,
  value: JSON.stringify({
    eventId: r.eventId,
    streamId: r.streamId,
    revision: r.revision,
    position: r.position,
    type: r.event.type,
    version: r.event.version,
    data: r.event.data,
    metadata: r.metadata,
    recordedAt: r.recordedAt,
  }),
  headers: { 'event-type': r.event.type, 'event-version': String(r.event.version), 'event-id': r.eventId },
})

export const fromMessage = (value: Buffer | null): E.Either<ReadonlyArray<FieldProblem>, RecordedEvent> => {
  if (value === null) return E.left([{ path: '(value)', reason: 'empty message' }])
  let json: unknown
  try {
    json = JSON.parse(value.toString('utf8'))
  } catch {
    return E.left([{ path: '(value)', reason: 'not JSON' }])
  }
  const env = Envelope.decode(json)
  if (E.isLeft(env)) return E.left(fromValidation(env.left))
  const e = env.right
  const ev = decodeEvent(e.type, e.version, e.data)
  if (E.isLeft(ev)) return ev
  return E.right({
    eventId: e.eventId,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position,
    event: ev.right,
    metadata: e.metadata,
    recordedAt: e.recordedAt,
  })
}
