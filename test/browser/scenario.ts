// A realistic scenario with known answers for the dashboard test (and the README's screenshot): native leads on
// both storefronts with capture times spread over the last 120 days, offers classified, and a funnel of
// commands (contacted, nurturing, qualified, converted, disqualified).
import * as assert from 'uvu/assert'
import { http } from '../support/embedded.js'
import { rng } from '../support/leads.js'

// JSON answers read field by field; their shapes are the contract's, which test/api checks.
// biome-ignore lint/suspicious/noExplicitAny: read loosely on purpose (see above); test/api checks the shapes
const loose = (a: { body: unknown }): any => a.body

export interface Scenario {
  /** Leads captured (none are test leads). */
  readonly leads: number
  /** A lead that went captured → contacted → qualified → converted. */
  readonly converted: string
  /** The highest log position the scenario's writes reached. */
  readonly position: number
}

const offers = [
  { title: 'Contoso CRM', storefront: 'AppSource', kind: 'saas' },
  { title: 'Fabrikam Sales Insights', storefront: 'AppSource', kind: 'power-bi-app' },
  { title: 'Adatum Migration Assessment', storefront: 'AppSource', kind: 'consulting-service' },
  { title: 'Northwind Secure VM', storefront: 'AzureMarketplace', kind: 'virtual-machine' },
  { title: 'Tailspin Data Platform', storefront: 'AzureMarketplace', kind: 'azure-application' },
] as const
const countries = ['US', 'US', 'US', 'DE', 'GB', 'FR', 'IN', 'JP', 'BR', 'CA']
const first = ['Ann', 'Ben', 'Chloé', 'Dev', 'Eva', 'Farid', 'Grace', 'Hiro', 'Inès', 'Jon', 'Kai', 'Lena']
const last = ['Ng', 'Okafor', 'Müller', 'Patel', 'Rossi', 'Silva', 'Tanaka', 'Ueda', 'Varga', 'Wong']
const actions = { AppSource: ['PLT', 'PLT', 'INS', 'StartTestDrive'], AzureMarketplace: ['INS', 'Create', 'INS', 'StartTestDrive'] } as const

const day = 86_400_000

export const scenario = async (url: string, count = 160): Promise<Scenario> => {
  const r = rng(2026)
  const pick = <A>(xs: ReadonlyArray<A>): A => xs[Math.floor(r() * xs.length)]!
  const now = Date.now()
  const events = Array.from({ length: count }, (_, i) => {
    const o = pick(offers)
    const [f, l] = [pick(first), pick(last)]
    // More leads lately: the square skews capture times towards now.
    const age = Math.floor(r() ** 2 * 120 * day) + 3_600_000
    return {
      type: 'LeadCaptured',
      version: 1,
      eventId: `scenario-${i}`,
      leadId: `lead-${String(i).padStart(4, '0')}`,
      occurredAt: new Date(now - age).toISOString(),
      data: {
        storefront: o.storefront,
        leadSource: o.storefront === 'AppSource' ? 'SPZA' : 'AzureMarketplace',
        action: pick(actions[o.storefront]),
        offer: { title: o.title },
        customer: {
          firstName: f,
          lastName: l,
          email: `${f}.${l}.${i}@example.com`.toLowerCase(),
          country: pick(countries),
          company: `${l} ${pick(['GmbH', 'Ltd', 'Inc', 'SA'])}`,
          title: pick(['CTO', 'IT manager', 'Developer', 'Buyer']),
        },
        description: i % 4 === 0 ? 'Campaigns: spring-launch' : null,
      },
    }
  })
  const posted = await http('POST', `${url}/v1/leads`, events)
  assert.is(posted.status, 200, JSON.stringify(loose(posted)).slice(0, 500))
  let position = loose(posted).position as number
  const write = async (path: string, body: unknown) => {
    const a = await http('POST', `${url}${path}`, body)
    assert.ok(a.status === 200 || a.status === 201, `${path}: ${a.status} ${JSON.stringify(a.body)}`)
    position = Math.max(position, loose(a).position as number)
  }
  for (const o of offers) await write('/v1/catalogue', { offerTitle: o.title, kind: o.kind, by: 'publisher' })
  const ids = events.map((e) => e.leadId)
  const command = (id: string, type: string, extra: Record<string, unknown> = {}) => write(`/v1/leads/${id}/commands`, { type, by: 'sam', ...extra })
  // Every third lead is contacted; of those, some nurtured, qualified, converted or disqualified.
  for (const [k, id] of ids.filter((_, i) => i % 3 === 0).entries()) {
    await command(id, 'ContactLead', { channel: 'email' })
    if (k % 5 === 1) await command(id, 'StartNurturing')
    else if (k % 5 === 2 || k % 5 === 3) {
      await command(id, 'QualifyLead')
      if (k % 5 === 3) await command(id, 'ConvertLead')
    } else if (k % 5 === 4) await command(id, 'DisqualifyLead', { reason: pick(['lost', 'not-interested', 'cannot-contact']) })
  }
  for (const id of ids.filter((_, i) => i % 17 === 1 && i % 3 !== 0)) await command(id, 'DisqualifyLead', { reason: 'duplicate' })
  // The read that follows sees every write: wait for the views to reach the last position.
  const caught = await http('GET', `${url}/v1/views/qualification?minPosition=${position}&waitMs=10000`)
  assert.is(caught.status, 200)
  return { leads: count, converted: ids[9]!, position }
}
