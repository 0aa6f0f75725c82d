// The filters (all of the API's shared Filters), the date presets, and the series options, kept in the
// page's URL query so a view can be shared or bookmarked.

const FILTERS = ['storefront', 'campaign', 'state', 'offerKind', 'offer', 'action', 'country', 'includeTest']
const OPTIONS = ['interval', 'by', 'tz']
const PRESET_DAYS = { '7d': 7, '30d': 30, '90d': 90 }

const filtersForm = () => document.getElementById('filters')
const optionsForm = () => document.getElementById('series-options')

const isoDate = (d) => d.toISOString().slice(0, 10)

/** The capture-time range of a preset, as dates (UTC midnights): `from` inclusive, no `to` (up to now). */
export const presetRange = (preset, now = new Date()) => {
  if (preset in PRESET_DAYS) return { from: isoDate(new Date(now.getTime() - PRESET_DAYS[preset] * 86_400_000)) }
  if (preset === '12m') {
    const d = new Date(now)
    d.setUTCFullYear(d.getUTCFullYear() - 1)
    return { from: isoDate(d) }
  }
  return {}
}

/** What the form says, as the query parameters of the API (only the ones given). */
export const currentFilters = () => {
  const form = filtersForm()
  const data = new FormData(form)
  const out = {}
  for (const k of FILTERS) {
    const v = data.get(k)
    if (typeof v === 'string' && v.trim() !== '') out[k] = v.trim()
  }
  const preset = data.get('preset') ?? 'all'
  if (preset === 'custom') {
    for (const k of ['from', 'to']) {
      const v = data.get(k)
      if (typeof v === 'string' && v !== '') out[k] = v
    }
  } else Object.assign(out, presetRange(preset))
  return out
}

export const currentPreset = () => new FormData(filtersForm()).get('preset') ?? 'all'

export const seriesOptions = () => {
  const data = new FormData(optionsForm())
  const out = { interval: data.get('interval') || 'day', tz: (data.get('tz') || '').trim() || 'UTC' }
  const by = data.get('by')
  if (by) out.by = by
  return out
}

export const query = (params) => {
  const q = new URLSearchParams(params).toString()
  return q === '' ? '' : `?${q}`
}

/** Writes the form's state to the URL (replacing the history entry: filtering is not navigation). */
export const saveToUrl = () => {
  const form = filtersForm()
  const data = new FormData(form)
  const params = new URLSearchParams()
  const preset = data.get('preset') ?? 'all'
  if (preset !== 'all') params.set('preset', preset)
  for (const k of [...FILTERS, ...(preset === 'custom' ? ['from', 'to'] : [])]) {
    const v = data.get(k)
    if (typeof v === 'string' && v.trim() !== '') params.set(k, v.trim())
  }
  const opts = new FormData(optionsForm())
  for (const k of OPTIONS) {
    const v = opts.get(k)
    if (typeof v === 'string' && v !== '') params.set(k, v)
  }
  history.replaceState(null, '', `${location.pathname}${params.size > 0 ? `?${params}` : ''}`)
}

/** Fills the forms from the URL (on load), defaulting the time zone to the browser's. */
export const loadFromUrl = () => {
  const params = new URLSearchParams(location.search)
  const form = filtersForm()
  const preset = params.get('preset') ?? 'all'
  const radio = form.querySelector(`input[name=preset][value="${CSS.escape(preset)}"]`)
  if (radio) radio.checked = true
  for (const k of [...FILTERS, 'from', 'to']) {
    const el = form.elements.namedItem(k)
    const v = params.get(k)
    if (!el || v === null) continue
    if (el.type === 'checkbox') el.checked = v === 'true'
    else el.value = v
  }
  const opts = optionsForm()
  for (const k of OPTIONS) {
    const v = params.get(k)
    if (v !== null) opts.elements.namedItem(k).value = v
  }
  if (opts.elements.namedItem('tz').value === '') opts.elements.namedItem('tz').value = Intl.DateTimeFormat().resolvedOptions().timeZone
  const zones = document.getElementById('zones')
  for (const z of Intl.supportedValuesOf?.('timeZone') ?? []) zones.append(new Option(z))
  showCustom()
}

/** The custom range's date fields show only with the Custom preset. */
export const showCustom = () => {
  document.getElementById('custom-range').hidden = currentPreset() !== 'custom'
}
