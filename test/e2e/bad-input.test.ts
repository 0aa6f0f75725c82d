// Hostile and broken HTTP input on the embedded server: every answer is below 500, names what is wrong, and
// what could not be read is kept in dead letters as received.
import { gzipSync } from 'node:zlib'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { marketplaceLead, rng } from '../support/leads.js'
import { BatchAnswer, DeadLetterView, Problem, Rejected } from '@leadstream/api'
import { getJson, http, itemAt, startTestServer, typed, type TestServer } from '../support/embedded.js'

const test = suite<{ server: TestServer }>('bad input')

test.before(async (ctx) => {
  ctx.server = await startTestServer()
})
test.after(async ({ server }) => server.dispose())

const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels)
const native = (i: number) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `deep-e-${i}`,
  leadId: `deep-n-${i}`,
  occurredAt: '2026-11-25T10:00:00Z',
  data: { storefront: 'AppSource', action: 'PLT', offer: { id: 'contoso.crm' } },
})

const deadLetter = async (url: string, id: number) => (await getJson(DeadLetterView, `${url}/v1/admin/dead-letters/${id}`)).body

test('deep json :: a value nested 10,000 deep is a 400 naming (body), kept verbatim', async ({ server }) => {
  const body = `{"UserDetails":${deep(10000)}}`
  for (const path of ['/v1/marketplace/leads', '/v1/leads', '/v1/catalogue', '/v1/leads/x-1/commands']) {
    const r = typed(Rejected, await http('POST', `${server.url}${path}`, body))
    assert.is(r.status, 400, path)
    assert.is(r.body.error.problems[0]?.path, '(body)', path)
    assert.match(r.body.error.problems[0]?.reason ?? '', /64/)
    assert.is((await deadLetter(server.url, r.body.deadLetterId)).payload, body, 'the dead letter holds the bytes as received')
  }
  const batch = typed(BatchAnswer, await http('POST', `${server.url}/v1/marketplace/leads`, deep(10000)))
  assert.is(batch.status, 400, 'a top-level array is a batch: its one item is refused by index')
  assert.is(itemAt(batch.body, 0, 'rejected').problems[0]?.path, '[0]')
})

test('deep json :: in a batch, the good lead is accepted and the deep item rejected by its index', async ({ server }) => {
  const good = marketplaceLead(7001, rng(3)).payload
  const body = `[${JSON.stringify(good)}, ${deep(10000)}]`
  const r = typed(BatchAnswer, await http('POST', `${server.url}/v1/marketplace/leads`, body))
  assert.is(r.status, 207)
  const [accepted, rejected] = [itemAt(r.body, 0, 'accepted'), itemAt(r.body, 1, 'rejected')]
  assert.is(rejected.problems[0]?.path, '[1]')
  assert.is((await deadLetter(server.url, rejected.deadLetterId)).payload, deep(10000))
  const listed = await http('GET', `${server.url}/v1/leads/${accepted.leadId}?minPosition=${r.body.position}`)
  assert.is(listed.status, 200, 'the lead the answer acknowledged is there')

  const n = typed(BatchAnswer, await http('POST', `${server.url}/v1/leads`, `[${JSON.stringify(native(1))},${deep(10000)}]`))
  assert.is(n.status, 207)
  assert.is(n.body.results[0]?.status, 'accepted')
  assert.is(itemAt(n.body, 1, 'rejected').problems[0]?.path, '[1]')
})

test('deep json :: 64 levels inside a lead are read; 65 are not', async ({ server }) => {
  const nest = (levels: number) => `{"type":"LeadCaptured","x":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`
  const ok = typed(Problem, await http('POST', `${server.url}/v1/leads`, nest(64)))
  assert.is(ok.status, 400)
  assert.is.not(ok.body.error.problems[0]?.path, '(body)', 'read, then refused for its fields')
  const tooDeep = typed(Problem, await http('POST', `${server.url}/v1/leads`, nest(65)))
  assert.is(tooDeep.status, 400)
  assert.is(tooDeep.body.error.problems[0]?.path, '(body)')
})

test('huge values :: a rejected lead with a 2 MB string is answered 400 within seconds, and /healthz meanwhile', async ({ server }) => {
  // Dead letters are scanned for email addresses (for erasure): a regex over the payload was quadratic in a
  // long run of address characters, so 100 kB took 25 s of the event loop and 2 MB hours.
  for (const path of ['/v1/leads', '/v1/marketplace/leads', '/v1/catalogue', '/v1/leads/x-1/commands']) {
    const started = Date.now()
    const answer = http('POST', `${server.url}${path}`, { Description: 'x'.repeat(2_000_000) })
    const health = await http('GET', `${server.url}/healthz`)
    assert.is(health.status, 200)
    const r = typed(Problem, await answer)
    assert.is(r.status, 400, path)
    assert.ok(Date.now() - started < 10_000, `${path} took ${Date.now() - started} ms`)
  }
})

test('percent-encoding :: a path id that is not valid percent-encoding is a 400 naming the parameter', async ({ server }) => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ['GET', '/v1/leads/%ff', 'id'],
    ['POST', '/v1/leads/%ff/commands', 'id'],
    ['GET', '/v1/admin/dead-letters/%ff', 'id'],
    ['POST', '/v1/admin/dead-letters/%E0%A4%A/replay', 'id'],
    ['POST', '/v1/admin/dead-letters/%ff/discard', 'id'],
    ['GET', '/v1/admin/streams/%ff', 'leadId'],
  ]
  for (const [method, path, param] of cases) {
    const r = typed(Problem, await http(method, `${server.url}${path}`, method === 'POST' ? { command: 'Contact' } : undefined))
    assert.is(r.status, 400, `${method} ${path}`)
    assert.is(r.body.error.problems[0]?.path, param, `${method} ${path}`)
  }
})

test('content-encoding :: a corrupt gzip body is a 400 naming Content-Encoding, kept as received (base64)', async ({ server }) => {
  const garbage = Buffer.from('this is not gzip at all')
  const res = await fetch(`${server.url}/v1/marketplace/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: garbage,
  })
  const body = (await res.json()) as { error: { problems: Array<{ path: string }> }; deadLetterId: number }
  assert.is(res.status, 400)
  assert.is(body.error.problems[0]!.path, 'Content-Encoding')
  const d = await deadLetter(server.url, body.deadLetterId)
  assert.is(d.payload, `base64:${garbage.toString('base64')}`)

  const good = await fetch(`${server.url}/v1/marketplace/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(JSON.stringify(marketplaceLead(7002, rng(4)).payload)),
  })
  assert.is(good.status, 201, 'a real gzip body is read')

  const unsupported = await fetch(`${server.url}/v1/marketplace/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'compress' },
    body: garbage,
  })
  assert.is(unsupported.status, 415)
})

test.run()
