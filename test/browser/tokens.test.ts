// The dashboard with tokens configured, in Chromium: it asks for an analyst token, refuses another role's, keeps
// the token out of the address, and then shows the figures (one lead: the axes count whole leads).
import type { Browser } from 'playwright-core'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { launchChromium, requireChromium } from '../support/browser.js'
import { http, startTestServer, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { chartTicks, shot } from './page.js'

const chromium = requireChromium('dashboard browser test (tokens)')

// biome-ignore-start lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load
declare const document: any
declare const sessionStorage: any
// biome-ignore-end lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load

const secured = suite<{ server: TestServer; browser: Browser }>('dashboard :: with tokens')
if (chromium !== null) {
  secured.before(async (ctx) => {
    ctx.server = await startTestServer({ LEADSTREAM_ANALYST_TOKENS: 'analyst-secret', LEADSTREAM_INGEST_TOKENS: 'ingest-secret' })
    ctx.browser = await launchChromium(chromium)
  })
  secured.after(async (ctx) => {
    await ctx.browser?.close()
    await ctx.server?.dispose()
  })

  secured('tokens :: the page asks for an analyst token, keeps it out of the URL, and then shows the figures', async ({ server, browser }) => {
    const posted = await http(
      'POST',
      `${server.url}/v1/marketplace/leads`,
      { UserDetails: { Email: 'a@b.example' }, LeadSource: 'SPZA', ActionCode: 'PLT', OfferTitle: 'Contoso CRM' },
      { authorization: 'Bearer ingest-secret' },
    )
    assert.is(posted.status, 201, JSON.stringify(posted.body))
    const page = await browser.newPage()
    await page.goto(`${server.url}/`)
    const dialog = page.locator('#token-dialog')
    await dialog.waitFor({ state: 'visible' })
    await shot(page, 'token')
    await page.getByLabel('Token', { exact: true }).fill('ingest-secret')
    await page.getByRole('button', { name: 'Use this token' }).click()
    await eventually('the wrong role named', async () =>
      (await page.locator('#token-error').textContent())?.includes('analyst role') === true ? true : undefined,
    )
    await page.getByLabel('Token', { exact: true }).fill('analyst-secret')
    await page.getByRole('button', { name: 'Use this token' }).click()
    await page.waitForFunction(() => document.querySelector('[data-figure="total"]')?.getAttribute('data-value') === '1', undefined, { timeout: 10_000 })
    assert.not.match(page.url(), /secret/)
    // One lead: the axes count whole leads (chart.js would tick 0, 0.2, … 1 otherwise).
    const ticks = await chartTicks(page)
    for (const [id, values] of Object.entries(ticks)) {
      assert.ok(values.length > 0, id)
      assert.ok(values.every(Number.isInteger), `${id}: ${values.join(', ')}`)
    }
    assert.is(await page.evaluate(() => sessionStorage.getItem('leadstream.analystToken')), 'analyst-secret')
    await page.close()
  })
}
secured.run()
