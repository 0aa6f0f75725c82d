// What the log's events become for subscribers: pure. Each lead's facts (storefront, campaign, offer, test,
// state) are folded from its events, so a later event (a state change) is filtered and described like its capture.
import { createHash } from 'node:crypto'
import type { WebhookContact, WebhookEventType, WebhookFilters, WebhookPayload } from '@leadstream/api'
import {
  Sealed,
  type CampaignType,
  type DomainEvent,
  type QualificationState,
  type RecordedEvent,
  type Storefront,
  type TransitionType,
} from '@leadstream/domain'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface Subscription {
  readonly id: string
  readonly url: string
  readonly events: ReadonlyArray<WebhookEventType>
  readonly filters: WebhookFilters
  /** `whsec_…`: never logged, never answered after creation. */
  readonly secret: string
  readonly includeContact: boolean
  readonly description: string | null
  readonly createdAt: string
}

/** What the dispatcher remembers of each lead (no personal data). */
export interface LeadTraits {
  readonly leadId: string
  readonly storefront: Storefront
  readonly campaign: CampaignType
  readonly offer: { readonly id: string | null; readonly title: string | null; readonly key: string }
  readonly isTest: boolean
  readonly state: QualificationState
}

/**
 * The personal part of a message, kept apart from its payload: a capture's contact data as the event store holds
 * it (sealed: opened with the key store only when a delivery is sent, so a shredded key sends nothing and the
 * delivery log never holds contact data in clear), or a state change's free-text note, sealed the same way (its
 * event type is kept because the sealed record is bound to it).
 */
export type PersonalRef =
  | { readonly _tag: 'Sealed'; readonly sealed: Sealed; readonly country: string }
  | { readonly _tag: 'Note'; readonly sealed: Sealed; readonly type: TransitionType }

/** One event as a message: the payload without contact data, and the personal part apart (it may be erased). */
export interface Message {
  readonly type: WebhookEventType
  readonly leadId: string
  readonly eventId: string
  readonly position: number
  readonly recordedAt: string
  readonly payload: WebhookPayload
  readonly personal: PersonalRef | null
}

/** A message for one subscription, with its Standard Webhooks message id (stable across retries and replays). */
export interface NewDelivery {
  readonly id: string
  readonly subscriptionId: string
  readonly message: Message
}

/** What one log entry asks the delivery log to record, in log order. */
export type Outgoing =
  | { readonly _tag: 'Deliver'; readonly delivery: NewDelivery }
  /** To every subscription the lead was ever routed to (the personal part its pending deliveries hold is dropped too). */
  | { readonly _tag: 'Erase'; readonly message: Message }

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

/**
 * `webhook-id`: one per (subscription, lead, event), so every retry and replay of it carries the same id. The lead
 * is part of it because event ids are unique per stream only (an upstream system's event id is accepted once per
 * lead): two leads' events with one id are two messages, and the log keeps a delivery id once.
 */
export const deliveryId = (subscriptionId: string, leadId: string, eventId: string): string =>
  `msg_${createHash('sha256').update(`${subscriptionId}\u0000${leadId}\u0000${eventId}`).digest('base64url').slice(0, 27)}`

/** A message for one subscription, under its `webhook-id`. */
export const deliveryOf = (subscriptionId: string, message: Message): NewDelivery => ({
  id: deliveryId(subscriptionId, message.leadId, message.eventId),
  subscriptionId,
  message,
})

const leadIdOf = (e: RecordedEvent): string => e.streamId.replace(/^lead-/, '')

const ref = (e: RecordedEvent, f: LeadTraits, occurredAt: string) => ({
  leadId: f.leadId,
  eventId: e.eventId,
  position: e.position,
  occurredAt,
  recordedAt: e.recordedAt,
  storefront: f.storefront,
  campaign: f.campaign,
  offer: f.offer,
  isTest: f.isTest,
  state: f.state,
})

/**
 * The lead's facts after `e` and the message `e` makes (null: nothing for subscribers, such as an offer's
 * classification or an event of a lead whose capture this log never showed).
 */
export const step = (e: RecordedEvent, before: LeadTraits | undefined): { readonly facts: LeadTraits | undefined; readonly message: Message | null } => {
  const base = { leadId: leadIdOf(e), eventId: e.eventId, position: e.position, recordedAt: e.recordedAt }
  if (e.event.type === 'PersonalDataErased') {
    // Only the time is read: the erasure's note and subject are not the receiver's business.
    const at = e.event.data.at
    const data = { leadId: base.leadId, eventId: e.eventId, position: e.position, occurredAt: at, recordedAt: e.recordedAt }
    return { facts: before, message: { ...base, type: 'lead.erased', payload: { type: 'lead.erased', timestamp: at, data }, personal: null } }
  }
  const ev = e.event
  if (ev.type === 'LeadCaptured') {
    const d = ev.data
    const facts: LeadTraits = { leadId: d.leadId, storefront: d.storefront, campaign: d.campaign, offer: d.offer, isTest: d.isTest, state: 'captured' }
    const data = { ...ref(e, facts, d.occurredAt), action: d.action, leadSource: d.leadSource, campaigns: d.campaigns, doNotContact: d.doNotContact }
    return {
      facts,
      message: {
        ...base,
        leadId: d.leadId,
        type: 'lead.captured',
        payload: { type: 'lead.captured', timestamp: d.occurredAt, data },
        // Stored events hold personal data sealed only (the stores refuse it in clear); anything else carries none.
        personal: d.personal !== null && Sealed.is(d.personal) ? { _tag: 'Sealed', sealed: d.personal, country: d.country } : null,
      },
    }
  }
  if (ev.type === 'OfferClassified' || before === undefined) return { facts: before, message: null }
  if (ev.type === 'LeadActionRecorded') {
    const d = ev.data
    const data = { ...ref(e, before, d.occurredAt), action: d.action, leadSource: d.leadSource, campaigns: d.campaigns, doNotContact: d.doNotContact }
    return {
      facts: before,
      message: { ...base, type: 'lead.action_recorded', payload: { type: 'lead.action_recorded', timestamp: d.occurredAt, data }, personal: null },
    }
  }
  const to = targetOf(ev)
  if (to === null) return { facts: before, message: null }
  const facts: LeadTraits = { ...before, state: to.state }
  const d = to.data
  const data = {
    ...ref(e, facts, d.at),
    from: before.state,
    to: to.state,
    by: d.by,
    ...(ev.type === 'LeadDisqualified' ? { reason: ev.data.reason } : {}),
    ...(ev.type === 'LeadContacted' && ev.data.channel !== null ? { channel: ev.data.channel } : {}),
  }
  // The note is free text a sales rep typed: it may name the customer, so it travels sealed, as contact data.
  const note = ev.data.personal
  return {
    facts,
    message: {
      ...base,
      type: 'lead.state_changed',
      payload: { type: 'lead.state_changed', timestamp: d.at, data },
      personal: note !== null && Sealed.is(note) ? { _tag: 'Note', sealed: note, type: ev.type } : null,
    },
  }
}

type Transition = Extract<
  DomainEvent,
  { type: 'LeadContacted' | 'LeadNurturingStarted' | 'LeadQualified' | 'LeadConverted' | 'LeadDisqualified' | 'LeadReopened' }
>

/**
 * The state a qualification event moves its lead to; null for any other event. Events this code does not know
 * (added to the log later) are left to the default: they send nothing rather than stop the dispatcher.
 */
const targetOf = (ev: DomainEvent): { readonly state: QualificationState; readonly data: Transition['data'] } | null => {
  switch (ev.type) {
    case 'LeadContacted':
      return { state: 'contacted', data: ev.data }
    case 'LeadNurturingStarted':
      return { state: 'nurturing', data: ev.data }
    case 'LeadQualified':
      return { state: 'qualified', data: ev.data }
    case 'LeadConverted':
      return { state: 'converted', data: ev.data }
    case 'LeadDisqualified':
      return { state: 'disqualified', data: ev.data }
    case 'LeadReopened':
      return { state: ev.data.to, data: ev.data }
    default:
      return null
  }
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/**
 * Whether a subscription wants a message about a lead with these facts (erasures are not decided here). Live,
 * events recorded before the subscription existed are not sent; a replay (`sinceCreation` false) asks for them.
 */
export const wants = (s: Subscription, m: Message, f: LeadTraits, recordedAt: string, sinceCreation = true): boolean => {
  const fl = s.filters
  return (
    (!sinceCreation || recordedAt >= s.createdAt) &&
    s.events.includes(m.type) &&
    (fl.includeTest === true || !f.isTest) &&
    (fl.storefronts === undefined || fl.storefronts.includes(f.storefront)) &&
    (fl.campaigns === undefined || fl.campaigns.includes(f.campaign)) &&
    (fl.offers === undefined || fl.offers.some((o) => o === f.offer.key || (f.offer.id !== null && o.toLowerCase() === f.offer.id.toLowerCase())))
  )
}

/**
 * The leads of a batch whose facts `route` needs from the delivery log: those with an event before any capture
 * of theirs in the batch (a capture brings its own facts, so a batch of new leads needs none read).
 */
export const leadsToLookUp = (events: ReadonlyArray<RecordedEvent>): ReadonlyArray<string> => {
  const captured = new Set<string>()
  const needed = new Set<string>()
  for (const e of events) {
    const id = leadIdOf(e)
    if (e.event.type === 'LeadCaptured') captured.add(id)
    else if (!captured.has(id) && e.event.type !== 'OfferClassified') needed.add(id)
  }
  return [...needed]
}

/**
 * A batch of log entries → what to record, in log order, and every touched lead's facts after the batch.
 * `known` holds the facts the delivery log kept for the batch's leads.
 */
export const route = (
  events: ReadonlyArray<RecordedEvent>,
  known: ReadonlyMap<string, LeadTraits>,
  subscriptions: ReadonlyArray<Subscription>,
  options: { readonly sinceCreation?: boolean } = {},
): { readonly outgoing: ReadonlyArray<Outgoing>; readonly facts: ReadonlyArray<LeadTraits> } => {
  const facts = new Map(known)
  const touched = new Set<string>()
  const outgoing: Outgoing[] = []
  for (const e of events) {
    const leadId = leadIdOf(e)
    const { facts: after, message } = step(e, facts.get(leadId))
    if (after !== undefined) {
      facts.set(after.leadId, after)
      touched.add(after.leadId)
    }
    if (message === null) continue
    if (message.type === 'lead.erased') {
      outgoing.push({ _tag: 'Erase', message })
      continue
    }
    if (after === undefined) continue
    for (const s of subscriptions)
      if (wants(s, message, after, e.recordedAt, options.sinceCreation ?? true))
        outgoing.push({ _tag: 'Deliver', delivery: deliveryOf(s.id, s.includeContact ? message : { ...message, personal: null }) })
  }
  return { outgoing, facts: [...touched].map((id) => facts.get(id)!) }
}

/** The personal part opened for one attempt: a capture's contact data, or a state change's note. */
export type OpenedPersonal = { readonly contact: WebhookContact } | { readonly note: string } | null

/** The body a subscription receives: the payload, with the personal part when it asked for it and it is still there. */
export const bodyOf = (payload: WebhookPayload, personal: OpenedPersonal): string => {
  if (personal === null) return JSON.stringify(payload)
  if (payload.type === 'lead.captured' && 'contact' in personal) return JSON.stringify({ ...payload, data: { ...payload.data, contact: personal.contact } })
  if (payload.type === 'lead.state_changed' && 'note' in personal) return JSON.stringify({ ...payload, data: { ...payload.data, note: personal.note } })
  return JSON.stringify(payload)
}
