// What a webhook receiver gets: one codec per event type, `{type, timestamp, data}`, documented as the OpenAPI
// document's top-level `webhooks` (openapi.ts) and decoded by the tests and by receivers written in TypeScript.
import * as t from 'io-ts'
import { CampaignType, ContactChannel, Customer, DisqualificationReason, Offer, QualificationState, Storefront } from '@leadstream/domain'
import type { WebhookEventType } from './webhooks.js'

/** Contact data: only in payloads of subscriptions created with `includeContact: true`. */
export const WebhookContact = t.intersection([Customer, t.type({ description: t.union([t.string, t.null]) })], 'WebhookContact')
export type WebhookContact = t.TypeOf<typeof WebhookContact>

const LeadRef = {
  leadId: t.string,
  /** The event's id in leadstream's store: a receiver may deduplicate on it (or on `webhook-id`). */
  eventId: t.string,
  /** The event's position in leadstream's global log. */
  position: t.number,
  occurredAt: t.string,
  recordedAt: t.string,
  storefront: Storefront,
  campaign: CampaignType,
  offer: Offer,
  isTest: t.boolean,
  /** The lead's qualification state after this event. */
  state: QualificationState,
}

export const LeadCapturedData = t.intersection(
  [
    t.type({ ...LeadRef, action: t.string, leadSource: t.string, campaigns: t.readonlyArray(t.string), doNotContact: t.boolean }),
    t.partial({ contact: WebhookContact }),
  ],
  'LeadCapturedData',
)
export const LeadActionRecordedData = t.type(
  { ...LeadRef, action: t.string, leadSource: t.string, campaigns: t.readonlyArray(t.string), doNotContact: t.boolean },
  'LeadActionRecordedData',
)
export const LeadStateChangedData = t.intersection(
  [
    t.type({ ...LeadRef, from: QualificationState, to: QualificationState, by: t.string }),
    t.partial({ reason: DisqualificationReason, channel: ContactChannel, note: t.string }),
  ],
  'LeadStateChangedData',
)
export const LeadErasedData = t.type({ leadId: t.string, eventId: t.string, position: t.number, occurredAt: t.string, recordedAt: t.string }, 'LeadErasedData')

const payload = <K extends WebhookEventType, D extends t.Mixed>(type: K, data: D, name: string) =>
  t.type({ type: t.literal(type), timestamp: t.string, data }, name)

export const webhookPayloads = {
  'lead.captured': payload('lead.captured', LeadCapturedData, 'LeadCapturedWebhook'),
  'lead.action_recorded': payload('lead.action_recorded', LeadActionRecordedData, 'LeadActionRecordedWebhook'),
  'lead.state_changed': payload('lead.state_changed', LeadStateChangedData, 'LeadStateChangedWebhook'),
  'lead.erased': payload('lead.erased', LeadErasedData, 'LeadErasedWebhook'),
} as const

export const WebhookPayload = t.union(
  [webhookPayloads['lead.captured'], webhookPayloads['lead.action_recorded'], webhookPayloads['lead.state_changed'], webhookPayloads['lead.erased']],
  'WebhookPayload',
)
export type WebhookPayload = t.TypeOf<typeof WebhookPayload>

export const webhookPayloadSummary: Readonly<Record<WebhookEventType, string>> = {
  'lead.captured': 'A lead was captured (marketplace or native). Contact data only for subscriptions that ask for it.',
  'lead.action_recorded': 'A customer acted again on a captured lead (another action code).',
  'lead.state_changed': 'The lead moved between qualification states (contacted, nurturing, qualified, converted, disqualified, reopened).',
  'lead.erased': 'The customer’s personal data was erased: delete your copy. Sent to every subscription that received the lead.',
}
