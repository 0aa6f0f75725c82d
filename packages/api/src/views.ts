// The analysts' read routes over the lead views: count views, the lead list and one lead. Every one takes the
// shared Filters (params.ts) and answers with the view position it reflects.
import * as t from 'io-ts'
import { CampaignType, OfferKind, QualificationState, Storefront } from '@leadstream/domain'
import { Filters, Freshness, Paging, TextParam } from './params.js'
import { route } from './route.js'
import { freshHeaders, Problem, readErrors } from './problem.js'

// ---------------------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------------------

const Counts = t.record(t.string, t.number)

/** One row of a count view: leads, and how they split by state, offer kind and action. */
export const CountBlock = t.type(
  {
    total: t.number,
    byState: Counts,
    byOfferKind: Counts,
    /** Known action codes and `other`. */
    byAction: Counts,
    /** The unknown action codes counted under `other`, verbatim. */
    otherActions: Counts,
  },
  'CountBlock',
)
export type CountBlock = t.TypeOf<typeof CountBlock>

const Positioned = { position: t.number, includeTest: t.boolean }

export const StorefrontsAnswer = t.type({ ...Positioned, storefronts: t.record(t.string, CountBlock) }, 'StorefrontsAnswer')
export const CampaignsAnswer = t.type({ ...Positioned, campaigns: t.record(t.string, CountBlock) }, 'CampaignsAnswer')
export const QualificationAnswer = t.type({ ...Positioned, total: t.number, states: Counts }, 'QualificationAnswer')

export const CustomerView = t.type(
  { firstName: t.string, lastName: t.string, email: t.string, phone: t.string, country: t.string, company: t.string, title: t.string },
  'Customer',
)

/** A lead as analysts see it (contact details included: the analyst role is needed once tokens exist). */
export const LeadView = t.type(
  {
    leadId: t.string,
    state: QualificationState,
    storefront: Storefront,
    campaign: CampaignType,
    leadSource: t.string,
    offer: t.type({ id: t.union([t.string, t.null]), title: t.union([t.string, t.null]), kind: OfferKind }),
    actions: t.array(t.string),
    doNotContact: t.boolean,
    isTest: t.boolean,
    customer: CustomerView,
    description: t.union([t.string, t.null]),
    campaigns: t.array(t.string),
    capturedAt: t.string,
    updatedAt: t.string,
    revision: t.number,
    /** When the lead's personal data was erased (its contact fields are then empty); null: not erased. */
    erasedAt: t.union([t.string, t.null]),
  },
  'LeadView',
)
export type LeadView = t.TypeOf<typeof LeadView>

export const HistoryEntryView = t.type(
  {
    revision: t.number,
    position: t.number,
    type: t.string,
    at: t.string,
    by: t.union([t.string, t.null]),
    detail: t.record(t.string, t.union([t.string, t.boolean, t.null])),
  },
  'HistoryEntry',
)

export const LeadPage = t.type({ position: t.number, items: t.array(LeadView), next: t.union([t.string, t.null]) }, 'LeadPage')
export const LeadAnswer = t.type({ position: t.number, lead: LeadView, history: t.array(HistoryEntryView) }, 'LeadAnswer')
export const PositionAnswer = t.type({ position: t.number }, 'PositionAnswer')

// ---------------------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------------------

const ViewQuery = t.intersection([Filters, Freshness])
const read = { role: 'analyst', services: ['query-api'], tags: ['views'] } as const

export const viewRoutes = {
  storefronts: route({
    ...read,
    id: 'getStorefronts',
    method: 'GET',
    path: '/v1/views/storefronts',
    summary: 'Leads per storefront, split by state, offer kind and action',
    query: ViewQuery,
    responses: { 200: { description: 'counts', json: StorefrontsAnswer, headers: freshHeaders }, ...readErrors },
  }),
  campaigns: route({
    ...read,
    id: 'getCampaigns',
    method: 'GET',
    path: '/v1/views/campaigns',
    summary: 'Leads per campaign type, split by state, offer kind and action',
    query: ViewQuery,
    responses: { 200: { description: 'counts', json: CampaignsAnswer, headers: freshHeaders }, ...readErrors },
  }),
  qualification: route({
    ...read,
    id: 'getQualification',
    method: 'GET',
    path: '/v1/views/qualification',
    summary: 'Leads per qualification state',
    query: ViewQuery,
    responses: { 200: { description: 'counts', json: QualificationAnswer, headers: freshHeaders }, ...readErrors },
  }),
  position: route({
    ...read,
    id: 'getViewPosition',
    method: 'GET',
    path: '/v1/views/position',
    summary: 'The log position the views reflect (cheap: a dashboard polls it to know when to refresh)',
    query: Freshness,
    responses: { 200: { description: 'position', json: PositionAnswer, headers: freshHeaders }, ...readErrors },
  }),
  leads: route({
    ...read,
    id: 'listLeads',
    method: 'GET',
    path: '/v1/leads',
    summary: 'Leads matching the filters, newest capture first, keyset paging',
    query: t.intersection([Filters, Freshness, Paging]),
    responses: { 200: { description: 'one page', json: LeadPage, headers: freshHeaders }, ...readErrors },
  }),
  lead: route({
    ...read,
    id: 'getLead',
    method: 'GET',
    path: '/v1/leads/{id}',
    summary: 'One lead: its current state and history',
    params: t.type({ id: TextParam(128) }),
    query: Freshness,
    responses: {
      200: { description: 'the lead', json: LeadAnswer, headers: freshHeaders },
      ...readErrors,
      404: { description: 'no such lead in the views', json: Problem },
    },
  }),
} as const
