// Recorded events and subscriptions for the webhook package's tests (and the contract suite): one lead's life.
import { event, offer, type DomainEvent, type Personal, type RecordedEvent, type TransitionNote } from '@leadstream/domain'
import type { Subscription } from './messages.js'

let position = 0

/** A sealed record as the event store holds it (opaque here: opening it is the key store's, tested end to end). */
export const sealedFor = (leadId: string) => ({ keyId: `key-${leadId}`, iv: 'aXY=', data: 'ZGF0YQ==', tag: 'dGFn' })

export const recorded = (leadId: string, revision: number, e: DomainEvent, recordedAt = '2026-12-01T10:00:00.000Z'): RecordedEvent => ({
  eventId: `ev-${leadId}-${revision}`,
  streamId: `lead-${leadId}`,
  revision,
  position: ++position,
  event: e,
  metadata: {},
  recordedAt,
})

export const captured = (leadId: string, changes: { storefront?: 'AppSource' | 'AzureMarketplace'; isTest?: boolean; offerId?: string } = {}): DomainEvent =>
  event('LeadCaptured', {
    leadId,
    storefront: changes.storefront ?? 'AppSource',
    campaign: (changes.storefront ?? 'AppSource') === 'AppSource' ? 'nurture' : 'demand-generation',
    leadSource: 'AppSource',
    action: 'INS',
    offer: offer(changes.offerId ?? 'contoso.crm', 'Contoso CRM'),
    country: 'GB',
    personal: sealedFor(leadId),
    campaigns: [],
    isTest: changes.isTest ?? false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-12-01T09:00:00.000Z',
  })

/** A qualification; its note, if any, as ingest stores it (`sealed`) or as a reader opened it. */
export const qualified = (leadId: string, personal: Personal<TransitionNote> = null): DomainEvent =>
  event('LeadQualified', { leadId, by: 'sales@contoso', at: '2026-12-01T09:30:00.000Z', personal })

export const contacted = (leadId: string): DomainEvent =>
  event('LeadContacted', { leadId, by: 'sales@contoso', at: '2026-12-01T09:10:00.000Z', personal: null, channel: 'phone' })

export const erased = (leadId: string): DomainEvent =>
  event('PersonalDataErased', { leadId, subject: 'subject-1', reason: 'request', by: 'dpo', at: '2026-12-01T11:00:00.000Z', note: null })

export const subscription = (id: string, changes: Partial<Subscription> = {}): Subscription => ({
  id,
  url: `http://127.0.0.1:9/${id}`,
  events: ['lead.captured', 'lead.action_recorded', 'lead.state_changed', 'lead.erased'],
  filters: {},
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  includeContact: false,
  description: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...changes,
})
