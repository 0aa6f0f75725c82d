// How a lead view row is shown to analysts: the LeadView shape of the API contract (lists, JSON, exports).
import type { LeadSummary } from '@leadstream/domain'

/** A lead as analysts see it. Contact details are included: this route needs the analyst role once tokens exist. */
export const present = (s: LeadSummary) => ({
  leadId: s.leadId,
  state: s.state,
  storefront: s.storefront,
  campaign: s.campaign,
  leadSource: s.leadSource,
  offer: { id: s.offerId, title: s.offerTitle, kind: s.offerKind },
  actions: s.actions,
  doNotContact: s.doNotContact,
  isTest: s.isTest,
  customer: s.customer,
  description: s.description,
  campaigns: s.campaigns,
  capturedAt: s.capturedAt,
  updatedAt: s.updatedAt,
  revision: s.revision,
})

export type PresentedLead = ReturnType<typeof present>
