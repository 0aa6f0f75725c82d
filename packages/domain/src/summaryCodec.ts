// io-ts codecs for the view rows the projection writes, so rows read back from a view store are checked.
import * as t from 'io-ts'
import { Instant } from './events.js'
import { CampaignType, Customer, OfferKind, QualificationState, Storefront } from './model.js'
import type { LeadSummary, OfferEntry } from './projection.js'

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null])

const HistoryEntryCodec = t.type({
  revision: t.number,
  position: t.number,
  type: t.string,
  at: t.string,
  by: nullable(t.string),
  detail: t.record(t.string, t.union([t.string, t.boolean, t.null])),
})

export const LeadSummaryCodec: t.Type<LeadSummary, LeadSummary, unknown> = t.readonly(
  t.type({
    leadId: t.string,
    revision: t.number,
    position: t.number,
    storefront: Storefront,
    campaign: CampaignType,
    leadSource: t.string,
    offerId: nullable(t.string),
    offerTitle: nullable(t.string),
    offerKeys: t.readonlyArray(t.string),
    offerKind: OfferKind,
    state: QualificationState,
    isTest: t.boolean,
    doNotContact: t.boolean,
    actions: t.readonlyArray(t.string),
    customer: Customer,
    description: nullable(t.string),
    campaigns: t.readonlyArray(t.string),
    capturedAt: Instant,
    updatedAt: Instant,
    history: t.readonlyArray(t.readonly(HistoryEntryCodec)),
  }),
  'LeadSummary',
)

export const OfferEntryCodec: t.Type<OfferEntry, OfferEntry, unknown> = t.readonly(
  t.type({ offerKey: t.string, kind: OfferKind, revision: t.number, position: t.number }),
  'OfferEntry',
)
