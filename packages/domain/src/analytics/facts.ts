// What analytics know of one lead (a narrow row, no personal data), the filter every analyst read takes, and
// the in-memory match of one against the other (what the view stores do in SQL; the fold oracle uses this).
import { actionBucket, offerKeyOfId, offerKeyOfTitle, type CampaignType, type OfferKind, type QualificationState, type Storefront } from '../model.js'
import { reachedStages, type LeadSummary, type ReachedStage } from '../projection.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface LeadFacts {
  readonly storefront: Storefront
  readonly campaign: CampaignType
  /** The offer as analysts group it: its id when known, else its title (`(none)` without either). */
  readonly offer: string
  readonly offerTitle: string | null
  /** The catalogue keys the offer filter matches on (the summary's first two `offerKeys`). */
  readonly offerKeys: ReadonlyArray<string>
  readonly offerKind: OfferKind
  /** ISO 3166-1 alpha-2, or `unknown`. */
  readonly country: string
  readonly state: QualificationState
  /** Every action code recorded, verbatim. */
  readonly actions: ReadonlyArray<string>
  readonly isTest: boolean
  readonly capturedMs: number
  /** When the lead first reached each stage (epoch ms), null: never. */
  readonly reachedMs: Readonly<Record<ReachedStage, number | null>>
  /** The current disqualification reason (null unless disqualified). */
  readonly reason: string | null
}

/** The filters of every analyst read, as the view stores apply them (values already normalised). */
export interface LeadFilter {
  readonly state?: QualificationState
  readonly storefront?: Storefront
  readonly campaign?: CampaignType
  readonly offerKind?: OfferKind
  /** An offer id or title: matches a lead whose offer has that id or that title. */
  readonly offer?: string
  /** An action code the lead has recorded, verbatim, or `other` for any unknown code. */
  readonly action?: string
  /** ISO 3166-1 alpha-2 or `unknown` (normalise a caller's form with countryCode first). */
  readonly country?: string
  /** Capture time: `from` inclusive, `to` exclusive, ISO-8601 UTC as the Instant codec writes it. */
  readonly from?: string
  readonly to?: string
  /** Test leads (MSFT_TEST) are left out unless asked for. */
  readonly includeTest?: boolean
}

export const noOffer = '(none)'

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

/** The offer group key of a lead: id, else title. */
export const offerGroup = (offerId: string | null, offerTitle: string | null): string => offerId ?? offerTitle ?? noOffer

export const factsOf = (s: LeadSummary): LeadFacts => {
  const reachedMs = {} as Record<ReachedStage, number | null>
  for (const st of reachedStages) {
    const at = s.reached[st]
    reachedMs[st] = at === null ? null : Date.parse(at)
  }
  return {
    storefront: s.storefront,
    campaign: s.campaign,
    offer: offerGroup(s.offerId, s.offerTitle),
    offerTitle: s.offerTitle,
    offerKeys: s.offerKeys.slice(0, 2),
    offerKind: s.offerKind,
    country: s.country,
    state: s.state,
    actions: s.actions,
    isTest: s.isTest,
    capturedMs: Date.parse(s.capturedAt),
    reachedMs,
    reason: s.disqualificationReason,
  }
}

/** The catalogue keys an offer filter value can name (an id or a title): a lead matches if it has either. */
export const offerFilterKeys = (value: string): readonly [string, string] => [offerKeyOfId(value), offerKeyOfTitle(value)]

/** Whether a lead has recorded the filter's action (verbatim, or any unknown code for `other`). */
export const hasAction = (actions: ReadonlyArray<string>, action: string): boolean =>
  actions.includes(action) || (action === 'other' && actions.some((a) => actionBucket(a) === 'other'))

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** Whether a stored lead passes a filter: the reference for what the stores' SQL selects. */
export const matchesFilter = (s: LeadSummary, f: LeadFilter): boolean =>
  (f.includeTest === true || !s.isTest) &&
  (f.state === undefined || s.state === f.state) &&
  (f.storefront === undefined || s.storefront === f.storefront) &&
  (f.campaign === undefined || s.campaign === f.campaign) &&
  (f.offerKind === undefined || s.offerKind === f.offerKind) &&
  (f.country === undefined || s.country === f.country) &&
  (f.offer === undefined || offerFilterKeys(f.offer).some((k) => s.offerKeys.slice(0, 2).includes(k))) &&
  (f.action === undefined || hasAction(s.actions, f.action)) &&
  (f.from === undefined || s.capturedAt >= f.from) &&
  (f.to === undefined || s.capturedAt < f.to)

/** Whether a filter needs more than the count views' counters (which only split by the test flag). */
export const isNarrowing = (f: LeadFilter): boolean =>
  [f.state, f.storefront, f.campaign, f.offerKind, f.offer, f.action, f.country, f.from, f.to].some((v) => v !== undefined)
