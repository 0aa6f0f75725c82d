// What the dashboard's browser tests read from the page: its figures and tables, its refreshes, its charts'
// axes, and what it requests; and where the screenshots go.
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../support/browser.js'
import { http, startTestServer, type TestServer } from '../support/embedded.js'
import { scenario, type Scenario } from './scenario.js'

// The functions given to page.evaluate run in the page. The test's TypeScript settings have no DOM types, so
// these name the browser globals they use; `any` because their real types are the DOM library's.
// biome-ignore-start lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load
declare const document: any
declare const window: any
// biome-ignore-end lint/suspicious/noExplicitAny: the DOM's types, which the test's settings do not load

// JSON answers compared field by field with what the page or the file shows; their shapes are the contract's,
// which test/api checks, so here they are read loosely.
// biome-ignore lint/suspicious/noExplicitAny: read loosely on purpose (see above); test/api checks the shapes
export const loose = (a: { body: unknown }): any => a.body
export const json = async (url: string) => loose(await http('GET', url))

export const out = resolve(import.meta.dirname, '..', 'output', 'dashboard')
export const shot = (page: Page, name: string) => {
  mkdirSync(out, { recursive: true })
  return page.screenshot({ path: join(out, `${name}.png`), fullPage: true })
}

/** Records what a page does that an offline, error-free dashboard must not (read by the last case). */
export const watch = (page: Page, origin: string, trouble: string[]) => {
  page.on('request', (r) => {
    if (!r.url().startsWith(`${origin}/`)) trouble.push(`request off the server: ${r.url()}`)
  })
  page.on('requestfailed', (r) => trouble.push(`failed: ${r.url()} ${r.failure()?.errorText ?? ''}`))
  page.on('response', (r) => {
    if (r.status() >= 400) trouble.push(`${r.status()}: ${r.url()}`)
  })
  page.on('pageerror', (e) => trouble.push(`page error: ${e.message}`))
}

/** The values of the ticks on each chart's axes (window.Chart is chart.js's UMD build, as the page loads it). */
export const chartTicks = (page: Page) =>
  page.evaluate(() =>
    Object.fromEntries(
      ['chart-split', 'chart-funnel', 'chart-series'].map((id) => {
        const scales: Record<string, { type: string; ticks: Array<{ value: number }> }> = window.Chart.getChart(id).scales
        return [id, Object.values(scales).flatMap((scale) => (scale.type === 'linear' ? scale.ticks.map((t) => t.value) : []))]
      }),
    ),
  )

/** Waits for the page's next completed refresh after `action`. */
export const refreshed = async (page: Page, action: () => Promise<unknown>) => {
  const before = Number(await page.evaluate(() => document.body.dataset['loaded'] ?? 0))
  await action()
  await page.waitForFunction((n) => Number(document.body.dataset['loaded'] ?? 0) > n, before, { timeout: 10_000 })
}

export const figure = async (page: Page, key: string) => Number(await page.getAttribute(`[data-figure="${key}"]`, 'data-value'))
export const tableCells = (page: Page, testid: string) =>
  page.$$eval(`table[data-testid="${testid}"] tbody tr`, (rows) => rows.map((r) => [...r.children].map((c) => (c.textContent ?? '').trim())))
export const shownLeadIds = (page: Page) =>
  page.$$eval('#leads tbody tr[data-lead-id]', (rows) => rows.map((r) => (r as unknown as { dataset: Record<string, string> }).dataset['leadId']!))

export interface Dashboard {
  server: TestServer
  browser: Browser
  page: Page
  facts: Scenario
  /** What went wrong in the page: requests off the server, failed requests, answers >= 400, page errors. */
  trouble: string[]
}

/** An embedded server with the scenario's leads, and the dashboard open on it at laptop width, watched. */
export const openDashboard = async (chromium: string): Promise<Dashboard> => {
  mkdirSync(out, { recursive: true })
  const server = await startTestServer()
  const facts = await scenario(server.url)
  const browser = await launchChromium(chromium)
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'UTC', locale: 'en-GB', acceptDownloads: true })
  const page = await context.newPage()
  const trouble: string[] = []
  watch(page, server.url, trouble)
  await refreshed(page, () => page.goto(`${server.url}/`))
  return { server, browser, page, facts, trouble }
}

export const closeDashboard = async (d: Partial<Dashboard>): Promise<void> => {
  await d.browser?.close()
  await d.server?.dispose()
}
