// The lead's vocabulary: storefronts, campaign types, offer kinds, qualification states, action codes.
import * as t from 'io-ts'

// ---------------------------------------------------------------------------------------------------------
// storefronts and campaigns
// ---------------------------------------------------------------------------------------------------------

export const Storefront = t.keyof({ AppSource: null, AzureMarketplace: null }, 'Storefront')
export type Storefront = t.TypeOf<typeof Storefront>
export const storefronts: ReadonlyArray<Storefront> = ['AppSource', 'AzureMarketplace']

export const CampaignType = t.keyof({ nurture: null, 'demand-generation': null }, 'CampaignType')
export type CampaignType = t.TypeOf<typeof CampaignType>
export const campaignTypes: ReadonlyArray<CampaignType> = ['nurture', 'demand-generation']

/** Each storefront runs one kind of campaign (DOMAIN.md): AppSource nurtures, Azure Marketplace generates demand. */
export const campaignOf = (storefront: Storefront): CampaignType => (storefront === 'AppSource' ? 'nurture' : 'demand-generation')

// ---------------------------------------------------------------------------------------------------------
// offers
// ---------------------------------------------------------------------------------------------------------

export const OfferKind = t.keyof(
  {
    saas: null,
    'dynamics-365-app': null,
    'power-bi-app': null,
    'microsoft-365-app': null,
    'consulting-service': null,
    'azure-application': null,
    'virtual-machine': null,
    container: null,
    'iot-edge-module': null,
    'managed-service': null,
    unclassified: null,
  },
  'OfferKind',
)
export type OfferKind = t.TypeOf<typeof OfferKind>
export const offerKinds = Object.keys(OfferKind.keys) as ReadonlyArray<OfferKind>

/**
 * The offer a lead is about. The marketplace sends a publisher-qualified id (`publisher.offer`) in the
 * combined lead-source string, and only the display title in the HTTPS payload; `key` is the one the lead
 * and the catalogue agree on: `id:<id>` when the id is known, else `title:<normalised title>`.
 */
export const Offer = t.type({ id: t.union([t.string, t.null]), title: t.union([t.string, t.null]), key: t.string }, 'Offer')
export type Offer = t.TypeOf<typeof Offer>

export const offerKeyOfId = (id: string): string => `id:${id.trim().toLowerCase()}`
export const offerKeyOfTitle = (title: string): string => `title:${title.trim().replace(/\s+/g, ' ').toLowerCase()}`

export const offer = (id: string | null, title: string | null): Offer => ({
  id: id === null || id.trim() === '' ? null : id.trim(),
  title: title === null || title.trim() === '' ? null : title.trim(),
  key: id !== null && id.trim() !== '' ? offerKeyOfId(id) : offerKeyOfTitle(title ?? ''),
})

/** Every catalogue key an offer can be named by (its id and its title). */
export const offerKeys = (o: Offer): ReadonlyArray<string> => {
  const keys = [o.key]
  if (o.id !== null && o.title !== null) keys.push(offerKeyOfTitle(o.title))
  return keys
}

// ---------------------------------------------------------------------------------------------------------
// actions
// ---------------------------------------------------------------------------------------------------------

/** Action codes Microsoft is known to send. The list is open: unknown codes are kept verbatim. */
export const knownActions = ['INS', 'PLT', 'DNC', 'Create', 'StartTestDrive'] as const
export type KnownAction = (typeof knownActions)[number]

/** The bucket an action is counted in: a known code, or `other`. */
export const actionBucket = (action: string): KnownAction | 'other' =>
  (knownActions as ReadonlyArray<string>).includes(action) ? (action as KnownAction) : 'other'

// ---------------------------------------------------------------------------------------------------------
// qualification
// ---------------------------------------------------------------------------------------------------------

export const QualificationState = t.keyof(
  { captured: null, contacted: null, nurturing: null, qualified: null, converted: null, disqualified: null },
  'QualificationState',
)
export type QualificationState = t.TypeOf<typeof QualificationState>
export const qualificationStates = Object.keys(QualificationState.keys) as ReadonlyArray<QualificationState>

export const DisqualificationReason = t.keyof(
  { lost: null, 'cannot-contact': null, 'not-interested': null, canceled: null, duplicate: null },
  'DisqualificationReason',
)
export type DisqualificationReason = t.TypeOf<typeof DisqualificationReason>

/** How a lead was contacted (LeadContacted v2 on); null in an event means it was not recorded. */
export const ContactChannel = t.keyof({ email: null, phone: null, meeting: null, other: null }, 'ContactChannel')
export type ContactChannel = t.TypeOf<typeof ContactChannel>
export const contactChannels = Object.keys(ContactChannel.keys) as ReadonlyArray<ContactChannel>

export const isFinal = (s: QualificationState): boolean => s === 'converted' || s === 'disqualified'

// ---------------------------------------------------------------------------------------------------------
// customer (personal data: never logged)
// ---------------------------------------------------------------------------------------------------------

export const Customer = t.type(
  {
    firstName: t.string,
    lastName: t.string,
    email: t.string,
    phone: t.string,
    country: t.string,
    company: t.string,
    title: t.string,
  },
  'Customer',
)
export type Customer = t.TypeOf<typeof Customer>

export const emptyCustomer: Customer = { firstName: '', lastName: '', email: '', phone: '', country: '', company: '', title: '' }

/** Lead ids: opaque, URL-safe, at most 128 characters. */
export interface LeadIdBrand {
  readonly LeadId: unique symbol
}
export const LeadId = t.brand(t.string, (s): s is t.Branded<string, LeadIdBrand> => /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(s), 'LeadId')
export type LeadId = t.TypeOf<typeof LeadId>

export const streamOfLead = (id: string): string => `lead-${id}`
export const streamOfOffer = (key: string): string => `offer-${key}`
