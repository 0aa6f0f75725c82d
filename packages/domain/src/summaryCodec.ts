// io-ts codecs for the view rows the projection writes, so rows read back from a view store are checked.
import * as t from 'io-ts'
import { Instant } from './events.js'
import { normaliseCountry } from './countries.js'
import { CampaignType, Customer, DisqualificationReason, OfferKind, QualificationState, Storefront } from './model.js'
import { notReached, type LeadSummary, type OfferEntry } from './projection.js'

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null])

const HistoryEntryCodec = t.type({
  revision: t.number,
  position: t.number,
  type: t.string,
  at: t.string,
  by: nullable(t.string),
  detail: t.record(t.string, t.union([t.string, t.boolean, t.null])),
})

const Reached = t.type({
  contacted: nullable(Instant),
  nurturing: nullable(Instant),
  qualified: nullable(Instant),
  converted: nullable(Instant),
  disqualified: nullable(Instant),
})

const Summary: t.Type<LeadSummary, LeadSummary, unknown> = t.readonly(
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
    country: t.string,
    reached: t.readonly(Reached),
    disqualificationReason: nullable(DisqualificationReason),
    erasedAt: nullable(Instant),
  }),
  'LeadSummary',
)

/**
 * Rows written by projection v2 lack the analytics fields. They are still read while the rebuild to v3 runs
 * beside them (the live generation keeps serving), so they decode with the fields derived or unknown.
 */
const upgradeV2 = (u: unknown): unknown =>
  withErasedAt(
    typeof u === 'object' && u !== null && !('reached' in u)
      ? {
          ...u,
          country: normaliseCountry(String((u as { customer?: { country?: unknown } }).customer?.country ?? '')),
          reached: notReached,
          disqualificationReason: null,
        }
      : u,
  )

/** Rows written before erasure existed have no `erasedAt`: none of them was erased. */
const withErasedAt = (u: unknown): unknown => (typeof u === 'object' && u !== null && !('erasedAt' in u) ? { ...u, erasedAt: null } : u)

export const LeadSummaryCodec: t.Type<LeadSummary, LeadSummary, unknown> = new t.Type(
  'LeadSummary',
  Summary.is,
  (u, c) => Summary.validate(upgradeV2(u), c),
  Summary.encode,
)

export const OfferEntryCodec: t.Type<OfferEntry, OfferEntry, unknown> = t.readonly(
  t.type({ offerKey: t.string, kind: OfferKind, revision: t.number, position: t.number }),
  'OfferEntry',
)
