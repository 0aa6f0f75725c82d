// Partner Center posts leads to a pasted URL with no header: a webhook secret in `?code=` stands in for the
// ingest token on POST /v1/marketplace/leads only, and never shows in dead letters or metrics.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DeadLetterView, LeadAccepted, Problem, Rejected, routes, StorefrontsAnswer } from '@leadstream/api'
import { getJson, http, startTestServer, typed, type TestServer } from '../support/embedded.js'
import { startService } from '../support/services.js'

const test = suite<{ server: TestServer }>('marketplace webhook secret')

const OLD = 'old-secret-Zq81'
const NEW = 'new-secret-Pk27'
const operator = { authorization: 'Bearer op-token' }

test.before(async (ctx) => {
  ctx.server = await startTestServer({
    LEADSTREAM_INGEST_TOKENS: 'in-token',
    LEADSTREAM_OPERATOR_TOKENS: 'op-token',
    LEADSTREAM_MARKETPLACE_SECRETS: `${OLD}, ${NEW}`,
  })
})
test.after(async ({ server }) => server.dispose())

/** What Partner Center's "validate" button sends (names, email, company and description carry MSFT_TEST). */
const partnerCenterTest = {
  UserDetails: {
    FirstName: 'MSFT_TEST_636573304831318844',
    LastName: 'MSFT_TEST_636573304831318844',
    Email: 'MSFT_TEST_636573304831318844@example.com',
    Phone: '1234567890',
    Country: 'USA',
    Company: 'MSFT_TEST_636573304831318844',
    Title: 'MSFT_TEST_636573304831318844',
  },
  LeadSource: 'AzureMarketplace',
  ActionCode: 'INS',
  OfferTitle: 'Contoso CRM',
  Description: 'MSFT_TEST_636573304831318844',
}

test('code :: a Partner Center test lead posted with ?code= is accepted and left out of counts', async ({ server }) => {
  const r = typed(LeadAccepted, await http('POST', `${server.url}/v1/marketplace/leads?code=${NEW}`, partnerCenterTest))
  assert.is(r.status, 201)
  const counts = await getJson(StorefrontsAnswer, `${server.url}/v1/views/storefronts?minPosition=${r.body.position}`, operator)
  assert.is(counts.body.storefronts['AzureMarketplace']?.total, 0, 'a test lead is not counted')
  const withTest = await getJson(StorefrontsAnswer, `${server.url}/v1/views/storefronts?includeTest=true`, operator)
  assert.is(withTest.body.storefronts['AzureMarketplace']?.total, 1, 'it is stored')
  const again = await http('POST', `${server.url}/v1/marketplace/leads?code=${encodeURIComponent(OLD)}`, partnerCenterTest)
  assert.is(again.status, 200, 'every configured secret is accepted (rotation)')
})

test('code :: a wrong or repeated code is 401; the code opens no other route', async ({ server }) => {
  const wrong = typed(Problem, await http('POST', `${server.url}/v1/marketplace/leads?code=${NEW}x`, partnerCenterTest))
  assert.is(wrong.status, 401)
  assert.is(wrong.body.error.problems[0]?.path, 'code')
  assert.is((await http('POST', `${server.url}/v1/marketplace/leads?code=${NEW}&code=${OLD}`, partnerCenterTest)).status, 401)
  assert.is((await http('POST', `${server.url}/v1/marketplace/leads`, partnerCenterTest)).status, 401, 'without a code, the bearer token is required')
  assert.is((await http('POST', `${server.url}/v1/marketplace/leads`, partnerCenterTest, { authorization: 'Bearer in-token' })).status, 200)
  assert.is((await http('POST', `${server.url}/v1/leads?code=${NEW}`, { type: 'LeadCaptured' })).status, 401)
  assert.is((await http('GET', `${server.url}/v1/leads?code=${NEW}`)).status, 401)
})

test('code :: the secret shows in no dead letter and no metric', async ({ server }) => {
  const bad = typed(
    Rejected,
    await http('POST', `${server.url}/v1/marketplace/leads?code=${NEW}`, { LeadSource: 'Bing', OfferTitle: 'x', UserDetails: { Email: 'a@b.c' } }),
  )
  assert.is(bad.status, 400)
  const letter = await getJson(DeadLetterView, `${server.url}/v1/admin/dead-letters/${bad.body.deadLetterId}`, operator)
  assert.is(letter.body.source, 'http:/v1/marketplace/leads')
  const unreadable = await http('POST', `${server.url}/v1/marketplace/leads?code=${NEW}`, '{"no')
  assert.is(unreadable.status, 400)
  const dead = await http('GET', `${server.url}/v1/admin/dead-letters?limit=1000`, undefined, operator)
  assert.not.match(JSON.stringify(dead.body), NEW)
  const metrics = String((await http('GET', `${server.url}/metrics`)).body)
  assert.match(metrics, /route="\/v1\/marketplace\/leads"/)
  assert.not.match(metrics, NEW)
  assert.not.match(metrics, OLD)
})

test('code :: the secret shows in no log line, at debug level, whatever route it is sent to and however the request fails', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-secret-log-'))
  const child = await startService('embedded', {
    LEADSTREAM_DATA_DIR: dataDir,
    LEADSTREAM_PORT: '0',
    LEADSTREAM_LOG_LEVEL: 'debug',
    LEADSTREAM_PROJECTOR_THREAD: 'inline',
    LEADSTREAM_INGEST_TOKENS: 'in-token',
    LEADSTREAM_MARKETPLACE_SECRETS: NEW,
  })
  try {
    const bodies = [partnerCenterTest, { LeadSource: 'Bing' }, '{"no', `[${'['.repeat(5000)}`]
    for (const r of routes)
      for (const body of r.method === 'GET' ? [undefined] : bodies) {
        const path = r.path.replace(/\{[A-Za-z0-9_]+\}/g, '%ff')
        await http(r.method, `${child.url}${path}?code=${NEW}`, body)
        await http(r.method, `${child.url}${r.path.replace(/\{[A-Za-z0-9_]+\}/g, 'x1')}?code=${NEW}&limit=0`, body)
      }
    await http('PATCH', `${child.url}/v1/marketplace/leads?code=${NEW}`)
    await http('GET', `${child.url}/nowhere?code=${NEW}`)
    assert.ok(child.output().length > 0, 'the process logged something')
    assert.not.ok(child.output().includes(NEW), `the secret is in the log:\n${child.output().slice(0, 2000)}`)
  } finally {
    child.kill('SIGTERM')
    await child.exited
    rmSync(dataDir, { recursive: true, force: true })
  }
})

test.run()
