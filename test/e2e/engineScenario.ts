// Part of the engines test's scenario: leads that differ in every filtered dimension (storefront, offer by id
// and by title, action, country, state, capture time, test flag), and every analyst read under each filter.
// The engines test compares the answers of SQLite and PostgreSQL; this file also checks, on each engine, that
// the series, the funnel, the lead list and both exports count the same leads as the count views (issue 8).
import * as assert from 'uvu/assert'
import { BatchAnswer, FunnelAnswer, LeadPage, QualificationAnswer, SeriesAnswer } from '@leadstream/api'
import { csvRecords } from '../support/csv.js'
import { decodeAs, http, typed, type TestServer } from '../support/embedded.js'

const capture = (n: number, occurredAt: string, storefront: string, action: string, offer: Record<string, string>, country: string, isTest = false) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `varied-cap-${n}`,
  leadId: `varied-${n}`,
  occurredAt,
  data: { storefront, action, offer, customer: { email: `varied${n}@example.com`, country }, isTest },
})

const step = (n: number, type: string, occurredAt: string, data?: Record<string, string>) => ({
  type,
  version: 1,
  eventId: `varied-${type}-${n}`,
  leadId: `varied-${n}`,
  occurredAt,
  ...(data === undefined ? {} : { data }),
})

/** Writes the varied leads and their lifecycles; returns the last position written. */
export const variedLeads = async (server: TestServer): Promise<number> => {
  const captures = [
    capture(1, '2026-10-03T08:00:00Z', 'AppSource', 'PLT', { id: 'contoso.crm', title: 'Contoso CRM' }, 'DE'),
    capture(2, '2026-10-20T23:30:00Z', 'AzureMarketplace', 'INS', { title: 'Northwind VM' }, 'India'),
    capture(3, '2026-11-02T12:00:00Z', 'AzureMarketplace', 'WEIRD', { id: 'northwind.vm' }, 'Narnia'),
    capture(4, '2026-11-10T05:15:00Z', 'AppSource', 'DNC', { id: 'fabrikam.bi', title: 'Fabrikam Analytics' }, 'FRA'),
    capture(5, '2026-11-24T18:45:00Z', 'AppSource', 'INS', { id: 'contoso.crm' }, 'United States'),
    capture(6, '2026-11-20T09:00:00Z', 'AppSource', 'PLT', { id: 'contoso.crm' }, 'US', true),
  ]
  const steps = [
    step(1, 'LeadContacted', '2026-10-03T09:00:00Z', { channel: 'phone' }),
    step(1, 'LeadQualified', '2026-10-05T09:00:00Z'),
    step(1, 'LeadConverted', '2026-10-09T09:00:00Z'),
    step(2, 'LeadContacted', '2026-10-21T01:30:00Z'),
    step(2, 'LeadDisqualified', '2026-10-22T01:30:00Z', { reason: 'lost' }),
    step(3, 'LeadDisqualified', '2026-11-03T12:00:00Z', { reason: 'not-interested' }),
    step(5, 'LeadContacted', '2026-11-24T19:00:00Z'),
    step(5, 'LeadNurturingStarted', '2026-11-25T08:00:00Z'),
  ]
  let position = 0
  for (const batch of [captures, steps]) {
    const a = typed(BatchAnswer, await http('POST', `${server.url}/v1/leads`, batch))
    assert.is(a.body.rejected, 0, JSON.stringify(a.body))
    position = Math.max(position, a.body.position)
  }
  return position
}

/** One value of each filter (an offer by id and by title, `other` actions, `unknown` countries, a range). */
const filters = [
  '',
  'storefront=AppSource',
  'campaign=demand-generation',
  'offer=contoso.crm',
  'offer=Northwind%20VM',
  'offerKind=unclassified',
  'action=INS',
  'action=other',
  'country=DE',
  'country=unknown',
  'state=disqualified',
  'from=2026-10-01&to=2026-11-15',
  'includeTest=true',
  'storefront=AppSource&includeTest=true&from=2026-11-01',
]

/** The whole scenario's range for the series (a filter with its own range keeps it). */
const range = (f: string) => (f.includes('from=') ? '' : 'from=2026-09-01&to=2027-01-01')

/**
 * Every analyst read under every filter, keyed for comparison between engines. Each filter also checks that
 * the series, the funnel, the list and both exports hold exactly the leads the count view counts.
 */
export const everyFilterEverywhere = async (server: TestServer, position: number): Promise<Record<string, unknown>> => {
  const get = async (path: string) => {
    const a = await http('GET', `${server.url}${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`)
    assert.is(a.status, 200, `${path}: ${JSON.stringify(a.body)}`)
    return a.body
  }
  const text = async (path: string) => {
    const res = await fetch(`${server.url}${path}&minPosition=${position}`)
    assert.is(res.status, 200, path)
    return res.text()
  }
  const out: Record<string, unknown> = {}
  for (const f of filters) {
    const q = (path: string, extra = '') => `${path}?${[f, extra].filter((x) => x !== '').join('&')}`
    const counts = decodeAs(QualificationAnswer, await get(q('/v1/views/qualification')))
    const series = decodeAs(SeriesAnswer, await get(q('/v1/analytics/series', `${range(f)}&interval=week&tz=Asia/Kolkata`.replace(/^&/, ''))))
    const funnel = decodeAs(FunnelAnswer, await get(q('/v1/analytics/funnel', 'cohort=month')))
    const list = decodeAs(LeadPage, await get(q('/v1/leads', 'limit=1000')))
    const csv = csvRecords(await text(q('/v1/exports/leads.csv', 'waitMs=5000'))).records
    const ndjson = (await text(q('/v1/exports/leads.ndjson', 'waitMs=5000'))).split('\n').filter((l) => l !== '')
    const n = counts.total
    assert.ok(f === '' || n > 0, `${f}: the scenario has leads for every filter`)
    assert.equal(
      [series.total, funnel.total, list.items.length, csv.length, ndjson.length],
      [n, n, n, n, n],
      `${f}: series, funnel, list, CSV and NDJSON hold the count view's ${n} leads`,
    )
    assert.equal(
      csv.map((r) => r['leadId']),
      list.items.map((l) => l.leadId),
      `${f}: the CSV's rows are the list's`,
    )
    out[`${f} :: counts`] = counts
    out[`${f} :: storefronts`] = await get(q('/v1/views/storefronts'))
    out[`${f} :: campaigns`] = await get(q('/v1/views/campaigns'))
    out[`${f} :: series`] = series
    out[`${f} :: funnel`] = funnel
    out[`${f} :: top`] = await get(q('/v1/analytics/top', 'by=offer&sort=conversion'))
    out[`${f} :: list`] = list
    out[`${f} :: csv`] = csv
    out[`${f} :: ndjson`] = ndjson
  }
  // Every split of the series, the funnel and the top lists once, unfiltered.
  for (const by of ['storefront', 'campaign', 'offer', 'offerKind', 'country', 'action', 'state'])
    out[`series by ${by}`] = await get(`/v1/analytics/series?from=2026-09-01&to=2027-01-01&interval=month&tz=Europe/Berlin&by=${by}`)
  for (const by of ['storefront', 'campaign', 'offer', 'offerKind', 'country'])
    out[`funnel by ${by}`] = await get(`/v1/analytics/funnel?by=${by}&cohort=week&tz=America/New_York`)
  for (const by of ['offer', 'country', 'offerKind', 'storefront', 'campaign'])
    for (const sort of ['leads', 'conversion']) out[`top by ${by} ${sort}`] = await get(`/v1/analytics/top?by=${by}&sort=${sort}`)
  return out
}
