// Rows of the delivery log read back through codecs (both adapters): a row that does not decode is a defect
// named with its subscription and seq, never a payload sent half-read.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { DeliveryStatus, WebhookEventType, WebhookFilters, WebhookPayload } from '@leadstream/api'
import { CampaignType, fromValidation, Offer, QualificationState, Sealed, Storefront, TransitionType } from '@leadstream/domain'
import type { LeadTraits, NewDelivery, PersonalRef, Subscription } from './messages.js'
import type { Delivery } from './port.js'

const decode = <A>(codec: t.Decoder<unknown, A>, value: unknown, what: string): A => {
  const r = codec.decode(value)
  if (E.isLeft(r))
    throw new Error(
      `${what} does not decode: ${fromValidation(r.left)
        .map((p) => `${p.path}: ${p.reason}`)
        .join('; ')}`,
    )
  return r.right
}

const json = (s: string | null): unknown => (s === null ? null : JSON.parse(s))

export const LeadTraitsCodec = t.type({
  leadId: t.string,
  storefront: Storefront,
  campaign: CampaignType,
  offer: Offer,
  isTest: t.boolean,
  state: QualificationState,
})

const PersonalRefCodec: t.Decoder<unknown, PersonalRef> = t.union([
  t.type({ _tag: t.literal('Sealed'), sealed: Sealed, country: t.string }),
  t.type({ _tag: t.literal('Note'), sealed: Sealed, type: TransitionType }),
])

export interface SubscriptionRow {
  id: string
  url: string
  events: string
  filters: string
  secret: string
  include_contact: number | boolean
  description: string | null
  created_at: string
}

export const toSubscription = (r: SubscriptionRow): Subscription => ({
  id: r.id,
  url: r.url,
  events: decode(t.readonlyArray(WebhookEventType), json(r.events), `subscription ${r.id} events`),
  filters: decode(WebhookFilters, json(r.filters), `subscription ${r.id} filters`),
  secret: r.secret,
  includeContact: r.include_contact === true || r.include_contact === 1,
  description: r.description,
  createdAt: r.created_at,
})

export const toTraits = (leadId: string, facts: string): LeadTraits => decode(LeadTraitsCodec, json(facts), `facts of lead ${leadId}`)

export interface DeliveryRow {
  seq: number | string
  id: string
  subscription_id: string
  type: string
  lead_id: string
  event_id: string
  position: number | string
  recorded_at: string
  payload: string
  personal: string | null
  status: string
  attempts: number
  next_at: number | string | null
  last_error: string | null
  last_status: number | null
  delivered_at: string | null
}

export const toDelivery = (r: DeliveryRow): Delivery => {
  const what = `delivery ${r.subscription_id}/${r.seq}`
  return {
    id: r.id,
    seq: Number(r.seq),
    subscriptionId: r.subscription_id,
    type: decode(WebhookEventType, r.type, `${what} type`),
    leadId: r.lead_id,
    eventId: r.event_id,
    position: Number(r.position),
    recordedAt: r.recorded_at,
    payload: decode(WebhookPayload, json(r.payload), `${what} payload`),
    personal: r.personal === null ? null : decode(PersonalRefCodec, json(r.personal), `${what} personal data`),
    status: decode(DeliveryStatus, r.status, `${what} status`),
    attempts: r.attempts,
    nextAttemptAt: r.next_at === null ? null : new Date(Number(r.next_at)).toISOString(),
    lastError: r.last_error,
    lastStatus: r.last_status,
    deliveredAt: r.delivered_at,
  }
}

/** The columns a new delivery is inserted with (the rest take their defaults: pending, no attempt yet). */
export const newDeliveryColumns = ['id', 'subscription_id', 'type', 'lead_id', 'event_id', 'position', 'recorded_at', 'payload', 'personal', 'next_at'] as const

/** A new delivery's values, in `newDeliveryColumns` order, due at `now` (ms): the one mapping both stores insert. */
export const newDeliveryValues = (d: NewDelivery, now: number): ReadonlyArray<string | number | null> => [
  d.id,
  d.subscriptionId,
  d.message.type,
  d.message.leadId,
  d.message.eventId,
  d.message.position,
  d.message.recordedAt,
  JSON.stringify(d.message.payload),
  d.message.personal === null ? null : JSON.stringify(d.message.personal),
  now,
]
