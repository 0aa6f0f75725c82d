// The export's narrow lead rows, shared by both view stores: the row's own columns plus the few fields only the
// document holds, taken out of it by the engine (one JSON array per row), so no history is parsed in JS.
import type { LeadSummary } from '@leadstream/domain'
import type { LeadView } from './port.js'

/** The document fields a `LeadView` needs that have no column of their own, in the order of the engine's array. */
export const docFields = ['leadSource', 'actions', 'doNotContact', 'customer', 'description', 'campaigns', 'updatedAt', 'erasedAt'] as const

/** The SELECT list of a view row; `docArray` is the engine's expression of the JSON array of `docFields`. */
export const viewSelect = (docArray: string): string =>
  `lead_id, state, storefront, campaign, offer_id, offer_title, offer_kind, is_test, captured_at, revision, ${docArray}`

type Cell = string | number | boolean | null

const fail = (r: ReadonlyArray<Cell>): never => {
  // A row this store wrote that does not have the shape is a defect (a migration was missed), not a caller error.
  throw new Error(`view store row ${String(r[0])} does not have the shape of a lead view`)
}

/**
 * A view of one row. The rows are this store's own writes (each document passed the codec before it was
 * written), so instead of decoding the whole summary this checks the shape cheaply: at least eleven cells, the document
 * part an array of eight whose lists are arrays, customer an object, doNotContact a boolean, updatedAt a string.
 */
export const viewOfRow = (r: ReadonlyArray<Cell>): LeadView => {
  if (r.length < 11 || typeof r[10] !== 'string') return fail(r)
  const d: unknown = JSON.parse(r[10])
  if (!Array.isArray(d) || d.length !== docFields.length) return fail(r)
  const [leadSource, actions, doNotContact, customer, description, campaigns, updatedAt, erasedAt] = d as unknown[]
  if (!Array.isArray(actions) || !Array.isArray(campaigns) || typeof customer !== 'object' || customer === null) return fail(r)
  if (typeof doNotContact !== 'boolean' || typeof updatedAt !== 'string' || typeof leadSource !== 'string') return fail(r)
  // Documents written before erasure existed have no erasedAt: the engine's array holds null there.
  if (erasedAt !== null && erasedAt !== undefined && typeof erasedAt !== 'string') return fail(r)
  // The key order of `present(summary)` in the query API: an NDJSON line comes out byte for byte the same.
  return {
    leadId: r[0] as LeadView['leadId'],
    state: r[1] as LeadView['state'],
    storefront: r[2] as LeadView['storefront'],
    campaign: r[3] as LeadView['campaign'],
    leadSource,
    offer: { id: r[4] as string | null, title: r[5] as string | null, kind: r[6] as LeadView['offer']['kind'] },
    actions: actions as LeadView['actions'],
    doNotContact,
    isTest: r[7] === true || r[7] === 1,
    customer: customer as LeadView['customer'],
    description: description as LeadView['description'],
    campaigns: campaigns as LeadView['campaigns'],
    capturedAt: r[8] as string,
    updatedAt,
    revision: Number(r[9]),
    erasedAt: typeof erasedAt === 'string' ? erasedAt : null,
  }
}

/** The view of a whole summary (what `present` in the query API makes of it), for rows the engine cannot cut. */
export const viewOfSummary = (s: LeadSummary): LeadView => ({
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
  erasedAt: s.erasedAt,
})
