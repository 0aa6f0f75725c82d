// Generates marketplace-format leads for tests and benchmarks, with the expected views computed independently
// of the product code (plain bookkeeping over what was generated).

export interface GeneratedLead {
  readonly payload: Record<string, unknown>
  /** Identity as DOMAIN.md defines it, computed here without the product's code; null when rejected. */
  readonly identity: string | null
  readonly storefront: 'AppSource' | 'AzureMarketplace' | null
  readonly action: string
  readonly isTest: boolean
}

const sources = [
  ['AzureMarketplace', 'AzureMarketplace'],
  ['AzurePortal', 'AzureMarketplace'],
  ['SPZA', 'AppSource'],
  ['AppSource', 'AppSource'],
] as const
const actions = ['INS', 'PLT', 'Create', 'StartTestDrive', 'WEIRD_NEW_CODE'] as const
const offers = ['Contoso CRM', 'Fabrikam Analytics', 'Northwind VM']

/** A deterministic pseudo-random generator, so a failing case can be reproduced. */
export const rng = (seed: number) => () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff
  return seed / 0x7fffffff
}

export const marketplaceLead = (i: number, r: () => number, opts: { test?: boolean; upperCaseKeys?: boolean } = {}): GeneratedLead => {
  const [source, storefront] = sources[Math.floor(r() * sources.length)]!
  const action = actions[Math.floor(r() * actions.length)]!
  const offer = offers[Math.floor(r() * offers.length)]!
  const email = opts.test === true ? `MSFT_TEST_${i}@microsoft.com` : `Buyer${i}@Example.com`
  const details = {
    FirstName: opts.test === true ? `MSFT_TEST_${i}` : `First${i}`,
    LastName: `Last${i}`,
    Email: email,
    Phone: '',
    Country: 'US',
    Company: `Co${i}`,
    Title: '',
  }
  const payload =
    opts.upperCaseKeys === false
      ? { userDetails: details, leadSource: source, actionCode: action, offerTitle: offer, description: `Campaigns: wave${i % 3}` }
      : { UserDetails: details, LeadSource: source, ActionCode: action, OfferTitle: offer, Description: `Campaigns: wave${i % 3}` }
  return { payload, identity: `${storefront}|${offer.toLowerCase()}|${email.toLowerCase()}`, storefront, action, isTest: opts.test === true }
}

export const malformedLeads = (): ReadonlyArray<Record<string, unknown>> => [
  { UserDetails: { Email: 42 }, LeadSource: 'AzureMarketplace', OfferTitle: 'Contoso CRM' },
  { UserDetails: { Email: 'x@y.z' }, LeadSource: 'Bing', OfferTitle: 'Contoso CRM' },
  { UserDetails: { Email: 'x@y.z' }, OfferTitle: 'Contoso CRM' },
  { UserDetails: 'not an object', LeadSource: 'SPZA', OfferTitle: 'Contoso CRM' },
  { UserDetails: { Email: 'x@y.z' }, LeadSource: 'SPZA' },
]

/** What the storefront view must show for a set of accepted leads (each identity counted once, its actions unioned). */
export const expectedByStorefront = (leads: ReadonlyArray<GeneratedLead>, includeTest: boolean) => {
  const byIdentity = new Map<string, { storefront: string; actions: Set<string>; isTest: boolean }>()
  for (const l of leads) {
    if (l.identity === null || l.storefront === null) continue
    const e = byIdentity.get(l.identity) ?? { storefront: l.storefront, actions: new Set<string>(), isTest: l.isTest }
    e.actions.add(l.action)
    byIdentity.set(l.identity, e)
  }
  const out: Record<string, { total: number; actions: Record<string, number> }> = {
    AppSource: { total: 0, actions: {} },
    AzureMarketplace: { total: 0, actions: {} },
  }
  for (const e of byIdentity.values()) {
    if (e.isTest && !includeTest) continue
    const s = out[e.storefront]!
    s.total += 1
    for (const a of e.actions) {
      const bucket = ['INS', 'PLT', 'DNC', 'Create', 'StartTestDrive'].includes(a) ? a : 'other'
      s.actions[bucket] = (s.actions[bucket] ?? 0) + 1
    }
  }
  return out
}
