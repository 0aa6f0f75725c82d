// Realistic marketplace leads for the benchmarks: one lead spec, seen as the HTTPS payload upstream sends
// (with re-deliveries, follow-up actions, test leads and key-casing quirks) or as the LeadCaptured it becomes.
import {
  campaignOf,
  campaignsIn,
  event,
  looksLikeTestLead,
  offer,
  offerKeyOfId,
  offerKeyOfTitle,
  type Customer,
  type LeadCaptured,
  type OfferKind,
  type Storefront,
  personalOf,
} from '@leadstream/domain'
import type { Rng } from './random.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface CatalogueOffer {
  /** `publisher.offer`, as the combined lead source names it. */
  readonly id: string
  readonly title: string
  readonly storefront: Storefront
  /** The catalogue keys leads of this offer carry (title always; id when the lead source names it). */
  readonly keys: ReadonlyArray<string>
}

/** One lead as upstream knows it, before it is turned into a payload or an event. */
export interface LeadSpec {
  readonly storefront: Storefront
  /** As sent: `SPZA`, `AzureMarketplace`, … or combined `<source>-<action>|<publisher.offer>`. */
  readonly leadSource: string
  readonly action: string
  readonly offer: CatalogueOffer
  /** Whether the lead source names the offer id (then the lead has two catalogue keys). */
  readonly withOfferId: boolean
  readonly customer: Customer
  readonly description: string | null
}

// ---------------------------------------------------------------------------------------------------------
// vocabularies
// ---------------------------------------------------------------------------------------------------------

const firstNames = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Radia',
  'Tim',
  'Margaret',
  'Linus',
  'Sophie',
  'Yuki',
  'Ravi',
  'Chen',
]
const lastNames = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Perlman',
  'Lee',
  'Hamilton',
  'Torvalds',
  'Wilson',
  'Tanaka',
  'Patel',
  'Wang',
]
const companies = [
  'Contoso',
  'Fabrikam',
  'Northwind',
  'Tailspin',
  'Woodgrove',
  'Adatum',
  'Litware',
  'Proseware',
  'Wingtip',
  'Relecloud',
  'Alpine Ski House',
  'Coho Winery',
]
const titles = ['CTO', 'IT Manager', 'Developer', 'Architect', 'Procurement', 'CIO', 'Data Analyst', 'Head of Sales', '']
const countries = ['US', 'USA', 'GB', 'DE', 'FR', 'IN', 'JP', 'BR', 'CA', 'AU', 'NL', 'SE']
const products = ['CRM', 'Backup', 'Analytics', 'Firewall', 'Helpdesk', 'Data Lake', 'Identity', 'ERP Connector', 'Kubernetes Ops', 'Vision API']
const descriptions = ['Wants a demo', 'Interested in pricing', 'Evaluating for a pilot', 'Please call back next week', 'Trial started from the offer page']
const campaignNames = ['spring-launch', 'webinar-q3', 'partner-summit', 'black-friday', 'ignite-2025']

/** Action codes per storefront, heaviest first; `Trial` and `Purchase` stand for codes the product does not know. */
const actionsOf: Record<Storefront, ReadonlyArray<readonly [string, number]>> = {
  AppSource: [
    ['PLT', 0.5],
    ['INS', 0.38],
    ['StartTestDrive', 0.06],
    ['DNC', 0.03],
    ['Trial', 0.03],
  ],
  AzureMarketplace: [
    ['INS', 0.5],
    ['Create', 0.28],
    ['StartTestDrive', 0.1],
    ['DNC', 0.05],
    ['Purchase', 0.07],
  ],
}
export const actionCodesOf = (s: Storefront): ReadonlyArray<string> => actionsOf[s].map(([a]) => a)

const weighted = (r: Rng, xs: ReadonlyArray<readonly [string, number]>): string => {
  let x = r.next()
  for (const [v, w] of xs) {
    if (x < w) return v
    x -= w
  }
  return xs[0]?.[0] ?? ''
}

export const kindsOf: Record<Storefront, ReadonlyArray<OfferKind>> = {
  AppSource: ['saas', 'dynamics-365-app', 'power-bi-app', 'microsoft-365-app', 'consulting-service'],
  AzureMarketplace: ['saas', 'azure-application', 'virtual-machine', 'container', 'iot-edge-module', 'managed-service'],
}

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

/** A publisher catalogue: `n` offers, each listed on one storefront. */
export const catalogue = (r: Rng, n = 240): ReadonlyArray<CatalogueOffer> =>
  Array.from({ length: n }, (_, i) => {
    const company = r.pick(companies)
    const product = r.pick(products)
    const id = `${company.toLowerCase().replace(/\s+/g, '')}.${product.toLowerCase().replace(/\s+/g, '-')}-${i}`
    const title = `${company} ${product} ${i}`
    return { id, title, storefront: r.chance(0.55) ? 'AppSource' : 'AzureMarketplace', keys: [offerKeyOfId(id), offerKeyOfTitle(title)] }
  })

/**
 * A new lead: the `n`-th customer (so its email, hence its identity, is unique). About 1 in 100 is Microsoft's
 * `MSFT_TEST` lead and 1 in 100 comes from a `.edu` customer without personal data.
 */
export const newLeadSpec = (r: Rng, offers: ReadonlyArray<CatalogueOffer>, n: number): LeadSpec => {
  const o = r.pick(offers)
  const storefront = o.storefront
  const action = weighted(r, actionsOf[storefront])
  const withOfferId = r.chance(0.2)
  const source = storefront === 'AppSource' ? (r.chance(0.7) ? 'SPZA' : 'AppSource') : r.chance(0.8) ? 'AzureMarketplace' : 'AzurePortal'
  const leadSource = withOfferId ? `${source}-${action}|${o.id}` : source
  const campaigns = r.chance(0.3) ? `Campaigns: ${r.pick(campaignNames)}, ${r.pick(campaignNames)}` : null
  const kind = r.next()
  if (kind < 0.01) {
    const tag = `MSFT_TEST_${636573304831318844n + BigInt(n)}`
    return {
      storefront,
      leadSource,
      action,
      offer: o,
      withOfferId,
      customer: { firstName: tag, lastName: tag, email: `${tag}@microsoft.com`, phone: '1234567890', country: 'US', company: tag, title: tag },
      description: tag,
    }
  }
  if (kind < 0.02)
    return {
      storefront,
      leadSource,
      action,
      offer: o,
      withOfferId,
      customer: { firstName: '', lastName: '', email: '', phone: '', country: '', company: '', title: '' },
      description: `Request ${n}`,
    }
  const first = r.pick(firstNames)
  const last = r.pick(lastNames)
  const company = r.pick(companies)
  return {
    storefront,
    leadSource,
    action,
    offer: o,
    withOfferId,
    customer: {
      firstName: first,
      lastName: last,
      email: `${first}.${last}.${n}@${company.toLowerCase().replace(/\s+/g, '')}.example`,
      phone: `+1 425 555 ${String(n % 10000).padStart(4, '0')}`,
      country: r.pick(countries),
      company,
      title: r.pick(titles),
    },
    description: campaigns === null ? r.pick(descriptions) : `${r.pick(descriptions)}\n${campaigns}`,
  }
}

/** The same customer acting again on the same offer with another action code: one more event on the same lead. */
export const followUp = (r: Rng, spec: LeadSpec): LeadSpec => {
  const others = actionCodesOf(spec.storefront).filter((a) => a !== spec.action && a !== 'DNC')
  const action = r.pick(others)
  return { ...spec, action, leadSource: spec.withOfferId ? spec.leadSource.replace(/-[A-Za-z0-9_]+\|/, `-${action}|`) : spec.leadSource }
}

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

/** The HTTPS endpoint JSON; `lowerKeys` reproduces the `userDetails`/`leadSource` casing some deliveries use. */
export const payloadOf = (spec: LeadSpec, lowerKeys: boolean): Record<string, unknown> => {
  const c = spec.customer
  const details = { FirstName: c.firstName, LastName: c.lastName, Email: c.email, Phone: c.phone, Country: c.country, Company: c.company, Title: c.title }
  const body = { UserDetails: details, LeadSource: spec.leadSource, ActionCode: spec.action, OfferTitle: spec.offer.title, Description: spec.description }
  if (!lowerKeys) return body
  const lower = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]))
  return { ...lower(body), userDetails: lower(details) }
}

/** The LeadCaptured the product would write for this spec (format `marketplace-https`). */
export const capturedOf = (spec: LeadSpec, leadId: string, occurredAt: string): LeadCaptured =>
  event('LeadCaptured', {
    leadId,
    storefront: spec.storefront,
    campaign: campaignOf(spec.storefront),
    leadSource: spec.leadSource,
    action: spec.action,
    offer: offer(spec.withOfferId ? spec.offer.id : null, spec.offer.title),
    country: spec.customer.country,
    personal: personalOf(spec.customer, spec.description),
    campaigns: [...campaignsIn(spec.description)],
    isTest: looksLikeTestLead([spec.customer.firstName, spec.customer.lastName, spec.customer.email, spec.customer.company, spec.description]),
    doNotContact: spec.action === 'DNC',
    format: 'marketplace-https',
    occurredAt,
  })
