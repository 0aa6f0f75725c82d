// The lead's events and the offer catalogue's events: versioned io-ts codecs, one message shape.
import * as t from 'io-ts'
import { CampaignType, ContactChannel, Customer, DisqualificationReason, Offer, OfferKind, QualificationState, Storefront } from './model.js'

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31

/**
 * Date.parse alone is not enough: it reads a time without an offset as the host's local time (a different
 * instant on each host) and rolls impossible days over (02-30 becomes 03-02). schemas/common/instant.v1.
 */
const isInstant = (u: unknown): u is string =>
  typeof u === 'string' &&
  /^\d{4}-\d{2}-\d{2}T.*(?:[Zz]|[+-]\d{2}:?\d{2})$/.test(u) &&
  !Number.isNaN(Date.parse(u)) &&
  Number(u.slice(8, 10)) <= daysInMonth(Number(u.slice(0, 4)), Number(u.slice(5, 7)))

/** An instant as an ISO-8601 string (what every event stores; the clock is never read in the domain). */
export const Instant = new t.Type<string, string, unknown>(
  'Instant',
  isInstant,
  (u, c) =>
    isInstant(u)
      ? t.success(new Date(u).toISOString())
      : t.failure(u, c, 'expected an ISO-8601 date-time with an offset, such as 2026-11-25T10:00:00Z'),
  t.identity,
)

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null])

/** Who did a thing, and why: every qualification transition records it (DOMAIN.md). */
const Transition = {
  leadId: t.string,
  by: t.string,
  at: Instant,
  note: nullable(t.string),
}

export const LeadCapturedV1 = t.type(
  {
    leadId: t.string,
    storefront: Storefront,
    campaign: CampaignType,
    leadSource: t.string,
    action: t.string,
    offer: Offer,
    customer: Customer,
    description: nullable(t.string),
    campaigns: t.array(t.string),
    isTest: t.boolean,
    doNotContact: t.boolean,
    format: t.keyof({ native: null, 'marketplace-https': null, 'azure-table': null, 'crm-form': null }),
    occurredAt: Instant,
  },
  'LeadCaptured.v1',
)

export const LeadActionRecordedV1 = t.type(
  {
    leadId: t.string,
    leadSource: t.string,
    action: t.string,
    description: nullable(t.string),
    campaigns: t.array(t.string),
    doNotContact: t.boolean,
    occurredAt: Instant,
  },
  'LeadActionRecorded.v1',
)

/** v1 did not record how the lead was contacted; it is upcast to v2 with `channel: null` (decodeEvent.ts). */
export const LeadContactedV1 = t.type(Transition, 'LeadContacted.v1')
export const LeadContactedV2 = t.type({ ...Transition, channel: nullable(ContactChannel) }, 'LeadContacted.v2')
export const LeadNurturingStartedV1 = t.type(Transition, 'LeadNurturingStarted.v1')
export const LeadQualifiedV1 = t.type(Transition, 'LeadQualified.v1')
export const LeadConvertedV1 = t.type(Transition, 'LeadConverted.v1')
export const LeadDisqualifiedV1 = t.type({ ...Transition, reason: DisqualificationReason }, 'LeadDisqualified.v1')
export const LeadReopenedV1 = t.type({ ...Transition, to: QualificationState }, 'LeadReopened.v1')

/** Why a lead's personal data was erased: a person's request, or the retention period running out. */
export const ErasureReason = t.keyof({ request: null, retention: null }, 'ErasureReason')
export type ErasureReason = t.TypeOf<typeof ErasureReason>

/**
 * The lead's personal data was erased (crypto-shredding): the subject's data keys are deleted, so every sealed
 * field of the lead reads as redacted from now on. `subject` is the pseudonymous id (keyed HMAC), never the email.
 * Counts, states and analytics facts stay; the views redact the contact fields.
 */
export const PersonalDataErasedV1 = t.type(
  { ...Transition, subject: t.string, reason: ErasureReason },
  'PersonalDataErased.v1',
)

export const OfferClassifiedV1 = t.type(
  {
    offerKey: t.string,
    offerId: nullable(t.string),
    offerTitle: nullable(t.string),
    kind: OfferKind,
    by: t.string,
    at: Instant,
  },
  'OfferClassified.v1',
)

/** The current version of every event's data codec, by type. Older versions are upcast on read. */
export const eventCodecs = {
  LeadCaptured: LeadCapturedV1,
  LeadActionRecorded: LeadActionRecordedV1,
  LeadContacted: LeadContactedV2,
  LeadNurturingStarted: LeadNurturingStartedV1,
  LeadQualified: LeadQualifiedV1,
  LeadConverted: LeadConvertedV1,
  LeadDisqualified: LeadDisqualifiedV1,
  LeadReopened: LeadReopenedV1,
  PersonalDataErased: PersonalDataErasedV1,
  OfferClassified: OfferClassifiedV1,
} as const
export type EventType = keyof typeof eventCodecs
export const eventTypes = Object.keys(eventCodecs) as ReadonlyArray<EventType>
export const currentVersion: Record<EventType, number> = {
  LeadCaptured: 1,
  LeadActionRecorded: 1,
  LeadContacted: 2,
  LeadNurturingStarted: 1,
  LeadQualified: 1,
  LeadConverted: 1,
  LeadDisqualified: 1,
  LeadReopened: 1,
  PersonalDataErased: 1,
  OfferClassified: 1,
}

type Ev<K extends EventType> = { readonly type: K; readonly version: number; readonly data: t.TypeOf<(typeof eventCodecs)[K]> }

export type LeadCaptured = Ev<'LeadCaptured'>
export type LeadActionRecorded = Ev<'LeadActionRecorded'>
export type LeadContacted = Ev<'LeadContacted'>
export type LeadNurturingStarted = Ev<'LeadNurturingStarted'>
export type LeadQualified = Ev<'LeadQualified'>
export type LeadConverted = Ev<'LeadConverted'>
export type LeadDisqualified = Ev<'LeadDisqualified'>
export type LeadReopened = Ev<'LeadReopened'>
export type PersonalDataErased = Ev<'PersonalDataErased'>
export type OfferClassified = Ev<'OfferClassified'>

export type LeadEvent =
  | LeadCaptured
  | LeadActionRecorded
  | LeadContacted
  | LeadNurturingStarted
  | LeadQualified
  | LeadConverted
  | LeadDisqualified
  | LeadReopened
  | PersonalDataErased
export type DomainEvent = LeadEvent | OfferClassified

/** Builds an event of the current version. */
export const event = <K extends EventType>(type: K, data: t.TypeOf<(typeof eventCodecs)[K]>): Ev<K> => ({
  type,
  version: currentVersion[type],
  data,
})

/** Metadata stored beside each event: the ids that tie it to what caused it. */
export interface EventMetadata {
  readonly correlationId?: string
  readonly causationId?: string
  readonly by?: string
  /** The caller's command id (qualification commands) and a digest of the command, so a retry is told from a reuse. */
  readonly commandId?: string
  readonly command?: string
}

/** An event to append: the domain event plus the id that makes re-appending it idempotent. */
export interface NewEvent {
  readonly eventId: string
  readonly event: DomainEvent
  readonly metadata: EventMetadata
}

/** An event as the store recorded it: where it sits in its stream and in the global log. */
export interface RecordedEvent {
  readonly eventId: string
  readonly streamId: string
  /** 0-based revision within the stream. */
  readonly revision: number
  /** 1-based position in the global log. */
  readonly position: number
  readonly event: DomainEvent
  readonly metadata: EventMetadata
  readonly recordedAt: string
}
