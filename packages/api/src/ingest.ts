// Ingest's write routes: leads (native and marketplace, one or a batch), qualification commands and the offer
// catalogue, with what each answers: per-item results, 207 for a mixed batch, the dead letter of a rejection.
import * as t from 'io-ts'
import { FieldProblem, Problem } from './problem.js'
import { CatalogueEntryInput, MarketplaceLeadBody, NativeLeadBody, QualificationCommandInput } from './inbound.js'
import { TextParam } from './params.js'
import { route, type ResponseSpec } from './route.js'

// ---------------------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------------------

export const AcceptedItem = t.type({ index: t.number, status: t.literal('accepted'), leadId: t.string, eventId: t.string, position: t.number }, 'AcceptedItem')
export const DuplicateItem = t.type({ index: t.number, status: t.literal('duplicate'), leadId: t.string }, 'DuplicateItem')
/** `code`: why, as an error code (`Invalid`, `TransitionNotAllowed`, …); a single item's HTTP status follows it. */
export const RejectedItem = t.intersection(
  [t.type({ index: t.number, status: t.literal('rejected'), problems: t.readonlyArray(FieldProblem), deadLetterId: t.number }), t.partial({ code: t.string })],
  'RejectedItem',
)
/**
 * A native lifecycle event of a lead not captured yet: held until `until` (LEADSTREAM_PARK_FOR_SECONDS), applied
 * in occurredAt order when the capture arrives, dead-lettered with the reason if it does not in time.
 */
export const ParkedItem = t.type({ index: t.number, status: t.literal('parked'), leadId: t.string, eventId: t.string, until: t.string }, 'ParkedItem')
/**
 * The outcome of one event of a request: accepted (a new event), duplicate (nothing written), parked (held for
 * its lead's capture), rejected (a dead letter).
 */
export const ItemResult = t.union([AcceptedItem, DuplicateItem, ParkedItem, RejectedItem], 'ItemResult')
export type ItemResult = t.TypeOf<typeof ItemResult>

/** One lead sent alone (not in an array): its result with the log position to wait for when reading. */
export const LeadAccepted = t.intersection([AcceptedItem, t.type({ position: t.number })], 'LeadAccepted')
export const LeadDuplicate = t.intersection([DuplicateItem, t.type({ position: t.number })], 'LeadDuplicate')
export const LeadParked = t.intersection([ParkedItem, t.type({ position: t.number })], 'LeadParked')

/** A batch (an array) of leads: counts, the highest position written, and one result per item in order. */
export const BatchAnswer = t.type(
  {
    accepted: t.number,
    duplicates: t.number,
    /** Lifecycle events held until their lead is captured (README, Out-of-order events). */
    parked: t.number,
    rejected: t.number,
    /** The highest position written (0 when nothing was): pass it as `minPosition` to read your writes. */
    position: t.number,
    /** Problem paths start with the item's index (`[2].UserDetails.Email`). */
    results: t.readonlyArray(ItemResult),
  },
  'BatchAnswer',
)
export type BatchAnswer = t.TypeOf<typeof BatchAnswer>

/** The error body of an input that was refused and kept: the dead letter's id, to inspect or replay it. */
export const Rejected = t.intersection([Problem, t.type({ deadLetterId: t.number })], 'Rejected')
export type Rejected = t.TypeOf<typeof Rejected>

/**
 * A command or a catalogue entry written (201) or already written (200, nothing new). `replayed`: a retry of a
 * command whose commandId was already recorded, answered with the original result (200).
 */
export const Written = t.intersection(
  [
    t.type({ status: t.keyof({ accepted: null, duplicate: null }), eventIds: t.readonlyArray(t.string), position: t.number, duplicate: t.boolean }),
    t.partial({ replayed: t.boolean }),
  ],
  'Written',
)
export const CommandAnswer = t.intersection([Written, t.type({ leadId: t.string })], 'CommandAnswer')
export type CommandAnswer = t.TypeOf<typeof CommandAnswer>
export type CatalogueAnswer = t.TypeOf<typeof Written>

// ---------------------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------------------

const write = {
  role: 'ingest',
  services: ['ingest'],
  requestHeaders: {
    'Idempotency-Key':
      'optional, 1 to 200 characters: a repeat of the same request with the same key gets the first answer again (marked Idempotent-Replayed: true)',
  },
} as const
const logged = { 'X-Log-Position': 'the highest log position written: pass it as minPosition to read your writes' }
const replayed = { 'Idempotent-Replayed': 'true when this is the stored answer to an earlier request with the same Idempotency-Key' }

/** What every write route may answer besides its own results. */
export const writeErrors: Readonly<Record<number, ResponseSpec>> = {
  401: { description: 'no or unknown bearer token', json: Problem },
  403: { description: 'the token lacks the ingest role', json: Problem },
  413: { description: 'the body is over the limit (LEADSTREAM_BODY_LIMIT); it is kept as a dead letter', json: Rejected },
  422: { description: 'this Idempotency-Key was used for a different request', json: Problem },
}

const nativeOnly: Readonly<Record<number, ResponseSpec>> = {
  202: {
    description: 'one lifecycle event of a lead not captured yet: parked until its capture (or dead-lettered at `until`)',
    json: LeadParked,
    headers: { ...logged, ...replayed },
  },
  409: {
    description: 'one lifecycle event not allowed in the lead’s current state (the reason named); kept as a dead letter',
    json: Rejected,
    headers: replayed,
  },
}

const leadResponses = (what: string): Readonly<Record<number, ResponseSpec>> => ({
  201: { description: `one ${what} lead, accepted: a new event`, json: LeadAccepted, headers: { ...logged, ...replayed } },
  ...(what === 'native' ? nativeOnly : {}),
  200: {
    description: `one lead already captured (nothing written), or a batch with every lead accepted or duplicate`,
    json: t.union([LeadDuplicate, BatchAnswer]),
    headers: { ...logged, ...replayed },
  },
  207: {
    description: 'a batch where some leads were rejected (each kept as a dead letter) and others not',
    json: BatchAnswer,
    headers: { ...logged, ...replayed },
  },
  400: {
    description:
      'one lead rejected, a body that is not JSON, an empty or oversized batch (kept as a dead letter), a batch with every lead rejected, or a bad Idempotency-Key',
    json: t.union([Rejected, BatchAnswer, Problem]),
    headers: replayed,
  },
  ...writeErrors,
})

const writtenResponses = (answer: t.Mixed, what: string): Readonly<Record<number, ResponseSpec>> => ({
  201: { description: `the ${what} is recorded`, json: answer, headers: { ...logged, ...replayed } },
  200: { description: `the same ${what} was recorded before: nothing new written`, json: answer, headers: { ...logged, ...replayed } },
  400: { description: `the ${what} is invalid (each field named); kept as a dead letter`, json: t.union([Rejected, Problem]) },
  409: { description: 'not allowed in the lead’s current state, or a concurrent change won; kept as a dead letter', json: Rejected },
  ...writeErrors,
})

export const inboundRoutes = {
  submitLeads: route({
    ...write,
    id: 'submitLeads',
    method: 'POST',
    path: '/v1/leads',
    tags: ['ingest'],
    summary: 'Lead events in leadstream’s native format (a capture or a lifecycle event from a CRM): one, or an array of them',
    description:
      'A re-sent eventId (or the same lead and action) writes nothing and answers duplicate. Lifecycle events (LeadContacted, LeadNurturingStarted, ' +
      'LeadQualified, LeadConverted, LeadDisqualified, LeadReopened, LeadActionRecorded) are decided against the lead’s state at their own occurredAt: ' +
      'an impossible transition is refused (409 alone, rejected in a batch) and kept as a dead letter; one whose lead is not captured yet is parked. ' +
      'Rejected events are kept as dead letters.',
    body: NativeLeadBody,
    responses: leadResponses('native'),
  }),
  submitMarketplaceLeads: route({
    ...write,
    id: 'submitMarketplaceLeads',
    method: 'POST',
    path: '/v1/marketplace/leads',
    tags: ['ingest'],
    summary: 'Leads as the commercial marketplace sends them (HTTPS payload, Azure Table row or CRM form), one or an array',
    description:
      'Key casing is free (UserDetails and userDetails): keys are renamed to the canonical spelling before they are checked. ' +
      'The lead id is derived from the storefront, offer, customer and payload, so a re-delivery is a duplicate. ' +
      'Partner Center cannot send a token: a webhook secret (LEADSTREAM_MARKETPLACE_SECRETS) in `code` stands in for the ingest token on this route only.',
    query: t.partial({ code: TextParam(512) }),
    body: MarketplaceLeadBody,
    responses: leadResponses('marketplace'),
  }),
  runLeadCommand: route({
    ...write,
    id: 'runLeadCommand',
    method: 'POST',
    path: '/v1/leads/{id}/commands',
    tags: ['ingest'],
    summary: 'Move a lead through qualification: contact, nurture, qualify, convert, disqualify, reopen',
    params: t.type({ id: TextParam(128) }),
    body: QualificationCommandInput,
    responses: { ...writtenResponses(CommandAnswer, 'command'), 404: { description: 'no such lead', json: Rejected } },
  }),
  classifyOffer: route({
    ...write,
    id: 'classifyOffer',
    method: 'POST',
    path: '/v1/catalogue',
    tags: ['ingest'],
    summary: 'Name an offer’s kind (SaaS, VM, consulting service…): the views count its leads under it',
    body: CatalogueEntryInput,
    responses: writtenResponses(Written, 'catalogue entry'),
  }),
} as const
