// The dashboard served by the query API as its own process (the distributed mode), in Chromium: the embedded
// server writes PostgreSQL views, a query API process serves them, and its page shows the API's figures and
// a lead posted to the writer while the page is open, without a reload.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LeadPage, QualificationAnswer } from '@leadstream/api'
import { launchChromium, requireChromium } from '../support/browser.js'
import { getJson, http, startTestServer, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { startService, type Service } from '../support/services.js'
import { figure, refreshed, shot, shownLeadIds } from './page.js'
import { scenario } from './scenario.js'

const chromium = requireChromium('dashboard on the query API')
const pgUrl = await requirePostgres('dashboard on the query API')

interface Ctx {
  writer: TestServer
  query: Service
  queryDir: string
  schema: string
  browser: Browser
}

const test = suite<Ctx>('dashboard :: on the query API')

if (chromium !== null && pgUrl !== null) {
  test.before(async (ctx) => {
    ctx.schema = `qapi_dash_${process.pid}_${Date.now().toString(36)}`
    const views = { LEADSTREAM_VIEW_STORE: 'postgres', LEADSTREAM_POSTGRES_URL: pgUrl, LEADSTREAM_POSTGRES_SCHEMA: ctx.schema }
    ctx.writer = await startTestServer(views)
    await scenario(ctx.writer.url, 60)
    // The query API has a data dir of its own (its dead letters): the views are all it shares with the writer.
    ctx.queryDir = mkdtempSync(join(tmpdir(), 'leadstream-query-dash-'))
    ctx.query = await startService('query-api', { ...views, LEADSTREAM_DATA_DIR: ctx.queryDir, LEADSTREAM_PORT: '0', LEADSTREAM_LOG_LEVEL: 'warn' }, 90_000)
    ctx.browser = await launchChromium(chromium)
  })
  test.after(async (ctx) => {
    await ctx.browser?.close()
    ctx.query?.kill('SIGTERM')
    await ctx.query?.exited
    await ctx.writer?.dispose()
    if (ctx.queryDir !== undefined) rmSync(ctx.queryDir, { recursive: true, force: true })
    if (pgUrl !== null && ctx.schema !== undefined) await dropSchemas(pgUrl, [ctx.schema])
  })

  test("query API :: serves the page and its chart library; the figures are the writer's, and a new lead shows live", async ({ writer, query, browser }) => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    await refreshed(page, () => page.goto(`${query.url}/`))
    const total = (await getJson(QualificationAnswer, `${writer.url}/v1/views/qualification`)).body.total
    assert.is(total, 60)
    assert.is(await figure(page, 'total'), total)
    assert.equal(
      await shownLeadIds(page),
      (await getJson(LeadPage, `${writer.url}/v1/leads?limit=25`)).body.items.map((l) => l.leadId),
    )
    assert.is(await page.evaluate(() => typeof (globalThis as { Chart?: unknown }).Chart), 'function', 'chart.js loaded from the query API')
    const posted = await http('POST', `${writer.url}/v1/leads`, {
      type: 'LeadCaptured',
      version: 1,
      eventId: 'qapi-live-1',
      leadId: 'qapi-live-lead-1',
      occurredAt: new Date().toISOString(),
      data: { storefront: 'AppSource', action: 'PLT', offer: { title: 'Contoso CRM' }, customer: { firstName: 'Quinn', email: 'quinn@example.com' } },
    })
    assert.ok([200, 201].includes(posted.status), JSON.stringify(posted.body))
    const t0 = Date.now()
    await eventually('the new lead on the query API page', async () => ((await shownLeadIds(page)).includes('qapi-live-lead-1') ? true : undefined), 5000)
    assert.ok(Date.now() - t0 <= 2000, `appeared after ${Date.now() - t0} ms`)
    assert.is(await figure(page, 'total'), total + 1)
    await shot(page, 'query-api')
    await page.close()
  })
}

test.run()
