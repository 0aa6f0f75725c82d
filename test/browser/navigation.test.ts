// The dashboard in Chromium, getting around: paging against the API's keyset pages, a custom range with text
// filters and the series' options, the keyboard alone, a laptop's and a phone's widths.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { requireChromium } from '../support/browser.js'
import { closeDashboard, type Dashboard, figure, json, openDashboard, refreshed, shot, shownLeadIds, tableCells } from './page.js'

const chromium = requireChromium('dashboard browser test')

// The functions given to page.evaluate run in the page. The test's TypeScript settings have no DOM types, so
// these name the browser globals they use; `any` because their real types are the DOM library's.
// biome-ignore-start lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load
declare const document: any
declare const window: any
// biome-ignore-end lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load

const test = suite<Dashboard>('dashboard :: getting around')

if (chromium !== null) {
  test.before(async (ctx) => {
    Object.assign(ctx, await openDashboard(chromium))
  })
  test.after(closeDashboard)

  test("paging :: Next shows the API's next page, Previous and First page the first again", async ({ page, server }) => {
    const first = await json(`${server.url}/v1/leads?limit=25`)
    const second = await json(`${server.url}/v1/leads?limit=25&cursor=${encodeURIComponent(first.next)}`)
    const ids = (p: { items: Array<{ leadId: string }> }) => p.items.map((l) => l.leadId)
    assert.equal(await shownLeadIds(page), ids(first))
    await refreshed(page, () => page.getByRole('button', { name: 'Next' }).click())
    assert.equal(await shownLeadIds(page), ids(second))
    assert.is(await page.locator('#page-label').textContent(), 'Page 2')
    await refreshed(page, () => page.getByRole('button', { name: 'Previous' }).click())
    assert.equal(await shownLeadIds(page), ids(first))
    await refreshed(page, () => page.getByRole('button', { name: 'Next' }).click())
    await refreshed(page, () => page.getByRole('button', { name: 'First page' }).click())
    assert.equal(await shownLeadIds(page), ids(first))
    assert.is(await page.locator('#page-label').textContent(), 'Page 1')
  })

  test("filters :: a custom range, text filters and the series' interval, split and zone give the API's answers", async ({ page, server }) => {
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
    const [from, to] = [day(60), day(10)]
    await refreshed(page, () => page.getByLabel('Custom').check())
    await refreshed(page, () => page.getByLabel('From', { exact: true }).fill(from))
    await refreshed(page, () => page.getByLabel('To (exclusive)', { exact: true }).fill(to))
    await page.getByLabel('Country', { exact: true }).fill('United States')
    await refreshed(page, () => page.getByLabel('Country', { exact: true }).press('Enter'))
    await refreshed(page, () => page.getByLabel('Interval', { exact: true }).selectOption('week'))
    await refreshed(page, () => page.getByLabel('Split by', { exact: true }).selectOption('storefront'))
    await page.getByLabel('Time zone', { exact: true }).fill('Asia/Kolkata')
    await refreshed(page, () => page.getByLabel('Time zone', { exact: true }).press('Enter'))
    const params = new URL(page.url()).searchParams
    assert.equal(
      ['preset', 'from', 'to', 'country', 'interval', 'by', 'tz'].map((k) => params.get(k)),
      ['custom', from, to, 'United States', 'week', 'storefront', 'Asia/Kolkata'],
    )
    const q = `from=${from}&to=${to}&country=United%20States`
    const counts = await json(`${server.url}/v1/views/qualification?${q}`)
    const all = await json(`${server.url}/v1/views/qualification`)
    assert.ok(counts.total > 0 && counts.total < all.total, `the range and country narrow the leads (${counts.total} of ${all.total})`)
    assert.is(await figure(page, 'total'), counts.total)
    assert.equal(
      await shownLeadIds(page),
      (await json(`${server.url}/v1/leads?${q}&limit=25`)).items.map((l: { leadId: string }) => l.leadId),
    )
    const series = await json(`${server.url}/v1/analytics/series?${q}&interval=week&by=storefront&tz=Asia/Kolkata`)
    assert.equal(
      (await tableCells(page, 'series')).map((r) => r.slice(1).map(Number)),
      series.buckets.map((b: { total: number; groups: Record<string, number> }) => [b.total, ...series.groups.map((g: string) => b.groups[g])]),
    )
    const funnel = await json(`${server.url}/v1/analytics/funnel?${q}&tz=Asia/Kolkata`)
    assert.equal(
      (await tableCells(page, 'funnel')).map((r) => Number(r[1])),
      funnel.stages.map((s: { reached: number }) => s.reached),
    )
    await shot(page, 'custom-range')
    await refreshed(page, () => page.getByRole('button', { name: 'Clear' }).click())
    await refreshed(page, () => page.getByLabel('Interval', { exact: true }).selectOption('day'))
    await refreshed(page, () => page.getByLabel('Split by', { exact: true }).selectOption(''))
    await page.getByLabel('Time zone', { exact: true }).fill('UTC')
    await refreshed(page, () => page.getByLabel('Time zone', { exact: true }).press('Enter'))
    assert.is(await figure(page, 'total'), all.total, 'Clear shows every lead again')
  })

  test('keyboard :: Tab alone reaches every control and the lead rows; the arrows pick a preset, Enter opens a lead', async ({ page, server }) => {
    // From the page's first stop, the skip link, onwards.
    await page.getByRole('link', { name: 'Skip to the figures' }).focus()
    const reached: string[] = []
    for (let i = 0; i < 120; i++) {
      await page.keyboard.press('Tab')
      reached.push(
        await page.evaluate(() => {
          const e = document.activeElement
          return e?.dataset?.leadId !== undefined ? 'lead-row' : e?.id || e?.getAttribute('name') || e?.textContent?.trim() || e?.tagName
        }),
      )
      if (reached.at(-1) === 'next') break
    }
    for (const control of [
      'preset',
      'f-storefront',
      'f-campaign',
      'f-state',
      'f-offerKind',
      'f-offer',
      'f-action',
      'f-country',
      'includeTest',
      'Apply',
      'export',
      'f-interval',
      'f-by',
      'f-tz',
      'lead-row',
      'next',
    ])
      assert.ok(reached.includes(control), `Tab never reached ${control}: ${reached.join(' ')}`)
    // Radios are one stop; the arrow keys move within the group, which applies the preset.
    await page.locator('input[name=preset][value=all]').focus()
    await refreshed(page, () => page.keyboard.press('ArrowRight'))
    assert.is(new URL(page.url()).searchParams.get('preset'), '7d')
    await refreshed(page, () => page.locator('input[name=preset][value=all]').check())
    const first = (await json(`${server.url}/v1/leads?limit=1`)).items[0].leadId
    await page.locator(`#leads tbody tr[data-lead-id="${first}"]`).focus()
    await page.keyboard.press('Enter')
    await page.locator('#detail').waitFor({ state: 'visible' })
    await page.keyboard.press('Escape')
    await page.locator('#detail').waitFor({ state: 'hidden' })
  })

  test('laptop :: at 1280 px every table of figures fits its panel (nothing hidden behind a sideways scroll)', async ({ page }) => {
    const hidden = await page.$$eval('#split-table, #funnel-table, #top-offer, #top-country, .scroll', (boxes) =>
      boxes.filter((b) => b.scrollWidth > b.clientWidth).map((b) => `${b.id || b.className}: ${b.scrollWidth - b.clientWidth} px`),
    )
    assert.equal(hidden, [])
  })

  test("phone :: the page fits a phone's width with no sideways scrolling", async ({ browser, server }) => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, timezoneId: 'UTC' })
    const page = await phone.newPage()
    await refreshed(page, () => page.goto(`${server.url}/?storefront=AppSource`))
    assert.is(await page.getByLabel('Storefront', { exact: true }).inputValue(), 'AppSource', 'filters come back from the URL')
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`)
    await shot(page, 'phone')
    await phone.close()
  })

  test('offline and clean :: every request went to the server and succeeded; no script error', async ({ trouble }) => {
    assert.equal(trouble, [])
  })
}
test.run()
