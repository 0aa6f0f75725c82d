// End to end on the embedded default: real HTTP server on loopback, real SQLite files.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as t from 'io-ts'
import { expectedByStorefront, malformedLeads, marketplaceLead, rng, type GeneratedLead } from '../support/leads.js'
import {
  BatchAnswer,
  CampaignsAnswer,
  CommandAnswer,
  DeadLetterPage,
  Health,
  LeadAccepted,
  LeadAnswer,
  LeadPage,
  Problem,
  ProjectionStatusView,
  QualificationAnswer,
  Rejected,
  StorefrontsAnswer,
  Written,
  type CountBlock,
} from '@leadstream/api'
import { decodeAs, getJson, http, startTestServer, typed, type TestServer } from '../support/embedded.js'

const test = suite<{ server: TestServer; leads: GeneratedLead[]; position: number }>('embedded pipeline')

test.before(async (ctx) => {
  ctx.server = await startTestServer()
  const r = rng(7)
  const leads: GeneratedLead[] = []
  for (let i = 0; i < 300; i++) leads.push(marketplaceLead(i, r, { upperCaseKeys: i % 2 === 0 }))
  for (let i = 0; i < 10; i++) leads.push(marketplaceLead(1000 + i, r, { test: true }))
  // re-deliveries: the same payloads again, inside the same batches
  for (let i = 0; i < 40; i++) leads.push(leads[i * 7]!)
  ctx.leads = leads
  ctx.position = 0
})
test.after(async ({ server }) => server.dispose())

/** The embedded server's health carries its projection's status, as the projector's admin route answers it. */
const EmbeddedHealth = t.type({ projections: t.readonlyArray(ProjectionStatusView) })
const projectorOf = (health: unknown) => decodeAs(EmbeddedHealth, health, 'the health answer').projections[0]
const projectedHead = async (url: string) => projectorOf((await http('GET', `${url}/healthz`)).body)?.generations[0]?.head

/** Both storefronts' counts (the view always lists both). */
const views = async (url: string, position: number, includeTest = false): Promise<Record<'AppSource' | 'AzureMarketplace', CountBlock>> => {
  const { storefronts } = (await getJson(StorefrontsAnswer, `${url}/v1/views/storefronts?minPosition=${position}&includeTest=${includeTest}`)).body
  return { AppSource: storefronts['AppSource']!, AzureMarketplace: storefronts['AzureMarketplace']! }
}

test('marketplace :: a mixed delivery gives the right counts in every view', async (ctx) => {
  const { server, leads } = ctx
  const bad = malformedLeads()
  const body = [...leads.map((l) => l.payload), ...bad]
  // in three batches, the bad ones in the last
  let accepted = 0
  let duplicates = 0
  let rejected = 0
  for (let i = 0; i < body.length; i += 120) {
    const a = typed(BatchAnswer, await http('POST', `${server.url}/v1/marketplace/leads`, body.slice(i, i + 120)))
    assert.ok([200, 207].includes(a.status), `batch answered ${a.status}`)
    accepted += a.body.accepted
    duplicates += a.body.duplicates
    rejected += a.body.rejected
    ctx.position = Math.max(ctx.position, a.body.position)
  }
  const identities = new Set(leads.map((l) => l.identity))
  const expectedEvents = new Set(leads.map((l) => `${l.identity}|${l.action}`)).size
  assert.is(accepted, expectedEvents, 'one event per distinct (lead, action)')
  assert.is(duplicates, leads.length - expectedEvents)
  assert.is(rejected, bad.length)
  const storefronts = await views(server.url, ctx.position)
  const expected = expectedByStorefront(leads, false)
  for (const sf of ['AppSource', 'AzureMarketplace'] as const) {
    assert.is(storefronts[sf].total, expected[sf]!.total, `${sf} total`)
    assert.is(storefronts[sf].byState.captured, expected[sf]!.total, `${sf} all captured`)
    for (const [bucket, n] of Object.entries(expected[sf]!.actions)) assert.is(storefronts[sf].byAction[bucket], n, `${sf} ${bucket}`)
    assert.is(storefronts[sf].byOfferKind.unclassified, expected[sf]!.total)
  }
  assert.is(storefronts.AzureMarketplace.otherActions['WEIRD_NEW_CODE'], expected['AzureMarketplace']!.actions['other'] ?? 0)
  const withTest = await views(server.url, ctx.position, true)
  const expectedWithTest = expectedByStorefront(leads, true)
  assert.is(withTest.AppSource.total + withTest.AzureMarketplace.total, expectedWithTest['AppSource']!.total + expectedWithTest['AzureMarketplace']!.total)
  assert.is(
    identities.size,
    expectedWithTest['AppSource']!.total + expectedWithTest['AzureMarketplace']!.total,
    'test leads are kept, just not counted by default',
  )
  const campaigns = (await getJson(CampaignsAnswer, `${server.url}/v1/views/campaigns?minPosition=${ctx.position}`)).body.campaigns
  assert.is(campaigns['nurture']?.total, expected['AppSource']!.total)
  assert.is(campaigns['demand-generation']?.total, expected['AzureMarketplace']!.total)
  const q = (await getJson(QualificationAnswer, `${server.url}/v1/views/qualification?minPosition=${ctx.position}`)).body
  assert.is(q.total, expected['AppSource']!.total + expected['AzureMarketplace']!.total)
  assert.is(q.states['captured'], q.total)
  const dead = (await getJson(DeadLetterPage, `${server.url}/v1/admin/dead-letters?status=open`)).body
  assert.is(dead.items.length, bad.length, 'every rejected lead is in dead letters')
  assert.ok(dead.items.some((d) => d.problems.some((p) => p.reason.includes('"Bing"'))))
})

test('marketplace :: posting everything again changes nothing', async (ctx) => {
  const { server, leads } = ctx
  const before = await views(server.url, ctx.position, true)
  const head = await projectedHead(server.url)
  const a = typed(
    BatchAnswer,
    await http(
      'POST',
      `${server.url}/v1/marketplace/leads`,
      leads.map((l) => l.payload),
    ),
  )
  assert.is(a.status, 200)
  assert.is(a.body.accepted, 0)
  assert.is(a.body.duplicates, leads.length)
  assert.is(await projectedHead(server.url), head, 'no event written')
  assert.equal(await views(server.url, ctx.position, true), before)
})

test('commands :: a qualification moves the counts; an impossible one is a 409 kept in dead letters', async (ctx) => {
  const { server } = ctx
  const page = (await getJson(LeadPage, `${server.url}/v1/leads?storefront=AppSource&state=captured&limit=5&minPosition=${ctx.position}`)).body
  assert.is(page.items.length, 5)
  const before = await views(server.url, ctx.position)
  let position = 0
  for (const lead of page.items) {
    const a = typed(CommandAnswer, await http('POST', `${server.url}/v1/leads/${lead.leadId}/commands`, { type: 'ContactLead', by: 'sam' }))
    assert.is(a.status, 201)
    position = a.body.position
  }
  const after = await views(server.url, position)
  assert.is(after.AppSource.byState['captured'], before.AppSource.byState['captured']! - 5)
  assert.is(after.AppSource.byState.contacted, 5)
  assert.is(after.AppSource.total, before.AppSource.total)
  const id = page.items[0]!.leadId
  const bad = typed(Rejected, await http('POST', `${server.url}/v1/leads/${id}/commands`, { type: 'ConvertLead', by: 'sam' }))
  assert.is(bad.status, 409)
  assert.is(bad.body.error.code, 'TransitionNotAllowed')
  assert.ok(bad.body.deadLetterId > 0)
  const detail = (await getJson(LeadAnswer, `${server.url}/v1/leads/${id}?minPosition=${position}`)).body
  assert.is(detail.lead.state, 'contacted')
  assert.equal(detail.history.map((h) => h.type).slice(-1), ['LeadContacted'])
  assert.is(detail.history.at(-1)?.by, 'sam')
  const missing = await http('POST', `${server.url}/v1/leads/no-such-lead/commands`, { type: 'ContactLead', by: 'sam' })
  assert.is(missing.status, 404)
})

test('catalogue :: naming an offer kind moves its leads out of unclassified', async (ctx) => {
  const { server } = ctx
  const before = await views(server.url, ctx.position)
  const a = typed(Written, await http('POST', `${server.url}/v1/catalogue`, { offerTitle: 'Contoso CRM', kind: 'saas', by: 'publisher' }))
  assert.is(a.status, 201)
  const after = await views(server.url, a.body.position)
  const moved = after.AppSource.byOfferKind['saas']! + after.AzureMarketplace.byOfferKind['saas']!
  assert.ok(moved > 0)
  assert.is(
    after.AppSource.byOfferKind['unclassified']! + after.AzureMarketplace.byOfferKind['unclassified']!,
    before.AppSource.total + before.AzureMarketplace.total - moved,
  )
  const again = typed(Written, await http('POST', `${server.url}/v1/catalogue`, { offerTitle: 'contoso crm', kind: 'saas', by: 'publisher' }))
  assert.is(again.body.status, 'duplicate')
  const listed = (await getJson(LeadPage, `${server.url}/v1/leads?offerKind=saas&limit=1000&minPosition=${a.body.position}`)).body.items
  assert.is(listed.length, moved)
  assert.ok(listed.every((l) => l.offer.title === 'Contoso CRM'))
})

test('bad input :: malformed JSON, unknown event type, bad query and bad cursor name the field', async (ctx) => {
  const { server } = ctx
  const malformed = typed(Problem, await http('POST', `${server.url}/v1/leads`, '{"type": '))
  assert.is(malformed.status, 400)
  assert.is(malformed.body.error.problems[0]?.path, '(body)')
  const unknown = typed(Problem, await http('POST', `${server.url}/v1/leads`, { type: 'LeadTeleported', version: 1 }))
  assert.is(unknown.status, 400)
  assert.is(unknown.body.error.problems[0]?.path, 'type')
  const wrongType = typed(
    BatchAnswer,
    await http('POST', `${server.url}/v1/leads`, [
      {
        type: 'LeadCaptured',
        version: 1,
        eventId: 'e-1',
        leadId: 'n-1',
        occurredAt: '2026-11-25T10:00:00Z',
        data: { storefront: 'AppSource', action: 'PLT', offer: { id: 'contoso.crm' } },
      },
      { type: 'LeadCaptured', version: 1, eventId: 'e-2', leadId: 'n-2', occurredAt: 'yesterday', data: { storefront: 'Moon', action: 'PLT', offer: {} } },
    ]),
  )
  assert.is(wrongType.status, 207)
  const second = wrongType.body.results[1]
  const paths = second?.status === 'rejected' ? second.problems.map((p) => p.path) : []
  assert.ok(paths.includes('[1].occurredAt'), paths.join())
  assert.ok(paths.includes('[1].data.storefront'), paths.join())
  const badQuery = typed(Problem, await http('GET', `${server.url}/v1/leads?state=sleeping`))
  assert.is(badQuery.status, 400)
  assert.is(badQuery.body.error.problems[0]?.path, 'state')
  const typo = await http('GET', `${server.url}/v1/leads?stat=captured`)
  assert.is(typo.status, 400)
  const badCursor = typed(Problem, await http('GET', `${server.url}/v1/leads?cursor=nonsense`))
  assert.is(badCursor.status, 400)
  assert.is(badCursor.body.error.problems[0]?.path, 'cursor')
  const tooFresh = await http('GET', `${server.url}/v1/views/storefronts?minPosition=999999999&waitMs=50`)
  assert.is(tooFresh.status, 503)
  const dead = (await getJson(DeadLetterPage, `${server.url}/v1/admin/dead-letters?limit=1000`)).body.items
  assert.ok(
    dead.some((d) => d.payload === '{"type": '),
    'the unreadable body is kept verbatim',
  )
})

test('idempotency :: a repeated Idempotency-Key replays the first answer; a reused key on another body is 422', async (ctx) => {
  const { server } = ctx
  const lead = marketplaceLead(5000, rng(1)).payload
  const first = typed(LeadAccepted, await http('POST', `${server.url}/v1/marketplace/leads`, lead, { 'idempotency-key': 'k-1' }))
  assert.is(first.status, 201)
  const again = typed(LeadAccepted, await http('POST', `${server.url}/v1/marketplace/leads`, lead, { 'idempotency-key': 'k-1' }))
  assert.is(again.status, 201)
  assert.is(again.headers.get('idempotent-replayed'), 'true')
  assert.equal(again.body, first.body)
  const other = await http('POST', `${server.url}/v1/marketplace/leads`, marketplaceLead(5001, rng(2)).payload, { 'idempotency-key': 'k-1' })
  assert.is(other.status, 422)
})

test('metrics and health :: Prometheus text with lead counters; health reports the projector', async (ctx) => {
  const m = await http('GET', `${ctx.server.url}/metrics`)
  assert.is(m.status, 200)
  assert.match(String(m.body), /leadstream_leads_received_total\{format="marketplace",outcome="accepted"\} \d+/)
  const h = await getJson(Health, `${ctx.server.url}/healthz`)
  assert.is(h.body.ok, true)
  assert.is(projectorOf(h.body)?.generations[0]?.state, 'live')
})

test.run()

const limits = suite('limits and roles')

limits('bad input :: an oversized body is a 413 naming the limit, kept as a dead letter', async () => {
  const server = await startTestServer({ LEADSTREAM_BODY_LIMIT_BYTES: '2048' })
  try {
    const big = Array.from({ length: 50 }, (_, i) => marketplaceLead(i, rng(3)).payload)
    const a = typed(Rejected, await http('POST', `${server.url}/v1/marketplace/leads`, big))
    assert.is(a.status, 413)
    assert.match(a.body.error.problems[0]?.reason ?? '', /2048/)
    const dead = (await getJson(DeadLetterPage, `${server.url}/v1/admin/dead-letters`)).body.items
    assert.is(dead.length, 1)
  } finally {
    await server.dispose()
  }
})

limits('roles :: with tokens configured, each route needs its role; operator may do all', async () => {
  const server = await startTestServer({ LEADSTREAM_INGEST_TOKENS: 'in-1', LEADSTREAM_ANALYST_TOKENS: 'an-1', LEADSTREAM_OPERATOR_TOKENS: 'op-1' })
  try {
    const lead = marketplaceLead(1, rng(4)).payload
    const post = (token?: string) => http('POST', `${server.url}/v1/marketplace/leads`, lead, token === undefined ? {} : { authorization: `Bearer ${token}` })
    assert.is((await post()).status, 401)
    assert.is((await post('nope')).status, 401)
    assert.is((await post('an-1')).status, 403)
    assert.is((await post('in-1')).status, 201)
    const get = (path: string, token: string) => http('GET', `${server.url}${path}`, undefined, { authorization: `Bearer ${token}` })
    assert.is((await get('/v1/views/storefronts', 'in-1')).status, 403)
    assert.is((await get('/v1/views/storefronts', 'an-1')).status, 200)
    assert.is((await get('/v1/admin/dead-letters', 'an-1')).status, 403)
    assert.is((await get('/v1/admin/dead-letters', 'op-1')).status, 200)
    assert.is((await get('/v1/views/storefronts', 'op-1')).status, 200)
    assert.is((await http('GET', `${server.url}/healthz`)).status, 200, 'health needs no token')
  } finally {
    await server.dispose()
  }
})

limits('roles :: with no tokens the server listens on 127.0.0.1 even when asked for another address', async () => {
  const server = await startTestServer({ LEADSTREAM_HOST: '0.0.0.0' })
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  } finally {
    await server.dispose()
  }
})

limits.run()
