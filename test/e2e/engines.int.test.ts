// The query API gives the same answers from PostgreSQL views as from SQLite views: one scenario, both engines.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { BatchAnswer, CommandAnswer, LeadAccepted, LeadPage, Written } from '@leadstream/api'
import { decodeAs, getJson, http, startTestServer, steppingClock, typed, type TestServer } from '../support/embedded.js'
import { malformedLeads, marketplaceLead, rng } from '../support/leads.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { everyFilterEverywhere, variedLeads } from './engineScenario.js'

const url = await requirePostgres('engines: SQLite vs PostgreSQL views')
const test = suite('engines')

/** Runs the same writes on a server, then collects every read answer the analysts would make. */
const scenario = async (server: TestServer): Promise<Record<string, unknown>> => {
  const r = rng(31)
  const leads = Array.from({ length: 150 }, (_, i) => marketplaceLead(i, r).payload)
  let position = 0
  for (let i = 0; i < leads.length; i += 50) {
    const a = typed(
      BatchAnswer,
      await http('POST', `${server.url}/v1/marketplace/leads`, [...leads.slice(i, i + 50), ...leads.slice(0, 5), ...malformedLeads()]),
    )
    position = Math.max(position, a.body.position)
  }
  position = Math.max(
    position,
    typed(
      LeadAccepted,
      await http('POST', `${server.url}/v1/leads`, {
        type: 'LeadCaptured',
        version: 1,
        eventId: 'n-1',
        leadId: 'native-1',
        occurredAt: '2026-11-20T10:00:00Z',
        data: { storefront: 'AppSource', action: 'DNC', offer: { id: 'contoso.crm' }, customer: { email: 'n@example.com' } },
      }),
    ).body.position,
  )
  position = Math.max(position, await variedLeads(server))
  const firstPage = (await getJson(LeadPage, `${server.url}/v1/leads?limit=20&minPosition=${position}`)).body
  for (const [i, lead] of firstPage.items.slice(0, 6).entries()) {
    const type = i < 3 ? 'ContactLead' : 'DisqualifyLead'
    const c = await http('POST', `${server.url}/v1/leads/${lead.leadId}/commands`, { type, by: 'sam', reason: 'lost' })
    position = Math.max(position, c.status < 300 ? decodeAs(CommandAnswer, c.body).position : 0)
  }
  position = Math.max(
    position,
    typed(Written, await http('POST', `${server.url}/v1/catalogue`, { offerTitle: 'Fabrikam Analytics', kind: 'power-bi-app', by: 'pub' })).body.position,
  )
  const get = async (path: string) => (await http('GET', `${server.url}${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`)).body
  const page1 = decodeAs(LeadPage, await get('/v1/leads?storefront=AzureMarketplace&limit=7'))
  const answers: Record<string, unknown> = {
    storefronts: await get('/v1/views/storefronts'),
    storefrontsWithTest: await get('/v1/views/storefronts?includeTest=true'),
    campaigns: await get('/v1/views/campaigns'),
    qualification: await get('/v1/views/qualification'),
    page1,
    page2: await get(`/v1/leads?storefront=AzureMarketplace&limit=7&cursor=${page1.next}`),
    contacted: await get('/v1/leads?state=contacted'),
    kinds: await get('/v1/leads?offerKind=power-bi-app&limit=100'),
    native: await get('/v1/leads/native-1'),
    // the analysts' projections and filters
    seriesDay: await get('/v1/analytics/series?from=2026-11-01&to=2026-12-01&by=storefront'),
    seriesHour: await get('/v1/analytics/series?from=2026-11-24&to=2026-11-27&interval=hour&tz=Asia/Kolkata&by=action&includeTest=true'),
    seriesWeek: await get('/v1/analytics/series?from=2026-09-01&to=2026-12-31&interval=week&tz=Europe/Berlin&by=offer&state=contacted'),
    funnel: await get('/v1/analytics/funnel?by=offer&cohort=week&tz=Europe/Berlin'),
    funnelFiltered: await get('/v1/analytics/funnel?storefront=AzureMarketplace&country=US&by=offerKind'),
    topConversion: await get('/v1/analytics/top?by=offer&sort=conversion'),
    topCountry: await get('/v1/analytics/top?by=country&includeTest=true'),
    storefrontsOther: await get('/v1/views/storefronts?action=other'),
    qualificationRange: await get('/v1/views/qualification?from=2026-11-01&to=2026-12-01&offer=Contoso%20CRM'),
    filteredLeads: await get('/v1/leads?country=US&offer=Contoso%20CRM&limit=5'),
    ...(await everyFilterEverywhere(server, position)),
  }
  return answers
}

if (url !== null) {
  test('query API :: SQLite and PostgreSQL views answer the same scenario identically', async () => {
    const schema = `engines_${process.pid}_${Date.now().toString(36)}`
    // The parking sweeper reads the clock on a timer (10 s): a firing in one run only (the PostgreSQL server
    // waits idle while the SQLite scenario runs) moved that run's readings by 1 ms. An hour apart it never fires.
    const quiet = { LEADSTREAM_PARK_SWEEP_MS: '3600000' }
    const sqlite = await startTestServer(quiet, undefined, steppingClock())
    const postgres = await startTestServer(
      { ...quiet, LEADSTREAM_VIEW_STORE: 'postgres', LEADSTREAM_POSTGRES_URL: url, LEADSTREAM_POSTGRES_SCHEMA: schema },
      undefined,
      steppingClock(),
    )
    try {
      const [a, b] = [await scenario(sqlite), await scenario(postgres)]
      assert.ok((a['qualification'] as { total: number }).total > 100, 'the scenario produced views')
      for (const k of Object.keys(a)) assert.equal(b[k], a[k], k)
      assert.ok((a['funnel'] as { total: number }).total > 100 && (a['seriesDay'] as { total: number }).total > 100, 'the analytics answers are not empty')
    } finally {
      await sqlite.dispose()
      await postgres.dispose()
      await dropSchemas(url, [schema])
    }
  })
}

test.run()
