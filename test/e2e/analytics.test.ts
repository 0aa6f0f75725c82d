// The analysts' routes end to end on the embedded server: a scenario whose answers were computed by hand
// (capture and transition times chosen so every figure is known), through real HTTP.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { join } from 'node:path'
import { sqliteViewStore } from '@leadstream/view-store'
import type * as t from 'io-ts'
import {
  BatchAnswer,
  CommandAnswer,
  FunnelAnswer,
  LeadPage,
  PositionAnswer,
  Problem,
  ProjectionsAnswer,
  QualificationAnswer,
  SeriesAnswer,
  StorefrontsAnswer,
  TopAnswer,
} from '@leadstream/api'
import { decodeAs, getJson, http, startTestServer, typed, type Answer, type TestServer } from '../support/embedded.js'
import { foldFacts, readEvents, sortFacts } from '../support/fold.js'
import { eventually } from '../support/eventually.js'

const hourMs = 3_600_000
const dayMs = 24 * hourMs

/** A clock the scenario sets before each command, so every transition's `at` is known. */
const settableClock = () => {
  let now = Date.parse('2026-03-28T00:00:00Z')
  return { now: () => new Date(now), set: (iso: string) => void (now = Date.parse(iso)) }
}

const capture = (leadId: string, occurredAt: string, storefront: string, action: string, offer: Record<string, string>, country: string, isTest = false) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `cap-${leadId}`,
  leadId,
  occurredAt,
  data: { storefront, action, offer, customer: { email: `${leadId}@example.com`, country }, isTest },
})

/**
 * L1 AppSource contoso.crm "USA", captured 03-28 22:30Z: contacted +1d, qualified +3d, converted +5d.
 * L2 Azure "Northwind VM" "Germany", 03-29 00:30Z: contacted +2h, disqualified (lost) +4h.
 * L3 Azure "Northwind VM" "IN", WEIRD action, 03-29 18:45Z: disqualified (not-interested) +1d, reopened +2d, contacted +3d.
 * L4 AppSource contoso.crm (id only) "Narnia", 03-30 10:00Z: contacted +1h, nurturing +2h.
 * T1 a test lead, 03-29 12:00Z.
 */
const scenario = async (server: TestServer, clock: ReturnType<typeof settableClock>): Promise<number> => {
  const leads = [
    capture('L1', '2026-03-28T22:30:00Z', 'AppSource', 'PLT', { id: 'contoso.crm', title: 'Contoso CRM' }, 'USA'),
    capture('L2', '2026-03-29T00:30:00Z', 'AzureMarketplace', 'INS', { title: 'Northwind VM' }, 'Germany'),
    capture('L3', '2026-03-29T18:45:00Z', 'AzureMarketplace', 'WEIRD', { title: 'Northwind VM' }, 'IN'),
    capture('L4', '2026-03-30T10:00:00Z', 'AppSource', 'PLT', { id: 'contoso.crm' }, 'Narnia'),
    capture('T1', '2026-03-29T12:00:00Z', 'AppSource', 'PLT', { id: 'contoso.crm' }, 'US', true),
  ]
  let position = typed(BatchAnswer, await http('POST', `${server.url}/v1/leads`, leads)).body.position
  const steps: ReadonlyArray<readonly [string, string, Record<string, string>]> = [
    ['L1', '2026-03-29T22:30:00Z', { type: 'ContactLead' }],
    ['L1', '2026-03-31T22:30:00Z', { type: 'QualifyLead' }],
    ['L1', '2026-04-02T22:30:00Z', { type: 'ConvertLead' }],
    ['L2', '2026-03-29T02:30:00Z', { type: 'ContactLead' }],
    ['L2', '2026-03-29T04:30:00Z', { type: 'DisqualifyLead', reason: 'lost' }],
    ['L3', '2026-03-30T18:45:00Z', { type: 'DisqualifyLead', reason: 'not-interested' }],
    ['L3', '2026-03-31T18:45:00Z', { type: 'ReopenLead' }],
    ['L3', '2026-04-01T18:45:00Z', { type: 'ContactLead' }],
    ['L4', '2026-03-30T11:00:00Z', { type: 'ContactLead' }],
    ['L4', '2026-03-30T12:00:00Z', { type: 'StartNurturing' }],
  ]
  for (const [id, at, command] of steps) {
    clock.set(at)
    const a = await http('POST', `${server.url}/v1/leads/${id}/commands`, { ...command, by: 'sam' })
    assert.ok(a.status < 300, `${id} ${command['type']}: ${JSON.stringify(a.body)}`)
    position = Math.max(position, decodeAs(CommandAnswer, a.body).position)
  }
  return position
}

/** GET a path as fresh as the scenario's last write, decoded with the route's codec. */
type Get = <A>(codec: t.Decoder<unknown, A>, path: string) => Promise<Answer<A>>

const test = suite<{ server: TestServer; get: Get }>('analytics routes')

test.before(async (ctx) => {
  const clock = settableClock()
  ctx.server = await startTestServer({}, undefined, clock.now)
  const position = await scenario(ctx.server, clock)
  clock.set('2026-04-10T00:00:00Z')
  ctx.get = async (codec, path) => getJson(codec, `${ctx.server.url}${path}${path.includes('?') ? '&' : '?'}minPosition=${position}`)
})
test.after(async (ctx) => {
  await ctx.server.dispose()
})

test('series :: days in Europe/Berlin across the spring DST change, split by storefront, empty days as zeros', async ({ get }) => {
  const r = await get(SeriesAnswer, '/v1/analytics/series?from=2026-03-28&to=2026-04-01&tz=Europe/Berlin&by=storefront')
  assert.is(r.status, 200, JSON.stringify(r.body))
  assert.equal(
    r.body.buckets.map((b) => b.start),
    ['2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', '2026-03-31T00:00:00+02:00', '2026-04-01T00:00:00+02:00'],
  )
  assert.equal(
    r.body.buckets.map((b) => b.total),
    [1, 2, 1, 0, 0],
  )
  assert.equal(r.body.groups, ['AppSource', 'AzureMarketplace'])
  assert.equal(r.body.buckets[1]?.groups, { AppSource: 0, AzureMarketplace: 2 })
  assert.equal(r.body.buckets[4]?.groups, { AppSource: 0, AzureMarketplace: 0 })
  assert.is(r.body.total, 4)
  assert.equal(
    [r.body.from, r.body.to, r.body.interval, r.body.tz, r.body.by],
    ['2026-03-28T00:00:00.000Z', '2026-04-01T00:00:00.000Z', 'day', 'Europe/Berlin', 'storefront'],
  )
})

test('series :: days in Asia/Kolkata (UTC+05:30) move leads across midnight', async ({ get }) => {
  const r = await get(SeriesAnswer, '/v1/analytics/series?from=2026-03-28&to=2026-04-01&tz=Asia/Kolkata')
  assert.equal(
    r.body.buckets.map((b) => [b.start, b.total]),
    [
      ['2026-03-28T00:00:00+05:30', 0],
      ['2026-03-29T00:00:00+05:30', 2],
      ['2026-03-30T00:00:00+05:30', 2],
      ['2026-03-31T00:00:00+05:30', 0],
      ['2026-04-01T00:00:00+05:30', 0],
    ],
  )
})

test('series :: totals equal the count views under the same filters; test leads only when asked', async ({ get }) => {
  for (const filter of ['', '&storefront=AzureMarketplace', '&action=other', '&country=us', '&includeTest=true', '&offer=contoso.crm&includeTest=true']) {
    const range = `from=2026-03-28&to=2026-04-01${filter}`
    const series = (await get(SeriesAnswer, `/v1/analytics/series?${range}&by=action`)).body
    const counts = (await get(QualificationAnswer, `/v1/views/qualification?${range}`)).body
    assert.is(series.total, counts.total, filter)
  }
  assert.is((await get(SeriesAnswer, '/v1/analytics/series?from=2026-03-28&to=2026-04-01&includeTest=true')).body.total, 5)
  assert.is((await get(SeriesAnswer, '/v1/analytics/series?from=2026-03-28&to=2026-04-01&offer=Contoso%20CRM')).body.total, 1, 'by title: only L1 carries it')
})

test('series :: bad ranges and unknown values are 400s naming the parameter', async ({ get }) => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['/v1/analytics/series?from=2026-01-01&to=2026-03-01&interval=hour', 'interval'],
    ['/v1/analytics/series?from=2020-01-01&to=2026-03-01&interval=day', 'interval'],
    ['/v1/analytics/series?from=2026-03-02&to=2026-03-01', 'from'],
    ['/v1/analytics/series?tz=Mars/Olympus', 'tz'],
    ['/v1/analytics/series?by=colour', 'by'],
    ['/v1/analytics/series?country=Narnia', 'country'],
    ['/v1/analytics/series?storefront=Amazon', 'storefront'],
    ['/v1/views/storefronts?country=Narnia', 'country'],
    ['/v1/leads?offerKind=toaster', 'offerKind'],
    ['/v1/analytics/funnel?colour=red', 'colour'],
  ]
  for (const [path, param] of cases) {
    const r = await get(Problem, path)
    assert.is(r.status, 400, path)
    assert.ok(
      r.body.error.problems.some((p) => p.path === param),
      `${path}: ${JSON.stringify(r.body)}`,
    )
  }
})

test('filters :: every analyst read refuses a bad value of every filter with a 400 naming it', async ({ server }) => {
  const reads = [
    '/v1/views/storefronts',
    '/v1/views/campaigns',
    '/v1/views/qualification',
    '/v1/leads',
    '/v1/analytics/series',
    '/v1/analytics/funnel',
    '/v1/analytics/top',
    '/v1/exports/leads.csv',
    '/v1/exports/leads.ndjson',
  ]
  const bad: ReadonlyArray<readonly [string, string]> = [
    ['storefront', 'Amazon'],
    ['campaign', 'retargeting'],
    ['offer', ''],
    ['offerKind', 'toaster'],
    ['action', 'A\u0001'],
    ['country', 'Narnia'],
    ['state', 'lost'],
    ['from', 'yesterday'],
    ['to', '2026-13-01'],
    ['includeTest', 'maybe'],
  ]
  for (const path of reads)
    for (const [name, value] of bad) {
      const r = await http('GET', `${server.url}${path}?${name}=${encodeURIComponent(value)}`)
      assert.is(r.status, 400, `${path} ${name}=${value}`)
      assert.equal(
        decodeAs(Problem, r.body).error.problems.map((p) => p.path),
        [name],
        `${path} ${name}=${value}`,
      )
    }
})

test('series :: hour buckets on the Berlin DST day: 23 of them', async ({ get }) => {
  const r = await get(SeriesAnswer, '/v1/analytics/series?from=2026-03-28T23:00:00Z&to=2026-03-29T22:00:00Z&tz=Europe/Berlin&interval=hour')
  assert.is(r.body.buckets.length, 23)
  assert.equal(
    r.body.buckets.slice(1, 3).map((b) => b.start),
    ['2026-03-29T01:00:00+01:00', '2026-03-29T03:00:00+02:00'],
  )
  assert.is(r.body.buckets[1]?.total, 1, 'L2 at 00:30Z = 01:30 CET')
})

test('funnel :: stages reached, rates, nearest-rank median and p90 time to stage, reasons', async ({ get }) => {
  const r = await get(FunnelAnswer, '/v1/analytics/funnel')
  assert.is(r.status, 200, JSON.stringify(r.body))
  const f = r.body
  assert.is(f.total, 4)
  const stages = Object.fromEntries(f.stages.map((s) => [s.stage, s]))
  assert.equal(stages.captured, { stage: 'captured', branch: false, reached: 4, rateFromPrevious: null, medianMs: 0, p90Ms: 0 })
  assert.equal(stages.contacted, { stage: 'contacted', branch: false, reached: 4, rateFromPrevious: 1, medianMs: 2 * hourMs, p90Ms: 3 * dayMs })
  assert.equal(stages.qualified, { stage: 'qualified', branch: false, reached: 1, rateFromPrevious: 0.25, medianMs: 3 * dayMs, p90Ms: 3 * dayMs })
  assert.equal(stages.converted, { stage: 'converted', branch: false, reached: 1, rateFromPrevious: 1, medianMs: 5 * dayMs, p90Ms: 5 * dayMs })
  assert.equal(stages.nurturing, { stage: 'nurturing', branch: true, reached: 1, rateFromPrevious: 0.25, medianMs: 2 * hourMs, p90Ms: 2 * hourMs })
  assert.equal(stages.disqualified, { stage: 'disqualified', branch: true, reached: 2, rateFromPrevious: 0.5, medianMs: 4 * hourMs, p90Ms: dayMs })
  assert.equal(f.disqualificationReasons, { lost: 1 }, 'the reopened lead is no longer disqualified')
  assert.equal(f.cohorts, [
    { start: '2026-03-01T00:00:00+00:00', captured: 4, reached: { captured: 4, contacted: 4, qualified: 1, converted: 1, nurturing: 1, disqualified: 2 } },
  ])
})

test('funnel :: week cohorts and groups by storefront', async ({ get }) => {
  const f = (await get(FunnelAnswer, '/v1/analytics/funnel?cohort=week&by=storefront')).body
  assert.equal(
    f.cohorts.map((c) => [c.start, c.captured]),
    [
      ['2026-03-23T00:00:00+00:00', 3],
      ['2026-03-30T00:00:00+00:00', 1],
    ],
  )
  assert.equal(
    f.groups.map((g) => [g.key, g.total]),
    [
      ['AppSource', 2],
      ['AzureMarketplace', 2],
    ],
  )
  const azure = f.groups[1]?.stages.find((s) => s.stage === 'disqualified')
  assert.is(azure?.reached, 2)
})

test('top :: offers by leads and by conversion, countries with their names', async ({ get }) => {
  const byLeads = (await get(TopAnswer, '/v1/analytics/top?by=offer')).body
  assert.equal(byLeads.rows, [
    { key: 'Northwind VM', label: 'Northwind VM', leads: 2, contacted: 2, qualified: 0, converted: 0, conversionRate: 0 },
    { key: 'contoso.crm', label: 'Contoso CRM', leads: 2, contacted: 2, qualified: 1, converted: 1, conversionRate: 0.5 },
  ])
  const byConversion = (await get(TopAnswer, '/v1/analytics/top?by=offer&sort=conversion&limit=1')).body
  assert.equal(
    byConversion.rows.map((r) => r.key),
    ['contoso.crm'],
  )
  const countries = (await get(TopAnswer, '/v1/analytics/top?by=country')).body
  assert.equal(
    countries.rows.map((r) => [r.key, r.label]),
    [
      ['DE', 'Germany'],
      ['IN', 'India'],
      ['US', 'United States'],
      ['unknown', 'unknown'],
    ],
  )
})

test('filters :: count views, the lead list and the position route take every filter', async ({ get }) => {
  const us = (await get(StorefrontsAnswer, '/v1/views/storefronts?country=United%20States')).body
  assert.is(us.storefronts['AppSource']?.total, 1)
  assert.is(us.storefronts['AppSource']?.byState['converted'], 1)
  assert.is(us.storefronts['AzureMarketplace']?.total, 0)
  assert.equal((await get(QualificationAnswer, '/v1/views/qualification?country=unknown')).body.states['nurturing'], 1)
  const ids = async (q: string) => (await get(LeadPage, `/v1/leads?${q}`)).body.items.map((l) => l.leadId)
  assert.equal(await ids('offer=Northwind%20VM'), ['L3', 'L2'])
  assert.equal(await ids('offer=contoso.crm'), ['L4', 'L1'])
  assert.equal(await ids('action=other'), ['L3'])
  assert.equal(await ids('action=WEIRD'), ['L3'])
  assert.equal(await ids('action=INS'), ['L2'])
  assert.equal(await ids('country=DEU'), ['L2'])
  assert.equal(await ids('from=2026-03-29&to=2026-03-30T00:00:00Z'), ['L3', 'L2'])
  assert.equal(await ids('state=contacted&campaign=demand-generation'), ['L3'])
  assert.equal(await ids('offer=contoso.crm&includeTest=true&limit=1'), ['L4'])
  const p = await get(PositionAnswer, '/v1/views/position')
  assert.is(p.status, 200)
  assert.ok(p.body.position > 0)
  assert.is(p.headers.get('x-view-position'), String(p.body.position))
})

test('rebuild :: the rebuilt analytics projection equals a fold of the log, and answers the same', async ({ server, get }) => {
  const before = { funnel: (await get(FunnelAnswer, '/v1/analytics/funnel?by=country')).body, top: (await get(TopAnswer, '/v1/analytics/top?by=offer')).body }
  assert.is((await http('POST', `${server.url}/v1/admin/projections/leads/rebuild`)).status, 202)
  const status = await eventually(
    'the rebuilt generation to go live',
    async () => {
      const r = (await getJson(ProjectionsAnswer, `${server.url}/v1/admin/projections`)).body.projections[0]?.registry
      return r?.live === 2 && r.building === null ? r : undefined
    },
    60000,
    100,
  )
  assert.is(status.live, 2, 'the rebuilt generation went live')
  const rebuilt = sqliteViewStore({ path: join(server.dataDir, 'views-g2.db') })
  try {
    assert.equal(sortFacts(await rebuilt.facts({ includeTest: true })), foldFacts(readEvents(server.dataDir)))
  } finally {
    await rebuilt.close()
  }
  assert.equal((await get(FunnelAnswer, '/v1/analytics/funnel?by=country')).body, before.funnel)
  assert.equal((await get(TopAnswer, '/v1/analytics/top?by=offer')).body, before.top)
})

test.run()
