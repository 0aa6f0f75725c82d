// Conformance: the real servers answer as the OpenAPI document says. Every route of the table is called for a
// success and (where it lists one) for a 4xx; each answer's status must be listed and its body must match the
// schema for that status and media type. A table route nobody serves, or a served route missing from the table,
// fails the run.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import * as t from 'io-ts'
import {
  analyticsRoutes,
  BatchAnswer,
  inboundRoutes,
  LeadAccepted,
  openApiDocument,
  operatorRoutes,
  privacyRoutes,
  Rejected,
  routes,
  siteRoutes,
  viewRoutes,
  SubscriptionCreated,
  webhookRoutes,
  type RouteSpec,
} from '@leadstream/api'
import { coverageGaps, send, startApiServers, tokenEnv, type ApiServers, type Call } from '../support/api.js'
import { contract } from '../support/contract.js'
import { decodeAs, http, startTestServer, type TestServer } from '../support/embedded.js'

/**
 * Entries whose handlers other work registers (the analytics routes, the view position, the dashboard). Each
 * must be listed here while no server serves it, and removed once one does: the coverage case checks both ways.
 */
const notServedYet = new Set<string>([])

const doc = openApiDocument()
const check = contract(doc)
const seen = new Map<string, Set<number>>()

interface Ctx {
  server: TestServer
  servers: ApiServers
  /** A dead letter that the lead-source mapping set at the restart makes acceptable. */
  mappable: number
}

/** Calls a route and checks the answer against the document; returns the parsed JSON body (or the text). */
const call = async (ctx: Ctx, spec: RouteSpec, c: Call, expected?: number): Promise<{ status: number; headers: Headers; body: unknown }> => {
  const a = await send(ctx.servers, spec, c)
  const where = `${spec.id} ${spec.method} ${spec.path} → ${a.status}`
  if (expected !== undefined) assert.is(a.status, expected, `${where}: ${a.text.slice(0, 300)}`)
  const listed = spec.responses[a.status]
  assert.ok(listed !== undefined, `${where}: status not in the document (${a.text.slice(0, 200)})`)
  ;(seen.get(spec.id) ?? seen.set(spec.id, new Set()).get(spec.id)!).add(a.status)
  const type = a.headers.get('content-type') ?? ''
  if (listed.json !== undefined) {
    assert.match(type, /^application\/json\b/, `${where}: content-type ${type}`)
    const body: unknown = JSON.parse(a.text)
    const v = check.response(spec, a.status)!
    assert.ok(v(body), `${where}: ${check.errors(v)}`)
    // A request that was wholly accepted must be one the document describes (a 207 holds rejected items).
    if ((a.status === 200 || a.status === 201) && c.body !== undefined && typeof c.body !== 'string') {
      const req = check.request(spec)!
      assert.ok(req(c.body), `${spec.id}: the request the test sent is not what the document describes: ${check.errors(req)}`)
    }
    return { status: a.status, headers: a.headers, body }
  }
  if (listed.media !== undefined && listed.media !== '*/*')
    assert.ok(type.startsWith(listed.media), `${where}: content-type ${type}, documented ${listed.media}`)
  return { status: a.status, headers: a.headers, body: a.text }
}

const native = (n: number, storefront = 'AppSource') => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `api-event-${n}`,
  leadId: `api-lead-${n}`,
  occurredAt: '2026-11-25T10:00:00Z',
  data: { storefront, action: 'INS', offer: { id: 'contoso.crm', title: 'Contoso CRM' }, customer: { firstName: 'Ada', email: `ada${n}@example.com` } },
})
const badNative = { ...native(99), data: { storefront: 'Moon', action: 'INS', offer: {} } }
const marketplace = {
  UserDetails: { FirstName: 'Grace', Email: 'grace@example.com', Country: 'US' },
  LeadSource: 'AzureMarketplace',
  ActionCode: 'PLT',
  OfferTitle: 'Contoso VM',
}
const testDrive = { ...marketplace, UserDetails: { Email: 'td@example.com' }, LeadSource: 'TestDrive', ActionCode: 'StartTestDrive' }

const fresh = (position: number) => ({ minPosition: String(position), waitMs: '10000' })
const ingest = 'ingest' as const
const analyst = 'analyst' as const
const operator = 'operator' as const

const test = suite<Ctx>('openapi conformance', {} as Ctx)

test.before(async (ctx) => {
  // A lead from a source nobody mapped yet becomes a dead letter; the restart below maps it.
  const first = await startTestServer()
  const rejected = await http('POST', `${first.url}${inboundRoutes.submitMarketplaceLeads.path}`, testDrive)
  ctx.mappable = decodeAs(Rejected, rejected.body).deadLetterId
  await first.close()
  ctx.server = await startTestServer(
    { ...tokenEnv, LEADSTREAM_LEAD_SOURCES: 'TestDrive=AzureMarketplace', LEADSTREAM_BODY_LIMIT_BYTES: '65536', LEADSTREAM_RETENTION_DAYS: '3650' },
    first.dataDir,
  )
  ctx.servers = await startApiServers(ctx.server)
})

test.after(async (ctx) => {
  await ctx.servers?.close()
  await ctx.server?.dispose()
})

let position = 0
let rejectedNative = 0

test('site :: health, metrics, the document itself and its page', async (ctx) => {
  await call(ctx, siteRoutes.health, { caller: 'none' }, 200)
  assert.match(String((await call(ctx, siteRoutes.metrics, { caller: 'none' }, 200)).body), /http_request_duration|process_/)
  const served = await call(ctx, siteRoutes.openapi, { caller: 'none' }, 200)
  assert.equal(served.body, JSON.parse(JSON.stringify(doc)), 'the served document is the generated one')
  const page = String((await call(ctx, siteRoutes.docs, { caller: 'none' }, 200)).body)
  for (const r of routes) assert.ok(page.includes(`id="op-${r.id}"`), `the docs page lacks ${r.id}`)
})

test('ingest :: native leads one by one, in batches, repeated, refused', async (ctx) => {
  const r = inboundRoutes.submitLeads
  const first = await call(ctx, r, { caller: ingest, body: native(1) }, 201)
  position = decodeAs(LeadAccepted, first.body).position
  assert.is(first.headers.get('x-log-position'), String(position))
  await call(ctx, r, { caller: ingest, body: native(1) }, 200)
  const mixed = decodeAs(BatchAnswer, (await call(ctx, r, { caller: ingest, body: [native(2), badNative] }, 207)).body)
  assert.equal([mixed.accepted, mixed.rejected], [1, 1])
  await call(ctx, r, { caller: ingest, body: [badNative] }, 400)
  rejectedNative = decodeAs(Rejected, (await call(ctx, r, { caller: ingest, body: badNative }, 400)).body).deadLetterId
  await call(ctx, r, { caller: ingest, body: 'not json' }, 400)
  await call(ctx, r, { caller: ingest, body: JSON.stringify({ pad: 'x'.repeat(70000) }) }, 413)
  await call(ctx, r, { caller: 'none', body: native(3) }, 401)
  await call(ctx, r, { caller: analyst, body: native(3) }, 403)
})

test('ingest :: native lifecycle events: applied, impossible (409), before their lead (parked, 202)', async (ctx) => {
  const r = inboundRoutes.submitLeads
  const event = (type: string, leadId: string, data?: unknown) => ({
    type,
    version: 1,
    eventId: `api-${type}-${leadId}`,
    leadId,
    occurredAt: '2026-11-25T11:00:00Z',
    ...(data === undefined ? {} : { data }),
  })
  await call(ctx, r, { caller: ingest, body: event('LeadContacted', 'api-lead-1', { channel: 'email', by: 'crm' }) }, 201)
  await call(ctx, r, { caller: ingest, body: event('LeadConverted', 'api-lead-1') }, 409)
  await call(ctx, r, { caller: ingest, body: event('LeadQualified', 'api-lead-later') }, 202)
  await call(ctx, operatorRoutes.listParked, { caller: operator }, 200)
  await call(ctx, operatorRoutes.listParked, { caller: operator, query: { limit: '0' } }, 400)
})

test('ingest :: an Idempotency-Key replays the first answer and refuses another request', async (ctx) => {
  const r = inboundRoutes.submitLeads
  const key = { 'idempotency-key': 'api-test-key-1' }
  await call(ctx, r, { caller: ingest, body: native(4), headers: key }, 201)
  const again = await call(ctx, r, { caller: ingest, body: native(4), headers: key }, 201)
  assert.is(again.headers.get('idempotent-replayed'), 'true')
  await call(ctx, r, { caller: ingest, body: native(5), headers: key }, 422)
})

test('ingest :: marketplace leads, commands and the catalogue', async (ctx) => {
  const m = await call(ctx, inboundRoutes.submitMarketplaceLeads, { caller: ingest, body: marketplace }, 201)
  position = Math.max(position, decodeAs(LeadAccepted, m.body).position)
  await call(ctx, inboundRoutes.submitMarketplaceLeads, { caller: ingest, body: {} }, 400)

  const cmd = inboundRoutes.runLeadCommand
  await call(
    ctx,
    cmd,
    { caller: ingest, params: { id: 'api-lead-2' }, body: { type: 'ContactLead', by: 'pat', channel: 'email', occurredAt: '2026-11-25T10:30:00Z' } },
    201,
  )
  await call(ctx, cmd, { caller: ingest, params: { id: 'api-lead-2' }, body: { type: 'ContactLead', by: 'pat' } }, 409)
  await call(ctx, cmd, { caller: ingest, params: { id: 'api-lead-404' }, body: { type: 'QualifyLead', by: 'pat' } }, 404)
  await call(ctx, cmd, { caller: ingest, params: { id: 'api-lead-1' }, body: { type: 'Teleport', by: 'pat' } }, 400)

  const cat = inboundRoutes.classifyOffer
  const entry = { kind: 'saas', by: 'pat', offerId: 'contoso.crm' }
  const classified = await call(ctx, cat, { caller: ingest, body: entry }, 201)
  position = Math.max(position, decodeAs(t.type({ position: t.number }), classified.body).position)
  await call(ctx, cat, { caller: ingest, body: entry }, 200)
  await call(ctx, cat, { caller: ingest, body: { ...entry, kind: 'spaceship' } }, 400)
})

test('views :: counts, the lead list and one lead, fresh to the last write', async (ctx) => {
  for (const r of [viewRoutes.storefronts, viewRoutes.campaigns, viewRoutes.qualification, viewRoutes.leads]) {
    await call(ctx, r, { caller: analyst, query: fresh(position) }, 200)
    await call(ctx, r, { caller: analyst, query: { bogus: '1' } }, 400)
  }
  await call(ctx, viewRoutes.lead, { caller: analyst, params: { id: 'api-lead-1' }, query: fresh(position) }, 200)
  await call(ctx, viewRoutes.lead, { caller: analyst, params: { id: 'api-lead-404' } }, 404)
})

test('analytics :: series, funnel, top lists and the view position', async (ctx) => {
  await call(
    ctx,
    analyticsRoutes.series,
    { caller: analyst, query: { ...fresh(position), from: '2026-11-01', to: '2026-12-01', by: 'storefront', tz: 'Europe/Berlin' } },
    200,
  )
  await call(ctx, analyticsRoutes.series, { caller: analyst, query: { tz: 'Mars/Olympus' } }, 400)
  await call(ctx, analyticsRoutes.funnel, { caller: analyst, query: { ...fresh(position), by: 'storefront', cohort: 'week' } }, 200)
  await call(ctx, analyticsRoutes.funnel, { caller: analyst, query: { cohort: 'decade' } }, 400)
  await call(ctx, analyticsRoutes.top, { caller: analyst, query: { ...fresh(position), by: 'offer', sort: 'conversion' } }, 200)
  await call(ctx, analyticsRoutes.top, { caller: analyst, query: { limit: '0' } }, 400)
  await call(ctx, viewRoutes.position, { caller: analyst }, 200)
  await call(ctx, viewRoutes.position, { caller: analyst, query: { minPosition: 'soon' } }, 400)
})

test('exports and the dashboard :: CSV and NDJSON of the leads, the page and its files', async (ctx) => {
  for (const r of [analyticsRoutes.exportCsv, analyticsRoutes.exportNdjson]) {
    const a = await call(ctx, r, { caller: analyst, query: { ...fresh(position), storefront: 'AppSource' } }, 200)
    assert.ok(String(a.body).includes('api-lead-1'))
    await call(ctx, r, { caller: analyst, query: { storefront: 'Moon' } }, 400)
    await call(ctx, r, { caller: 'none' }, 401)
  }
  assert.match(String((await call(ctx, siteRoutes.dashboard, { caller: 'none' }, 200)).body), /<script type="module" src="\/dashboard\/app.js">/)
  await call(ctx, siteRoutes.dashboardAsset, { caller: 'none', params: { file: 'app.js' } }, 200)
  await call(ctx, siteRoutes.dashboardAsset, { caller: 'none', params: { file: 'chart.umd.min.js' } }, 200)
  await call(ctx, siteRoutes.dashboardAsset, { caller: 'none', params: { file: 'secrets.json' } }, 404)
})

test('operators :: the event store', async (ctx) => {
  await call(ctx, operatorRoutes.listEvents, { caller: operator, query: { after: '0', limit: '10' } }, 200)
  await call(ctx, operatorRoutes.listEvents, { caller: operator, query: { limit: '0' } }, 400)
  await call(ctx, operatorRoutes.getStream, { caller: operator, params: { leadId: 'api-lead-1' } }, 200)
  await call(ctx, operatorRoutes.getStream, { caller: operator, params: { leadId: 'api-lead-404' } }, 404)
  await call(ctx, operatorRoutes.getStream, { caller: operator, params: { leadId: '-bad' } }, 400)
})

test('operators :: dead letters: list, show, replay, discard', async (ctx) => {
  await call(ctx, operatorRoutes.listDeadLetters, { caller: operator, query: { status: 'open' } }, 200)
  await call(ctx, operatorRoutes.listDeadLetters, { caller: operator, query: { status: 'lost' } }, 400)
  await call(ctx, operatorRoutes.getDeadLetter, { caller: operator, params: { id: String(rejectedNative) } }, 200)
  await call(ctx, operatorRoutes.getDeadLetter, { caller: operator, params: { id: '999999' } }, 404)
  const replay = operatorRoutes.replayDeadLetter
  await call(ctx, replay, { caller: operator, params: { id: String(ctx.mappable) } }, 200)
  await call(ctx, replay, { caller: operator, params: { id: String(ctx.mappable) } }, 409)
  await call(ctx, replay, { caller: operator, params: { id: String(rejectedNative) } }, 422)
  await call(ctx, replay, { caller: operator, params: { id: '999999' } }, 404)
  await call(ctx, replay, { caller: operator, params: { id: 'abc' } }, 400)
  await call(ctx, operatorRoutes.discardDeadLetter, { caller: operator, params: { id: String(rejectedNative) } }, 200)
  await call(ctx, operatorRoutes.discardDeadLetter, { caller: operator, params: { id: String(rejectedNative) } }, 409)
})

test('operators :: projections and the relay', async (ctx) => {
  await call(ctx, operatorRoutes.listProjections, { caller: operator }, 200)
  await call(ctx, operatorRoutes.listProjections, { caller: 'none' }, 401)
  const act = operatorRoutes.projectionAction
  await call(ctx, act, { caller: operator, params: { name: 'leads', action: 'pause' } }, 200)
  await call(ctx, act, { caller: operator, params: { name: 'leads', action: 'resume' } }, 200)
  await call(ctx, act, { caller: operator, params: { name: 'leads', action: 'rebuild' } }, 202)
  await call(ctx, act, { caller: operator, params: { name: 'no-such-projection', action: 'pause' } }, 404)
  await call(ctx, operatorRoutes.getRelay, { caller: operator }, 200)
  await call(ctx, operatorRoutes.getRelay, { caller: analyst }, 403)
  await call(ctx, operatorRoutes.reseedRelay, { caller: operator }, 202)
  await call(ctx, operatorRoutes.reseedRelay, { caller: 'none' }, 401)
})

test('webhooks :: subscribe, list, show, deliveries, replay, remove; the payloads documented as webhooks', async (ctx) => {
  const w = webhookRoutes
  const created = await call(
    ctx,
    w.addWebhook,
    { caller: operator, body: { url: 'https://crm.example.com/hooks/leads', events: ['lead.captured'], filters: { storefronts: ['AppSource'] } } },
    201,
  )
  const id = decodeAs(SubscriptionCreated, created.body).subscription.id
  await call(ctx, w.addWebhook, { caller: operator, body: { url: 'http://crm.example.com/hooks/leads' } }, 400)
  await call(ctx, w.addWebhook, { caller: analyst, body: { url: 'https://crm.example.com/hooks/leads' } }, 403)
  await call(ctx, w.listWebhooks, { caller: operator }, 200)
  await call(ctx, w.listWebhooks, { caller: 'none' }, 401)
  await call(ctx, w.getWebhook, { caller: operator, params: { id } }, 200)
  await call(ctx, w.getWebhook, { caller: operator, params: { id: 'wh_none' } }, 404)
  await call(ctx, w.listWebhookDeliveries, { caller: operator, params: { id }, query: { status: 'parked' } }, 200)
  await call(ctx, w.listWebhookDeliveries, { caller: operator, params: { id }, query: { status: 'lost' } }, 400)
  await call(ctx, w.replayWebhook, { caller: operator, params: { id }, body: { fromTime: '2026-01-01T00:00:00Z' } }, 202)
  await call(ctx, w.replayWebhook, { caller: operator, params: { id }, body: { parked: true, fromPosition: 1 } }, 400)
  await call(ctx, w.getWebhookReplay, { caller: operator, params: { id } }, 200)
  await call(ctx, w.getWebhookReplay, { caller: operator, params: { id: 'wh_none' } }, 404)
  await call(ctx, w.removeWebhook, { caller: operator, params: { id } }, 200)
  await call(ctx, w.removeWebhook, { caller: operator, params: { id } }, 404)
  const webhooks = (doc as { webhooks?: Record<string, unknown> }).webhooks ?? {}
  assert.equal(Object.keys(webhooks).sort(), ['lead.action_recorded', 'lead.captured', 'lead.erased', 'lead.state_changed'])
})

test('privacy :: erase, export a subject, the privacy status', async (ctx) => {
  await call(ctx, privacyRoutes.exportSubject, { caller: operator, body: { email: 'ada1@example.com' } }, 200)
  await call(ctx, privacyRoutes.exportSubject, { caller: operator, body: { email: 'nope' } }, 400)
  // Control characters and lone surrogates are refused in an email as in every text field (was: 200, audited).
  await call(ctx, privacyRoutes.exportSubject, { caller: operator, body: { email: 'ada\u0000@example.com' } }, 400)
  await call(ctx, privacyRoutes.erase, { caller: operator, body: { email: '\uD800ada@example.com', by: 'dpo', reason: 'asked' } }, 400)
  await call(ctx, privacyRoutes.erase, { caller: operator, body: { email: 'ada\u0085@example.com', by: 'dpo', reason: 'asked' } }, 400)
  await call(ctx, privacyRoutes.exportSubject, { caller: operator, body: { email: 'ada1@example.com', name: 'Ada' } }, 400)
  await call(ctx, privacyRoutes.exportSubject, { caller: analyst, body: { email: 'ada1@example.com' } }, 403)
  await call(ctx, privacyRoutes.erase, { caller: operator, body: { email: 'ada2@example.com', by: 'dpo', reason: 'asked' } }, 200)
  await call(ctx, privacyRoutes.erase, { caller: operator, body: { email: 'ada2@example.com' } }, 400)
  await call(ctx, privacyRoutes.erase, { caller: 'none', body: { email: 'ada2@example.com', by: 'dpo', reason: 'asked' } }, 401)
  await call(ctx, privacyRoutes.runRetention, { caller: operator }, 200)
  await call(ctx, privacyRoutes.runRetention, { caller: analyst }, 403)
  await call(ctx, privacyRoutes.privacyStatus, { caller: operator }, 200)
  await call(ctx, privacyRoutes.privacyStatus, { caller: ingest }, 403)
})

test('coverage :: every table route is served and was called for a success and a listed 4xx; nothing is served off the table', async (ctx) => {
  const { unserved, unlisted } = coverageGaps(ctx.servers.served)
  assert.equal(unlisted, [], 'served by express but not in the route table (packages/api)')
  assert.equal(
    unserved.filter((id) => !notServedYet.has(id)),
    [],
    'in the route table but served by no server',
  )
  assert.equal(
    [...notServedYet].filter((id) => !unserved.includes(id)),
    [],
    'served now: remove from notServedYet and cover it here',
  )
  for (const r of routes.filter((x) => !notServedYet.has(x.id))) {
    const statuses = [...(seen.get(r.id) ?? [])]
    assert.ok(
      statuses.some((s) => s < 300),
      `${r.id}: never called for a success`,
    )
    const errors = Object.keys(r.responses)
      .map(Number)
      .filter((s) => s >= 400 && s < 500)
    if (errors.length > 0)
      assert.ok(
        statuses.some((s) => s >= 400 && s < 500),
        `${r.id}: never called for an error (${errors.join(', ')})`,
      )
  }
})

test.run()
