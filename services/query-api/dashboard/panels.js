// The figure panels: totals, the storefront and campaign split, the funnel, leads over time, top lists.
// Each takes an API answer (shapes in packages/api: views.ts, analytics.ts) and draws it with its table.
import { colour, draw, duration, fmt, options, pct, table } from './charts.js'

const STATES = ['captured', 'contacted', 'nurturing', 'qualified', 'converted', 'disqualified']
const NAMES = { AppSource: 'AppSource', AzureMarketplace: 'Azure Marketplace', nurture: 'Nurture', 'demand-generation': 'Demand generation' }
const name = (k) => NAMES[k] ?? k

const setFigure = (key, n) => {
  const node = document.querySelector(`[data-figure="${key}"]`)
  if (node) {
    node.textContent = fmt.format(n)
    node.dataset.value = String(n)
  }
}

/** The cards: leads, per storefront, per campaign, converted. */
export const totals = (storefronts, campaigns, qualification) => {
  setFigure('total', qualification.total)
  for (const [k, b] of Object.entries(storefronts.storefronts)) setFigure(k, b.total)
  for (const [k, b] of Object.entries(campaigns.campaigns)) setFigure(k, b.total)
  setFigure('converted', qualification.states.converted ?? 0)
}

/** Storefronts and campaigns side by side, each bar split by qualification state. */
export const split = (storefronts, campaigns) => {
  const blocks = [...Object.entries(storefronts.storefronts), ...Object.entries(campaigns.campaigns)]
  const labels = blocks.map(([k]) => name(k))
  draw(
    'chart-split',
    {
      type: 'bar',
      data: { labels, datasets: STATES.map((s, i) => ({ label: s, data: blocks.map(([, b]) => b.byState[s] ?? 0), backgroundColor: colour(i) })) },
      options: options({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }),
    },
    `Leads per storefront and campaign: ${blocks.map(([k, b]) => `${name(k)} ${b.total}`).join(', ')}`,
  )
  // A row per state and a column per storefront and campaign: eight columns of states did not fit a laptop's
  // half-width panel; four of groups do.
  table(document.getElementById('split-table'), {
    caption: 'Leads per storefront and campaign, by state',
    head: ['', ...labels],
    rows: [['Leads', ...blocks.map(([, b]) => b.total)], ...STATES.map((s) => [s, ...blocks.map(([, b]) => b.byState[s] ?? 0)])],
    numeric: blocks.map((_, i) => i + 1),
  }).dataset.testid = 'split'
}

/** Stages reached (main path, then branches), the rate from the stage before, and the time to reach it. */
export const funnel = (answer) => {
  const stages = answer.stages
  draw(
    'chart-funnel',
    {
      type: 'bar',
      data: {
        labels: stages.map((s) => s.stage),
        datasets: [{ label: 'Leads that reached the stage', data: stages.map((s) => s.reached), backgroundColor: stages.map((s) => colour(s.branch ? 1 : 0)) }],
      },
      options: options({ indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } }),
    },
    `Funnel of ${answer.total} leads: ${stages.map((s) => `${s.stage} ${s.reached}`).join(', ')}`,
  )
  const reasons = Object.entries(answer.disqualificationReasons).filter(([, n]) => n > 0)
  table(document.getElementById('funnel-table'), {
    caption: `Funnel${reasons.length > 0 ? ` (disqualified: ${reasons.map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
    head: ['Stage', 'Reached', 'Rate', 'Median time', 'p90 time'],
    rows: stages.map((s) => [`${s.stage}${s.branch ? ' (branch)' : ''}`, s.reached, pct(s.rateFromPrevious), duration(s.medianMs), duration(s.p90Ms)]),
    numeric: [1, 2, 3, 4],
  }).dataset.testid = 'funnel'
}

/** The bucket's start as the analyst reads it: the date (and hour for hourly buckets), in the series' zone. */
const bucketLabel = (start, interval) =>
  interval === 'hour' ? start.slice(0, 16).replace('T', ' ') : interval === 'month' ? start.slice(0, 7) : start.slice(0, 10)

/** Leads per bucket: one line, or stacked bars per group when split. */
export const series = (answer) => {
  const labels = answer.buckets.map((b) => bucketLabel(b.start, answer.interval))
  const split = answer.by !== null && answer.groups.length > 0
  const datasets = split
    ? answer.groups.map((g, i) => ({ label: name(g), data: answer.buckets.map((b) => b.groups[g] ?? 0), backgroundColor: colour(i), borderColor: colour(i) }))
    : [{ label: 'Leads', data: answer.buckets.map((b) => b.total), borderColor: colour(0), backgroundColor: colour(0), tension: 0.2, pointRadius: 2 }]
  draw(
    'chart-series',
    {
      type: split ? 'bar' : 'line',
      data: { labels, datasets },
      options: options({ scales: { x: { stacked: split }, y: { stacked: split, beginAtZero: true, ticks: { precision: 0 } } } }),
    },
    `${answer.total} leads per ${answer.interval} from ${answer.from.slice(0, 10)} to ${answer.to.slice(0, 10)} (${answer.tz})`,
  )
  table(document.getElementById('series-table'), {
    caption: `Leads per ${answer.interval} (${answer.tz})`,
    head: ['Start', 'Leads', ...(split ? answer.groups.map(name) : [])],
    rows: answer.buckets.map((b, i) => [labels[i], b.total, ...(split ? answer.groups.map((g) => b.groups[g] ?? 0) : [])]),
    srOnly: true,
  }).dataset.testid = 'series'
}

/** A ranking with a bar per row (its share of the first row), leads and conversion. */
export const top = (containerId, answer, what) => {
  const container = document.getElementById(containerId)
  const max = Math.max(1, ...answer.rows.map((r) => r.leads))
  const t = table(container, {
    caption: `Top ${what} by leads`,
    head: [what[0].toUpperCase() + what.slice(1), 'Leads', 'Converted', 'Conversion'],
    rows: answer.rows.map((r) => [r.label, r.leads, r.converted, pct(r.conversionRate)]),
    numeric: [1, 2, 3],
  })
  t.dataset.testid = `top-${what}`
  t.querySelectorAll('tbody tr').forEach((tr, i) => {
    const bar = document.createElement('span')
    bar.className = 'bar'
    bar.style.width = `${(answer.rows[i].leads / max) * 100}%`
    bar.setAttribute('aria-hidden', 'true')
    tr.children[1].prepend(bar)
  })
  if (answer.rows.length === 0) container.append(Object.assign(document.createElement('p'), { textContent: 'No leads match.' }))
}
