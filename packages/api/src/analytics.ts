// The analysts' projections over time: leads per bucket, the qualification funnel with time-to-stage and
// cohorts, top offers and countries, and streamed exports. All take the shared Filters.
import * as t from 'io-ts'
import { Filters, Freshness, IntParam, TimeZoneParam } from './params.js'
import { freshHeaders, readErrors } from './problem.js'
import { route } from './route.js'

// ---------------------------------------------------------------------------------------------------------
// parameters
// ---------------------------------------------------------------------------------------------------------

/** Bucket width. `hour` is for ranges of at most 31 days. Weeks are ISO weeks (Monday) in `tz`. */
export const Interval = t.keyof({ hour: null, day: null, week: null, month: null }, 'Interval')
export type Interval = t.TypeOf<typeof Interval>

/** What a series is split by (one dimension). A lead with several actions counts once under each `action`. */
export const SeriesBy = t.keyof({ storefront: null, campaign: null, offer: null, offerKind: null, country: null, action: null, state: null }, 'SeriesBy')
export type SeriesBy = t.TypeOf<typeof SeriesBy>

export const FunnelBy = t.keyof({ storefront: null, campaign: null, offer: null, offerKind: null, country: null }, 'FunnelBy')
export type FunnelBy = t.TypeOf<typeof FunnelBy>

export const CohortInterval = t.keyof({ week: null, month: null }, 'CohortInterval')

export const TopBy = t.keyof({ offer: null, country: null, offerKind: null, storefront: null, campaign: null }, 'TopBy')
export const TopSort = t.keyof({ leads: null, conversion: null }, 'TopSort')

/**
 * Range defaults: `to` = now, `from` = `to` minus 30 days. Buckets are aligned to `interval` in `tz`
 * (default `UTC`); the first bucket starts at the bucket holding `from`.
 */
export const SeriesQuery = t.intersection([Filters, Freshness, t.partial({ interval: Interval, by: SeriesBy, tz: TimeZoneParam })])
export type SeriesQuery = t.TypeOf<typeof SeriesQuery>

export const FunnelQuery = t.intersection([Filters, Freshness, t.partial({ by: FunnelBy, cohort: CohortInterval, tz: TimeZoneParam })])
export type FunnelQuery = t.TypeOf<typeof FunnelQuery>

export const TopQuery = t.intersection([Filters, Freshness, t.partial({ by: TopBy, sort: TopSort, limit: IntParam(1, 100), minLeads: IntParam(1, 1_000_000) })])
export type TopQuery = t.TypeOf<typeof TopQuery>

export const ExportQuery = t.intersection([Filters, Freshness])

// ---------------------------------------------------------------------------------------------------------
// bodies
// ---------------------------------------------------------------------------------------------------------

export const SeriesBucket = t.type(
  {
    /** The bucket's start as ISO-8601 with the offset of `tz` at that instant (`2026-03-29T00:00:00+01:00`). */
    start: t.string,
    total: t.number,
    /** Per group key (empty when `by` is absent); every key of `groups` is present, zeros included. */
    groups: t.record(t.string, t.number),
  },
  'SeriesBucket',
)

export const SeriesAnswer = t.type(
  {
    position: t.number,
    interval: Interval,
    tz: t.string,
    by: t.union([SeriesBy, t.null]),
    /** The range used: `from` inclusive, `to` exclusive. */
    from: t.string,
    to: t.string,
    /** Group keys, most leads first. */
    groups: t.array(t.string),
    buckets: t.array(SeriesBucket),
    /** Leads in the range: equals the count views under the same filters. */
    total: t.number,
  },
  'SeriesAnswer',
)
export type SeriesAnswer = t.TypeOf<typeof SeriesAnswer>

export const Stage = t.keyof({ captured: null, contacted: null, qualified: null, converted: null, nurturing: null, disqualified: null }, 'Stage')
export type Stage = t.TypeOf<typeof Stage>

export const StageFigures = t.type(
  {
    stage: Stage,
    /** Main path (captured → contacted → qualified → converted) or a branch (nurturing, disqualified). */
    branch: t.boolean,
    /** Leads that ever reached the stage (a lead contacted and then disqualified still reached contacted). */
    reached: t.number,
    /** reached / reached of the stage before on the main path; branches: / captured. Null when the base is 0. */
    rateFromPrevious: t.union([t.number, t.null]),
    /** Time from capture to first reaching the stage, over the leads that reached it (ms). */
    medianMs: t.union([t.number, t.null]),
    p90Ms: t.union([t.number, t.null]),
  },
  'StageFigures',
)

export const FunnelFigures = t.type(
  {
    total: t.number,
    stages: t.array(StageFigures),
    /** Leads now disqualified, per reason (lost, cannot-contact, not-interested, canceled, duplicate). */
    disqualificationReasons: t.record(t.string, t.number),
  },
  'FunnelFigures',
)

export const Cohort = t.type(
  {
    /** The cohort's start (week or month of capture, in `tz`). */
    start: t.string,
    captured: t.number,
    /** How many of the cohort have reached each stage by now. */
    reached: t.record(t.string, t.number),
  },
  'Cohort',
)

export const FunnelAnswer = t.intersection(
  [
    t.type({ position: t.number, by: t.union([FunnelBy, t.null]), cohort: CohortInterval, tz: t.string }),
    FunnelFigures,
    t.type({
      groups: t.array(t.intersection([t.type({ key: t.string }), FunnelFigures])),
      cohorts: t.array(Cohort),
    }),
  ],
  'FunnelAnswer',
)
export type FunnelAnswer = t.TypeOf<typeof FunnelAnswer>

export const TopRow = t.type(
  {
    key: t.string,
    /** What a person reads: the offer's title (or id), the country's name, the kind. */
    label: t.string,
    leads: t.number,
    contacted: t.number,
    qualified: t.number,
    converted: t.number,
    /** converted / leads; null when leads is 0. */
    conversionRate: t.union([t.number, t.null]),
  },
  'TopRow',
)

export const TopAnswer = t.type({ position: t.number, by: TopBy, sort: TopSort, rows: t.array(TopRow) }, 'TopAnswer')
export type TopAnswer = t.TypeOf<typeof TopAnswer>

/** The columns of the CSV export, in order (the NDJSON export writes LeadView objects). */
export const exportColumns = [
  'leadId',
  'capturedAt',
  'updatedAt',
  'state',
  'storefront',
  'campaign',
  'leadSource',
  'offerId',
  'offerTitle',
  'offerKind',
  'actions',
  'doNotContact',
  'isTest',
  'firstName',
  'lastName',
  'email',
  'phone',
  'country',
  'company',
  'title',
  'description',
  'campaigns',
  'erasedAt',
] as const

// ---------------------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------------------

const read = { role: 'analyst', services: ['query-api'], tags: ['analytics'] } as const

export const analyticsRoutes = {
  series: route({
    ...read,
    id: 'getSeries',
    method: 'GET',
    path: '/v1/analytics/series',
    summary: 'Leads over time, per hour, day, ISO week or month, in any IANA time zone, split by one dimension',
    query: SeriesQuery,
    responses: { 200: { description: 'the series', json: SeriesAnswer, headers: freshHeaders }, ...readErrors },
  }),
  funnel: route({
    ...read,
    id: 'getFunnel',
    method: 'GET',
    path: '/v1/analytics/funnel',
    summary: 'The qualification funnel: stages reached, conversion, time to stage, reasons, cohorts',
    query: FunnelQuery,
    responses: { 200: { description: 'the funnel', json: FunnelAnswer, headers: freshHeaders }, ...readErrors },
  }),
  top: route({
    ...read,
    id: 'getTop',
    method: 'GET',
    path: '/v1/analytics/top',
    summary: 'Top offers, countries, offer kinds, storefronts or campaigns by leads or by conversion rate',
    query: TopQuery,
    responses: { 200: { description: 'the ranking', json: TopAnswer, headers: freshHeaders }, ...readErrors },
  }),
  exportCsv: route({
    ...read,
    id: 'exportLeadsCsv',
    method: 'GET',
    path: '/v1/exports/leads.csv',
    summary: 'Every lead matching the filters as CSV (RFC 4180, UTF-8, header row), streamed',
    query: ExportQuery,
    responses: { 200: { description: 'CSV rows, one per lead', media: 'text/csv', headers: freshHeaders }, ...readErrors },
  }),
  exportNdjson: route({
    ...read,
    id: 'exportLeadsNdjson',
    method: 'GET',
    path: '/v1/exports/leads.ndjson',
    summary: 'Every lead matching the filters as newline-delimited JSON (one LeadView per line), streamed',
    query: ExportQuery,
    responses: { 200: { description: 'one JSON lead per line', media: 'application/x-ndjson', headers: freshHeaders }, ...readErrors },
  }),
} as const
