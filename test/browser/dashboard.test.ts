// The analysts' dashboard in a real headless Chromium against the embedded server: the page's figures equal
// the API's, filters change the table and the charts, the export downloads the filtered rows, a new lead
// appears without a reload, the page works offline. Screenshots of each view go to test/output/dashboard/
// (navigation.test.ts: paging, ranges, keyboard, widths; tokens.test.ts: the page with tokens configured).
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { requireChromium } from '../support/browser.js'
import { csvRecords } from '../support/csv.js'
import { http } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { closeDashboard, type Dashboard, figure, json, loose, openDashboard, refreshed, shot, shownLeadIds, tableCells } from './page.js'

const chromium = requireChromium('dashboard browser test')

// The functions given to page.evaluate run in the page. The test's TypeScript settings have no DOM types, so
// these name the browser globals they use; `any` because their real types are the DOM library's.
// biome-ignore-start lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load
declare const document: any
declare const window: any
// biome-ignore-end lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load

const test = suite<Dashboard>('dashboard :: in Chromium')

if (chromium !== null) {
  test.before(async (ctx) => {
    Object.assign(ctx, await openDashboard(chromium))
  })
  test.after(closeDashboard)
  test("overview :: the totals, the split, the funnel, the series and the top lists equal the API's answers", async ({ page, server, facts }) => {
    const base = `${server.url}`
    const storefronts = await json(`${base}/v1/views/storefronts`)
    const campaigns = await json(`${base}/v1/views/campaigns`)
    const qualification = await json(`${base}/v1/views/qualification`)
    assert.is(qualification.total, facts.leads, 'the scenario is what the API sees')
    assert.is(await figure(page, 'total'), qualification.total)
    assert.is(await figure(page, 'AppSource'), storefronts.storefronts.AppSource.total)
    assert.is(await figure(page, 'AzureMarketplace'), storefronts.storefronts.AzureMarketplace.total)
    assert.is(await figure(page, 'nurture'), campaigns.campaigns.nurture.total)
    assert.is(await figure(page, 'demand-generation'), campaigns.campaigns['demand-generation'].total)
    assert.is(await figure(page, 'converted'), qualification.states.converted)
    // The split table has a row per state (after the totals) and a column per storefront and campaign.
    const split = await tableCells(page, 'split')
    const columns = split[0]!.slice(1).map((_, c) => split.map((row) => Number(row[c + 1])))
    assert.equal(
      columns,
      [storefronts.storefronts.AppSource, storefronts.storefronts.AzureMarketplace, campaigns.campaigns.nurture, campaigns.campaigns['demand-generation']].map(
        (b) => [b.total, ...['captured', 'contacted', 'nurturing', 'qualified', 'converted', 'disqualified'].map((s) => b.byState[s])],
      ),
    )
    const funnel = await json(`${base}/v1/analytics/funnel?tz=UTC`)
    assert.equal(
      (await tableCells(page, 'funnel')).map((r) => Number(r[1])),
      funnel.stages.map((s: { reached: number }) => s.reached),
    )
    assert.ok(funnel.stages.find((s: { stage: string }) => s.stage === 'converted').reached > 0, 'the scenario converts some leads')
    // All time: the series starts at the first capture's month (the funnel's first cohort), so it holds every lead.
    const first = new Date(Math.min(...funnel.cohorts.map((c: { start: string }) => Date.parse(c.start)))).toISOString()
    const series = await json(`${base}/v1/analytics/series?interval=day&tz=UTC&from=${first}`)
    const shownSeries = (await tableCells(page, 'series')).map((r) => Number(r[1]))
    assert.equal(
      shownSeries,
      series.buckets.map((b: { total: number }) => b.total),
    )
    assert.is(
      shownSeries.reduce((a, b) => a + b, 0),
      qualification.total,
      'the series under All time counts every lead',
    )
    for (const by of ['offer', 'country'] as const) {
      const top = await json(`${base}/v1/analytics/top?by=${by}&limit=10`)
      assert.equal(
        (await tableCells(page, by === 'offer' ? 'top-offers' : 'top-countries')).map((r) => [r[0], Number(r[1])]),
        top.rows.map((r: { label: string; leads: number }) => [r.label, r.leads]),
      )
    }
    assert.is((await shownLeadIds(page)).length, 25, 'the first page of leads')
    await shot(page, 'overview')
    // The README's picture: LEADSTREAM_DOCS_SCREENSHOT=1 node --import tsx test/run.ts browser/dashboard
    if (process.env['LEADSTREAM_DOCS_SCREENSHOT'] === '1')
      await page.screenshot({ path: resolve(import.meta.dirname, '..', '..', 'docs', 'dashboard.png'), clip: { x: 0, y: 0, width: 1280, height: 900 } })
  })

  test('accessibility :: every control has a label, and the charts have text alternatives', async ({ page }) => {
    const unnamed = await page.$$eval('input, select, button, textarea', (els) =>
      els
        .filter(
          (e) =>
            !(e as unknown as { labels?: { length: number } }).labels?.length &&
            !e.getAttribute('aria-label') &&
            (e.tagName !== 'BUTTON' || (e.textContent ?? '').trim() === ''),
        )
        .map((e) => e.outerHTML),
    )
    assert.equal(unnamed, [])
    for (const id of ['chart-split', 'chart-funnel', 'chart-series']) assert.ok(((await page.getAttribute(`#${id}`, 'aria-label')) ?? '').length > 0, id)
  })

  test('filters :: a storefront filter changes the table and the charts, and is kept in the URL', async ({ page, server }) => {
    const before = JSON.stringify(await page.evaluate(() => window.dashboard.chartData()))
    await refreshed(page, () => page.getByLabel('Storefront', { exact: true }).selectOption('AppSource'))
    assert.match(page.url(), /storefront=AppSource/)
    const expected = (await json(`${server.url}/v1/leads?storefront=AppSource&limit=25`)).items.map((l: { leadId: string }) => l.leadId)
    assert.equal(await shownLeadIds(page), expected)
    const storefronts = await page.$$eval('#leads tbody tr[data-lead-id] td:nth-child(4)', (tds) => [...new Set(tds.map((t) => t.textContent))])
    assert.equal(storefronts, ['AppSource'])
    const after = JSON.stringify(await page.evaluate(() => window.dashboard.chartData()))
    assert.not.equal(after, before, 'the charts show other data')
    const counts = await json(`${server.url}/v1/views/qualification?storefront=AppSource`)
    assert.is(await figure(page, 'total'), counts.total)
    await shot(page, 'filtered')
  })

  test('export :: the button downloads the CSV of exactly the filtered rows', async ({ page, server }) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    assert.match(download.suggestedFilename(), /^leads-\d{4}-\d{2}-\d{2}\.csv$/)
    const { records } = csvRecords(readFileSync((await download.path())!, 'utf8'))
    const all: string[] = []
    for (let cursor: string | null = null; ; ) {
      const page_ = await http('GET', `${server.url}/v1/leads?storefront=AppSource&limit=100${cursor === null ? '' : `&cursor=${cursor}`}`)
      all.push(...loose(page_).items.map((l: { leadId: string }) => l.leadId))
      cursor = loose(page_).next
      if (cursor === null) break
    }
    assert.equal(
      records.map((r) => r['leadId']),
      all,
    )
    assert.ok(records.every((r) => r['storefront'] === 'AppSource'))
  })

  test("presets :: AppSource nurture leads of the last 30 days: the figures and the rows are the API's for that range", async ({ page, server }) => {
    await refreshed(page, () => page.getByLabel('Campaign', { exact: true }).selectOption('nurture'))
    await refreshed(page, () => page.getByLabel('30 days').check())
    const from = new URL(page.url()).searchParams
    assert.is(from.get('preset'), '30d')
    const since = new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10)
    const q = `storefront=AppSource&campaign=nurture&from=${since}`
    const counts = await json(`${server.url}/v1/views/qualification?${q}`)
    const all = await json(`${server.url}/v1/views/qualification?storefront=AppSource&campaign=nurture`)
    assert.ok(counts.total > 0 && counts.total < all.total, `30 days hold some but not all (${counts.total} of ${all.total})`)
    assert.is(await figure(page, 'total'), counts.total)
    const rows = (await json(`${server.url}/v1/leads?${q}&limit=25`)).items.map((l: { leadId: string }) => l.leadId)
    assert.equal(await shownLeadIds(page), rows)
    const funnel = await json(`${server.url}/v1/analytics/funnel?${q}&tz=UTC`)
    assert.equal(
      (await tableCells(page, 'funnel')).map((r) => Number(r[1])),
      funnel.stages.map((s: { reached: number }) => s.reached),
    )
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
    const { records } = csvRecords(readFileSync((await download.path())!, 'utf8'))
    assert.is(records.length, counts.total, 'the export holds the same leads')
    assert.ok(records.every((r) => r['campaign'] === 'nurture' && r['capturedAt']! >= since))
    await shot(page, 'last-30-days')
    await refreshed(page, () => page.getByLabel('All time').check())
    await refreshed(page, () => page.getByLabel('Campaign', { exact: true }).selectOption(''))
  })

  test('detail :: Enter on a row opens the lead with its history as a timeline; Escape closes it', async ({ page, server, facts }) => {
    await refreshed(page, () => page.getByLabel('Storefront', { exact: true }).selectOption(''))
    const row = page.locator(`#leads tbody tr[data-lead-id="${facts.converted}"]`)
    // The converted lead is not on the first page unless its capture is recent; page until it shows.
    while ((await row.count()) === 0) await refreshed(page, () => page.getByRole('button', { name: 'Next' }).click())
    await row.focus()
    await page.keyboard.press('Enter')
    const dialog = page.locator('#detail')
    await dialog.waitFor({ state: 'visible' })
    const lead = await json(`${server.url}/v1/leads/${facts.converted}`)
    assert.is(await page.locator('#timeline li').count(), lead.history.length)
    assert.ok(lead.history.length >= 4, 'captured, contacted, qualified, converted')
    assert.match((await page.locator('#detail-fields').textContent()) ?? '', lead.lead.customer.email)
    await shot(page, 'detail')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'hidden' })
    assert.is(await page.evaluate(() => document.activeElement?.dataset['leadId']), facts.converted, 'focus goes back to the row')
    await refreshed(page, () => page.getByRole('button', { name: 'First page' }).click())
  })

  test('live :: a lead posted while the page is open appears within 2 seconds, without a reload', async ({ page, server }) => {
    await page.evaluate(() => (window.marker = 1))
    const posted = await http('POST', `${server.url}/v1/leads`, {
      type: 'LeadCaptured',
      version: 1,
      eventId: 'live-1',
      leadId: 'live-lead-1',
      occurredAt: new Date().toISOString(),
      data: {
        storefront: 'AppSource',
        action: 'PLT',
        offer: { title: 'Contoso CRM' },
        customer: { firstName: 'Livia', email: 'livia@example.com', country: 'FR' },
      },
    })
    assert.ok([200, 201].includes(posted.status), JSON.stringify(posted.body))
    const t0 = Date.now()
    await eventually('the new lead in the table', async () => ((await shownLeadIds(page)).includes('live-lead-1') ? true : undefined), 5000)
    const took = Date.now() - t0
    assert.ok(took <= 2000, `appeared after ${took} ms`)
    assert.is(await page.evaluate(() => window.marker), 1, 'the page was not reloaded')
  })

  test('offline and clean :: every request went to the server and succeeded; no script error', async ({ trouble }) => {
    assert.equal(trouble, [])
  })
}
test.run()
