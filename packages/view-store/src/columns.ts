// The lead row's analytics columns, shared by both view stores: what a summary writes into them, and how the
// narrow rows the analytics read come back as LeadFacts (same column order on SQLite and PostgreSQL).
import { actionBucket, offerGroup, reachedStages, type LeadFacts, type LeadSummary, type ReachedStage } from '@leadstream/domain'
import { actionTokens, parseActionTokens, type FactsSince } from './port.js'

/** The analytics columns in the order both upserts write them (after the lead row's original columns). */
export const analyticsColumnNames = [
  'country',
  'actions',
  'action_other',
  'offer_id',
  'offer_title',
  'captured_ms',
  'contacted_ms',
  'nurturing_ms',
  'qualified_ms',
  'converted_ms',
  'disqualified_ms',
  'dq_reason',
] as const

/** The columns a lead can change after capture (the others keep what the capture wrote). */
export const analyticsUpdated = [
  'actions',
  'action_other',
  'contacted_ms',
  'nurturing_ms',
  'qualified_ms',
  'converted_ms',
  'disqualified_ms',
  'dq_reason',
] as const

const msOf = (at: string | null): number | null => (at === null ? null : Date.parse(at))

export const analyticsValues = (s: LeadSummary): [string, string, boolean, string | null, string | null, number, ...Array<number | null>, string | null] => [
  s.country,
  actionTokens(s.actions),
  s.actions.some((a) => actionBucket(a) === 'other'),
  s.offerId,
  s.offerTitle,
  Date.parse(s.capturedAt),
  ...reachedStages.map((st) => msOf(s.reached[st])),
  s.disqualificationReason,
]

/** The SELECT list of a facts row (PostgreSQL casts its bigints to float8 so they arrive as numbers). */
export const factsSelect = (ms: (column: string) => string): string =>
  `storefront, campaign, offer_id, offer_title, offer_kind, country, state, actions, is_test, ${['captured_ms', ...reachedStages.map((s) => `${s}_ms`)].map(ms).join(', ')}, dq_reason, offer_key, offer_key2`

type Cell = string | number | boolean | null

/** The SELECT list of `factsSince`: a facts row, then the lead's id and write sequence. */
export const factsSinceSelect = (ms: (column: string) => string): string => `${factsSelect(ms)}, lead_id, ${ms('changed')}`

/** The rows `factsSince` reads, as its answer. */
export const factsSinceOf = (store: string, rows: ReadonlyArray<ReadonlyArray<Cell>>): FactsSince => ({
  store,
  leadIds: rows.map((r) => r[18] as string),
  changed: rows.map((r) => r[19] as number),
  facts: rows.map(factsOfRow),
})

export const factsOfRow = (r: ReadonlyArray<Cell>): LeadFacts => {
  const reachedMs = {} as Record<ReachedStage, number | null>
  reachedStages.forEach((st, i) => {
    reachedMs[st] = r[10 + i] as number | null
  })
  return {
    storefront: r[0] as LeadFacts['storefront'],
    campaign: r[1] as LeadFacts['campaign'],
    offer: offerGroup(r[2] as string | null, r[3] as string | null),
    offerTitle: r[3] as string | null,
    offerKeys: r[17] === null ? [r[16] as string] : [r[16] as string, r[17] as string],
    offerKind: r[4] as LeadFacts['offerKind'],
    country: r[5] as string,
    state: r[6] as LeadFacts['state'],
    actions: parseActionTokens(r[7] as string),
    isTest: r[8] === true || r[8] === 1,
    capturedMs: r[9] as number,
    reachedMs,
    reason: r[15] as string | null,
  }
}
