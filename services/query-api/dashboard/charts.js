// Charts (Chart.js, served from the installed package) and their text alternatives: every chart has a
// data table beside it, visible or for screen readers only, and an aria-label summing it up.

const palette = ['#2563eb', '#d97706', '#059669', '#7c3aed', '#dc2626', '#0891b2', '#65a30d', '#db2777', '#475569', '#ca8a04']
const charts = new Map()

export const fmt = new Intl.NumberFormat('en')
export const pct = (x) => (x === null || x === undefined ? '–' : `${(x * 100).toFixed(1)}%`)

/** A duration in ms as the largest sensible unit (`3.2 h`, `2.0 d`). */
export const duration = (ms) => {
  if (ms === null || ms === undefined) return '–'
  const units = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['min', 60_000],
    ['s', 1000],
  ]
  for (const [u, n] of units) if (ms >= n) return `${(ms / n).toFixed(1)} ${u}`
  return `${ms} ms`
}

const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v)
  if (text !== undefined) e.textContent = text
  return e
}

/** Replaces `container`'s content with a table. `srOnly`: for screen readers (the chart shows the same). */
export const table = (container, { caption, head, rows, srOnly = false, numeric = [] }) => {
  const t = el('table', { class: 'figures' })
  t.append(el('caption', {}, caption))
  const thead = el('thead')
  const hr = el('tr')
  for (const h of head) hr.append(el('th', { scope: 'col' }, h))
  thead.append(hr)
  const tbody = el('tbody')
  for (const r of rows) {
    const tr = el('tr')
    r.forEach((c, i) => tr.append(i === 0 ? el('th', { scope: 'row' }, String(c)) : el('td', numeric.includes(i) ? { class: 'num' } : {}, String(c))))
    tbody.append(tr)
  }
  t.append(thead, tbody)
  // A table ignores its own width and overflow, so the visually hidden one sits in a hidden box.
  if (srOnly) {
    const box = el('div', { class: 'sr-only' })
    box.append(t)
    container.replaceChildren(box)
  } else container.replaceChildren(t)
  return t
}

/** Shows a failure in place of a panel's figures, so one failing route does not blank the page. */
export const unavailable = (container, message) => container.replaceChildren(el('p', { class: 'error' }, message))

/** Draws (or redraws in place) a chart on a canvas, with `label` as its text summary. */
export const draw = (canvasId, config, label) => {
  const canvas = document.getElementById(canvasId)
  canvas.setAttribute('aria-label', label)
  if (typeof window.Chart !== 'function') return
  const existing = charts.get(canvasId)
  if (existing !== undefined && existing.config.type === config.type) {
    existing.data = config.data
    existing.options = config.options
    existing.update('none')
    return
  }
  existing?.destroy()
  charts.set(canvasId, new window.Chart(canvas, config))
}

export const colour = (i) => palette[i % palette.length]

/** Base options: no animation (a live page redraws often), legends at the bottom, responsive. */
export const options = (extra = {}) => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  plugins: { legend: { position: 'bottom' } },
  ...extra,
})

/** For tests and the curious: what each chart currently shows. */
export const chartData = () => Object.fromEntries([...charts].map(([id, c]) => [id, c.data]))
