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
    isInstant(u) ? t.success(new Date(u).toISOString()) : t.failure(u, c, 'expected an ISO-8601 date-time with an offset, such as 2026-11-25T10:00:00Z'),
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

// ---------------------------------------------------------------------------------------------------------
// personal data (README, "Personal data"): sealed in every stored event, open only in memory
// ---------------------------------------------------------------------------------------------------------

/** A sealed record of personal data (packages/privacy): AES-256-GCM under the subject's data key, every part base64. */
export const Sealed = t.type({ keyId: t.string, iv: t.string, data: t.string, tag: t.string }, 'Sealed')
export type Sealed = t.TypeOf<typeof Sealed>

/** The personal fields of a capture, in clear. Only ever in memory: sealed before the event is stored. */
export const Contact = t.type(
  {
    firstName: t.string,
    lastName: t.string,
    email: t.string,
    phone: t.string,
    company: t.string,
    title: t.string,
    description: t.union([t.string, t.null]),
  },
  'Contact',
)
export type Contact = t.TypeOf<typeof Contact>

/** The personal field of a later action: its free text. */
export const ActionText = t.type({ description: t.union([t.string, t.null]) }, 'ActionText')
export type ActionText = t.TypeOf<typeof ActionText>

/**
 * An event's personal data. As stored (and published): `Sealed`, or null when the event holds none (a lead
 * without contact data gets no key). In memory only: `{ open }` before sealing or after opening, and
 * `{ erased: true }` when its key was shredded (the data is gone; the event reads as redacted).
 */
export type Personal<P> = Sealed | { readonly open: P } | { readonly erased: true } | null

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

/** v2: the contact fields and the description are sealed in `personal`; the country stays in clear for analysts. */
export const LeadCapturedV2 = t.type(
  {
    leadId: t.string,
    storefront: Storefront,
    campaign: CampaignType,
    leadSource: t.string,
    action: t.string,
    offer: Offer,
    country: t.string,
    campaigns: t.array(t.string),
    isTest: t.boolean,
    doNotContact: t.boolean,
    format: t.keyof({ native: null, 'marketplace-https': null, 'azure-table': null, 'crm-form': null }),
    occurredAt: Instant,
    personal: nullable(Sealed),
  },
  'LeadCaptured.v2',
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

/** v2: the description (free text a person wrote) is sealed in `personal`. */
export const LeadActionRecordedV2 = t.type(
  {
    leadId: t.string,
    leadSource: t.string,
    action: t.string,
    campaigns: t.array(t.string),
    doNotContact: t.boolean,
    occurredAt: Instant,
    personal: nullable(Sealed),
  },
  'LeadActionRecorded.v2',
)

/** v1 did not record how the lead was contacted; it is upcast to v2 with `channel: null` (decodeEvent.ts). */
export const LeadContactedV1 = t.type(Transition, 'LeadContacted.v1')
export const LeadContactedV2 = t.type({ ...Transition, channel: nullable(ContactChannel) }, 'LeadContacted.v2')
export const LeadNurturingStartedV1 = t.type(Transition, 'LeadNurturingStarted.v1')
export const LeadQualifiedV1 = t.type(Transition, 'LeadQualified.v1')
export const LeadConvertedV1 = t.type(Transition, 'LeadConverted.v1')
export const LeadDisqualifiedV1 = t.type({ ...Transition, reason: DisqualificationReason }, 'LeadDisqualified.v1')
export const LeadReopenedV1 = t.type({ ...Transition, to: QualificationState }, 'LeadReopened.v1')

/** The free text of a qualification transition: what a sales rep wrote ("called Ann Smith on +44 …"). */
export const TransitionNote = t.type({ note: t.string }, 'TransitionNote')
export type TransitionNote = t.TypeOf<typeof TransitionNote>

/**
 * A transition whose note is sealed in `personal` (null when there is no note), with the lead's subject key, as
 * an action's description is. `by` names the employee who acted, not the data subject: it stays in clear.
 */
const SealedTransition = { leadId: t.string, by: t.string, at: Instant, personal: nullable(Sealed) }
export const LeadContactedV3 = t.type({ ...SealedTransition, channel: nullable(ContactChannel) }, 'LeadContacted.v3')
export const LeadNurturingStartedV2 = t.type(SealedTransition, 'LeadNurturingStarted.v2')
export const LeadQualifiedV2 = t.type(SealedTransition, 'LeadQualified.v2')
export const LeadConvertedV2 = t.type(SealedTransition, 'LeadConverted.v2')
export const LeadDisqualifiedV2 = t.type({ ...SealedTransition, reason: DisqualificationReason }, 'LeadDisqualified.v2')
export const LeadReopenedV2 = t.type({ ...SealedTransition, to: QualificationState }, 'LeadReopened.v2')

/** Why a lead's personal data was erased: a person's request, or the retention period running out. */
export const ErasureReason = t.keyof({ request: null, retention: null }, 'ErasureReason')
export type ErasureReason = t.TypeOf<typeof ErasureReason>

/**
 * The lead's personal data was erased (crypto-shredding): the subject's data keys are deleted, so every sealed
 * field of the lead reads as redacted from now on. `subject` is the pseudonymous id (keyed HMAC), never the email.
 * Counts, states and analytics facts stay; the views redact the contact fields. Its `note` is the operator's
 * reason and stays in clear (there is no key left to seal it with): the API asks to keep personal data out of it.
 */
export const PersonalDataErasedV1 = t.type({ ...Transition, subject: t.string, reason: ErasureReason }, 'PersonalDataErased.v1')

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

/**
 * The current version of every event's data codec, by type: what is stored and published. It admits no personal
 * data in clear (only `Sealed`). Older versions are upcast on read.
 */
export const eventCodecs = {
  LeadCaptured: LeadCapturedV2,
  LeadActionRecorded: LeadActionRecordedV2,
  LeadContacted: LeadContactedV3,
  LeadNurturingStarted: LeadNurturingStartedV2,
  LeadQualified: LeadQualifiedV2,
  LeadConverted: LeadConvertedV2,
  LeadDisqualified: LeadDisqualifiedV2,
  LeadReopened: LeadReopenedV2,
  PersonalDataErased: PersonalDataErasedV1,
  OfferClassified: OfferClassifiedV1,
} as const
export type EventType = keyof typeof eventCodecs
export const eventTypes = Object.keys(eventCodecs) as ReadonlyArray<EventType>
export const currentVersion: Record<EventType, number> = {
  LeadCaptured: 2,
  LeadActionRecorded: 2,
  LeadContacted: 3,
  LeadNurturingStarted: 2,
  LeadQualified: 2,
  LeadConverted: 2,
  LeadDisqualified: 2,
  LeadReopened: 2,
  PersonalDataErased: 1,
  OfferClassified: 1,
}

type Stored<K extends EventType> = t.TypeOf<(typeof eventCodecs)[K]>
/** In memory the personal field may also be open or erased (never stored so: see `isStorable`). */
interface InMemory {
  LeadCaptured: Omit<Stored<'LeadCaptured'>, 'personal'> & { readonly personal: Personal<Contact> }
  LeadActionRecorded: Omit<Stored<'LeadActionRecorded'>, 'personal'> & { readonly personal: Personal<ActionText> }
  LeadContacted: WithNote<'LeadContacted'>
  LeadNurturingStarted: WithNote<'LeadNurturingStarted'>
  LeadQualified: WithNote<'LeadQualified'>
  LeadConverted: WithNote<'LeadConverted'>
  LeadDisqualified: WithNote<'LeadDisqualified'>
  LeadReopened: WithNote<'LeadReopened'>
}
type WithNote<K extends EventType> = Omit<Stored<K>, 'personal'> & { readonly personal: Personal<TransitionNote> }

/** The qualification transitions: each carries a sealed note (`TransitionNote`). */
export const TransitionType = t.keyof(
  { LeadContacted: null, LeadNurturingStarted: null, LeadQualified: null, LeadConverted: null, LeadDisqualified: null, LeadReopened: null },
  'TransitionType',
)
export type TransitionType = t.TypeOf<typeof TransitionType>
export const transitionTypes = Object.keys(TransitionType.keys) as ReadonlyArray<TransitionType>
export const isTransition = <E extends { readonly type: string }>(e: E): e is Extract<E, { type: TransitionType }> =>
  (transitionTypes as ReadonlyArray<string>).includes(e.type)
/** The events that carry personal data in `personal`: sealed when stored. */
export type PersonalType = 'LeadCaptured' | 'LeadActionRecorded' | TransitionType
export const personalTypes: ReadonlyArray<PersonalType> = ['LeadCaptured', 'LeadActionRecorded', ...transitionTypes]
export const hasPersonal = <E extends { readonly type: string }>(e: E): e is Extract<E, { type: PersonalType }> =>
  (personalTypes as ReadonlyArray<string>).includes(e.type)
export type EventData<K extends EventType> = K extends keyof InMemory ? InMemory[K] : Stored<K>

type Ev<K extends EventType> = { readonly type: K; readonly version: number; readonly data: EventData<K> }

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
export const event = <K extends EventType>(type: K, data: EventData<K>): Ev<K> => ({
  type,
  version: currentVersion[type],
  data,
})

/** True when the event may be stored or published: its personal data, if any, is sealed. */
export const isStorable = (e: DomainEvent): boolean => (hasPersonal(e) ? e.data.personal === null || Sealed.is(e.data.personal) : true)

/** Contact fields and description of a capture as shown to analysts: empty when sealed (unopened) or erased. */
export const contactOf = (p: Personal<Contact>): Contact =>
  p !== null && 'open' in p ? p.open : { firstName: '', lastName: '', email: '', phone: '', company: '', title: '', description: null }

/** The view's customer: the contact fields (empty unless open) and the country, which is never sealed. */
export const customerOf = (p: Personal<Contact>, country: string): Customer => {
  const c = contactOf(p)
  return { firstName: c.firstName, lastName: c.lastName, email: c.email, phone: c.phone, company: c.company, title: c.title, country }
}

/** A capture's personal data before sealing: open, or null when the customer gave none (no key, nothing sealed). */
export const personalOf = (customer: Customer, description: string | null): Personal<Contact> => {
  const open: Contact = {
    firstName: customer.firstName,
    lastName: customer.lastName,
    email: customer.email,
    phone: customer.phone,
    company: customer.company,
    title: customer.title,
    description,
  }
  return Object.values(open).every((v) => v === null || v.trim() === '') ? null : { open }
}

/** An action's free text before sealing: open, or null when there is none. */
export const actionTextOf = (description: string | null): Personal<ActionText> =>
  description === null || description.trim() === '' ? null : { open: { description } }

/** A transition's note before sealing: open, or null when there is none. */
export const noteTextOf = (note: string | null): Personal<TransitionNote> => (note === null || note.trim() === '' ? null : { open: { note } })

/** A transition's note as shown: its text when open; null when there is none, or it is sealed (unopened) or erased. */
export const noteOf = (p: Personal<TransitionNote>): string | null => (p !== null && 'open' in p ? p.open.note : null)

/** True when the event's personal data was erased (its key shredded): views show it redacted. */
export const isErased = (p: Personal<unknown>): boolean => p !== null && 'erased' in p

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
