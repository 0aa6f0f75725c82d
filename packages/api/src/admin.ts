// Operators' routes: the event store as recorded, dead letters (inspect, replay, discard), projections
// (status, rebuild, pause, resume) and the relay (status, reseed). All need the operator role.
import * as t from 'io-ts'
import { FieldProblem, Problem } from './problem.js'
import { IntParam, TextParam } from './params.js'
import { route, type ResponseSpec } from './route.js'
import { AcceptedItem, DuplicateItem, ParkedItem } from './ingest.js'

// ---------------------------------------------------------------------------------------------------------
// the event store
// ---------------------------------------------------------------------------------------------------------

export const RecordedEventView = t.type(
  {
    /** 1-based position in the global log. */
    position: t.number,
    streamId: t.string,
    /** 0-based revision within the stream. */
    revision: t.number,
    eventId: t.string,
    type: t.string,
    version: t.number,
    /** The event's data as stored, its sealed personal data opened (`personal`: open, or erased once its key is shredded). */
    data: t.unknown,
    metadata: t.partial({ correlationId: t.string, causationId: t.string, by: t.string }),
    recordedAt: t.string,
  },
  'RecordedEvent',
)
export type RecordedEventView = t.TypeOf<typeof RecordedEventView>

export const EventPage = t.type({ head: t.number, events: t.readonlyArray(RecordedEventView) }, 'EventPage')
export type EventPage = t.TypeOf<typeof EventPage>
export const StreamAnswer = t.type({ streamId: t.string, revision: t.number, events: t.readonlyArray(RecordedEventView) }, 'Stream')
export type StreamAnswer = t.TypeOf<typeof StreamAnswer>

export const EventsQuery = t.partial({ after: IntParam(0, Number.MAX_SAFE_INTEGER), limit: IntParam(1, 10000) })

// ---------------------------------------------------------------------------------------------------------
// dead letters
// ---------------------------------------------------------------------------------------------------------

export const DeadLetterStatus = t.keyof({ open: null, replayed: null, discarded: null }, 'DeadLetterStatus')

export const DeadLetterView = t.type(
  {
    id: t.number,
    status: DeadLetterStatus,
    /** Where it came from: `http:/v1/marketplace/leads`, `kafka:leads.inbound`, … */
    source: t.string,
    /** The inbound format it was meant to be: `marketplace`, `native`, `command`, `catalogue`, `event`, `unknown`. */
    format: t.string,
    problems: t.readonlyArray(FieldProblem),
    /** The payload as received (customer data). */
    payload: t.string,
    receivedAt: t.string,
  },
  'DeadLetter',
)
export type DeadLetterView = t.TypeOf<typeof DeadLetterView>

export const DeadLetterPage = t.type({ items: t.readonlyArray(DeadLetterView), next: t.union([t.string, t.null]), open: t.number }, 'DeadLetterPage')
export type DeadLetterPage = t.TypeOf<typeof DeadLetterPage>

export const DeadLetterQuery = t.partial({ status: DeadLetterStatus, after: IntParam(0, 999_999_999_999_999), limit: IntParam(1, 1000) })

/** A replayed dead letter's lead: accepted now, or found already captured (or, a lifecycle event, parked again). */
export const ReplayAnswer = t.union([AcceptedItem, DuplicateItem, ParkedItem], 'ReplayAnswer')

// ---------------------------------------------------------------------------------------------------------
// parked lifecycle events
// ---------------------------------------------------------------------------------------------------------

/** A lifecycle event held until its lead is captured (its payload is not shown: see its dead letter if it expires). */
export const ParkedEventView = t.type(
  { id: t.number, leadId: t.string, eventId: t.string, source: t.string, occurredAt: t.string, parkedAt: t.string, until: t.string },
  'ParkedEvent',
)
export const ParkedPage = t.type({ items: t.readonlyArray(ParkedEventView), next: t.union([t.string, t.null]), parked: t.number }, 'ParkedPage')
export type ParkedPage = t.TypeOf<typeof ParkedPage>
export const ParkedQuery = t.partial({ after: IntParam(0, 999_999_999_999_999), limit: IntParam(1, 1000) })
export type ReplayAnswer = t.TypeOf<typeof ReplayAnswer>

// ---------------------------------------------------------------------------------------------------------
// projections and the relay
// ---------------------------------------------------------------------------------------------------------

export const RegistryEntryView = t.type(
  { live: t.number, liveVersion: t.number, building: t.union([t.number, t.null]), buildingVersion: t.union([t.number, t.null]), paused: t.boolean },
  'RegistryEntry',
)

export const GenerationStatusView = t.type(
  {
    projection: t.string,
    generation: t.number,
    codeVersion: t.number,
    role: t.keyof({ live: null, rebuilding: null }),
    state: t.keyof({ starting: null, live: null, stopped: null, failed: null }),
    position: t.number,
    head: t.number,
    lag: t.number,
    eventsPerSecond: t.number,
    etaSeconds: t.union([t.number, t.null]),
    lastError: t.union([t.intersection([t.type({ message: t.string }), t.partial({ position: t.number, eventId: t.string })]), t.null]),
  },
  'GenerationStatus',
)
export type GenerationStatusView = t.TypeOf<typeof GenerationStatusView>

export const ProjectionStatusView = t.intersection(
  [
    t.type({ projection: t.string, registry: t.union([RegistryEntryView, t.null]), paused: t.boolean, generations: t.readonlyArray(GenerationStatusView) }),
    /** Set when the thread running the projections died: nothing is being projected. */
    t.partial({ failure: t.string }),
  ],
  'ProjectionStatus',
)
export type ProjectionStatusView = t.TypeOf<typeof ProjectionStatusView>

export const ProjectionsAnswer = t.type({ projections: t.readonlyArray(ProjectionStatusView) }, 'ProjectionsAnswer')
export const RebuildStarted = t.type({ projection: t.string, building: t.number, status: ProjectionStatusView }, 'RebuildStarted')
export const PauseChanged = t.type({ projection: t.string, registry: RegistryEntryView }, 'PauseChanged')
export const ProjectionAction = t.keyof({ rebuild: null, pause: null, resume: null }, 'ProjectionAction')

export const RelayStatusView = t.type(
  { state: t.keyof({ running: null, stopped: null, failed: null }), position: t.number, head: t.number, lastError: t.union([t.string, t.null]) },
  'RelayStatus',
)
export type RelayStatusView = t.TypeOf<typeof RelayStatusView>
export const ReseedRequested = t.type({ reseed: t.literal('requested'), status: RelayStatusView }, 'ReseedRequested')

// ---------------------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------------------

const operator = { role: 'operator', tags: ['operators'] } as const
const denied: Readonly<Record<number, ResponseSpec>> = {
  401: { description: 'no or unknown bearer token', json: Problem },
  403: { description: 'the token lacks the operator role', json: Problem },
}
const deadLetterId = t.type({ id: TextParam(20) })
const deadLetterAction = (what: string): Readonly<Record<number, ResponseSpec>> => ({
  400: { description: 'the id is not a dead-letter id', json: Problem },
  404: { description: 'no such dead letter', json: Problem },
  409: { description: `the dead letter is not open (already replayed or discarded): nothing to ${what}`, json: Problem },
  ...denied,
})

export const operatorRoutes = {
  listEvents: route({
    ...operator,
    services: ['ingest'],
    id: 'listEvents',
    method: 'GET',
    path: '/v1/admin/events',
    summary: 'The global log from a position: events as the store recorded them (contact data included)',
    query: EventsQuery,
    responses: {
      200: { description: 'events after `after`, oldest first, and the log’s head', json: EventPage },
      400: { description: 'after or limit out of range', json: Problem },
      ...denied,
    },
  }),
  getStream: route({
    ...operator,
    services: ['ingest'],
    id: 'getStream',
    method: 'GET',
    path: '/v1/admin/streams/{leadId}',
    summary: 'Every event of one lead, oldest first',
    params: t.type({ leadId: TextParam(128) }),
    responses: {
      200: { description: 'the lead’s stream', json: StreamAnswer },
      400: { description: 'not a lead id', json: Problem },
      404: { description: 'no stream for this lead', json: Problem },
      ...denied,
    },
  }),
  listDeadLetters: route({
    ...operator,
    services: ['query-api'],
    id: 'listDeadLetters',
    method: 'GET',
    path: '/v1/admin/dead-letters',
    summary: 'Rejected inbound payloads with their reasons, oldest first, paged by id',
    query: DeadLetterQuery,
    responses: {
      200: { description: 'one page, `next` is the `after` of the next one', json: DeadLetterPage },
      400: { description: 'a parameter is invalid', json: Problem },
      ...denied,
    },
  }),
  getDeadLetter: route({
    ...operator,
    services: ['query-api'],
    id: 'getDeadLetter',
    method: 'GET',
    path: '/v1/admin/dead-letters/{id}',
    summary: 'One dead letter with its payload as received',
    params: deadLetterId,
    responses: { 200: { description: 'the dead letter', json: DeadLetterView }, 404: { description: 'no such dead letter', json: Problem }, ...denied },
  }),
  replayDeadLetter: route({
    ...operator,
    services: ['ingest'],
    id: 'replayDeadLetter',
    method: 'POST',
    path: '/v1/admin/dead-letters/{id}/replay',
    summary: 'Run an open dead letter through ingest again, with today’s settings',
    params: deadLetterId,
    responses: {
      200: {
        description: 'the event is applied now, or was already (a duplicate), or, a lifecycle event whose lead is still unknown, parked again',
        json: ReplayAnswer,
      },
      ...deadLetterAction('replay'),
      422: { description: 'still rejected (the problems), or a format that cannot be replayed', json: Problem },
    },
  }),
  discardDeadLetter: route({
    ...operator,
    services: ['ingest'],
    id: 'discardDeadLetter',
    method: 'POST',
    path: '/v1/admin/dead-letters/{id}/discard',
    summary: 'Mark an open dead letter discarded (it is kept, never deleted)',
    params: deadLetterId,
    responses: { 200: { description: 'the discarded dead letter', json: DeadLetterView }, ...deadLetterAction('discard') },
  }),
  listParked: route({
    ...operator,
    services: ['ingest'],
    id: 'listParked',
    method: 'GET',
    path: '/v1/admin/parked',
    summary: 'Lifecycle events held until their lead is captured, oldest first, paged by id',
    query: ParkedQuery,
    responses: {
      200: { description: 'one page, `next` is the `after` of the next one; `parked`: how many in all', json: ParkedPage },
      400: { description: 'a parameter is invalid', json: Problem },
      ...denied,
    },
  }),
  listProjections: route({
    ...operator,
    services: ['projector'],
    id: 'listProjections',
    method: 'GET',
    path: '/v1/admin/projections',
    summary: 'Every projection and its generations: state, position, head, lag, rate, ETA, last error',
    responses: { 200: { description: 'the projections', json: ProjectionsAnswer }, ...denied },
  }),
  projectionAction: route({
    ...operator,
    services: ['projector'],
    id: 'projectionAction',
    method: 'POST',
    path: '/v1/admin/projections/{name}/{action}',
    summary: 'Rebuild a projection beside the live one (readers switch when it caught up), or pause or resume it',
    params: t.type({ name: TextParam(64), action: ProjectionAction }),
    responses: {
      202: { description: 'rebuild: the new generation is building', json: RebuildStarted },
      200: { description: 'pause or resume: the registry entry', json: PauseChanged },
      404: { description: 'no such projection, or an unknown action', json: Problem },
      409: { description: 'a rebuild is running already', json: Problem },
      ...denied,
    },
  }),
  getRelay: route({
    ...operator,
    services: ['relay'],
    id: 'getRelay',
    method: 'GET',
    path: '/v1/admin/relay',
    summary: 'The relay’s state and the position it has published up to (distributed mode)',
    responses: { 200: { description: 'the relay', json: RelayStatusView }, ...denied },
  }),
  reseedRelay: route({
    ...operator,
    services: ['relay'],
    id: 'reseedRelay',
    method: 'POST',
    path: '/v1/admin/relay/reseed',
    summary: 'Republish the whole event store into Kafka from position 0 (projections skip what they applied)',
    responses: { 202: { description: 'reseed requested', json: ReseedRequested }, ...denied },
  }),
} as const
