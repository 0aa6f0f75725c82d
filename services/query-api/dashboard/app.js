// The dashboard's main module: loads every panel for the current filters, keeps the URL in step, refreshes
// by itself when the views move (polls the view position about once a second), and exports the CSV.
import { download, getJson } from './api.js'
import { chartData, unavailable } from './charts.js'
import { currentFilters, loadFromUrl, query, saveToUrl, seriesOptions, showCustom } from './filters.js'
import { loadLeads, shownLeads, wireLeads } from './leads.js'
import * as panels from './panels.js'

const status = (text) => {
  document.getElementById('status').textContent = text
}
const say = (e) => (e?.status === 404 ? 'not available on this server yet' : `unavailable: ${e?.message ?? e}`)

let position = 0
let loading = null
let again = false

/** One panel: its failure shows in its place and does not stop the others. */
const panel = async (containerId, load) => {
  try {
    await load()
  } catch (e) {
    if (containerId !== null) unavailable(document.getElementById(containerId), say(e))
    throw e
  }
}

/** Days of range each interval may ask for (the API's limits: hour ≤ 31 days, ≤ 2,000 buckets), with a margin. */
const MAX_DAYS = { hour: 30, day: 1990, week: 13_000, month: 60_000 }

/**
 * With no capture range (All time), the series would default to the last 30 days while every other figure
 * counts all leads: it starts instead at the first capture's month (the funnel's first cohort), as far back as
 * the interval allows.
 */
const allTimeFrom = (filters, options, funnel) => {
  if ('from' in filters || 'to' in filters || funnel.cohorts.length === 0) return {}
  const first = Math.min(...funnel.cohorts.map((c) => Date.parse(c.start)))
  return { from: new Date(Math.max(first, Date.now() - MAX_DAYS[options.interval] * 86_400_000)).toISOString() }
}

const refresh = async ({ resetPaging = false } = {}) => {
  const filters = currentFilters()
  const q = query(filters)
  const options = seriesOptions()
  const tz = options.tz
  const funnelAnswer = getJson(`/v1/analytics/funnel${query({ ...filters, tz })}`)
  const results = await Promise.allSettled([
    panel('split-table', async () => {
      const [storefronts, campaigns, qualification] = await Promise.all([
        getJson(`/v1/views/storefronts${q}`),
        getJson(`/v1/views/campaigns${q}`),
        getJson(`/v1/views/qualification${q}`),
      ])
      panels.totals(storefronts, campaigns, qualification)
      panels.split(storefronts, campaigns)
      position = Math.max(position, qualification.position)
    }),
    panel('funnel-table', async () => panels.funnel(await funnelAnswer)),
    panel('series-table', async () => {
      const range = allTimeFrom(filters, options, await funnelAnswer)
      panels.series(await getJson(`/v1/analytics/series${query({ ...filters, ...range, ...options })}`))
    }),
    panel('top-offer', async () => panels.top('top-offer', await getJson(`/v1/analytics/top${query({ ...filters, by: 'offer', limit: '10' })}`), 'offers')),
    panel('top-country', async () =>
      panels.top('top-country', await getJson(`/v1/analytics/top${query({ ...filters, by: 'country', limit: '10' })}`), 'countries'),
    ),
    panel(null, () => loadLeads(filters, { reset: resetPaging })),
  ])
  const failed = results.filter((r) => r.status === 'rejected').length
  document.body.dataset.position = String(position)
  status(
    `${failed === 0 ? 'Up to date' : `${failed} part${failed > 1 ? 's' : ''} unavailable`} at view position ${position}, ${new Date().toLocaleTimeString()}`,
  )
}

/** Runs one refresh at a time; a request during one runs once more after it (never two in parallel). */
const load = (opts = {}) => {
  if (loading !== null) {
    again = true
    return loading
  }
  loading = refresh(opts).finally(() => {
    loading = null
    document.body.dataset.loaded = String(Number(document.body.dataset.loaded ?? 0) + 1)
    if (again) {
      again = false
      void load()
    }
  })
  return loading
}

const poll = async () => {
  try {
    if (loading === null && document.visibilityState !== 'hidden') {
      const { position: p } = await getJson('/v1/views/position')
      if (p > position) {
        position = p
        await load()
      }
    }
  } catch {
    // The server may be restarting: the next tick tries again, and the status line keeps its last word.
  } finally {
    setTimeout(poll, 1000)
  }
}

const applyFilters = () => {
  saveToUrl()
  showCustom()
  return load({ resetPaging: true })
}

const start = async () => {
  loadFromUrl()
  const form = document.getElementById('filters')
  form.addEventListener('submit', (e) => {
    e.preventDefault()
    void applyFilters()
  })
  // Selects, the preset radios and the checkbox apply at once; text fields on Enter or Apply.
  form.addEventListener('change', (e) => {
    if (e.target.matches('select, input[type=radio], input[type=checkbox], input[type=date]')) void applyFilters()
  })
  form.addEventListener('reset', () => setTimeout(applyFilters))
  document.getElementById('series-options').addEventListener('change', () => {
    saveToUrl()
    void load()
  })
  document.getElementById('series-options').addEventListener('submit', (e) => {
    e.preventDefault()
    saveToUrl()
    void load()
  })
  document.getElementById('export').addEventListener('click', async () => {
    try {
      status(`Exporting…`)
      status(`Downloaded ${await download(`/v1/exports/leads.csv${query(currentFilters())}`)}`)
    } catch (e) {
      status(`Export failed: ${e.message}`)
    }
  })
  wireLeads(() => load())
  await load({ resetPaging: true })
  setTimeout(poll, 1000)
}

// What the page shows, for tests and for anyone curious in the console (no data the API did not give).
window.dashboard = { chartData, shownLeads, position: () => position }

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
else void start()
