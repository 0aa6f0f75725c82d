// The leads table (keyset paging with the API's `next` cursor) and a lead's detail with its history as a
// timeline, in a modal dialog: a click, Enter or Space on a row opens it, Escape or Close shuts it.
import { getJson } from './api.js'
import { query } from './filters.js'

const PAGE = 25
const when = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })
const at = (iso) => `${when.format(new Date(iso))} UTC`

/** The cursors of the pages before the current one (null: the first page), so Previous works with keysets. */
let cursors = [null]
let shown = []

const td = (text) => Object.assign(document.createElement('td'), { textContent: text })

const row = (l) => {
  const tr = document.createElement('tr')
  tr.tabIndex = 0
  tr.dataset.leadId = l.leadId
  const who = [l.customer.firstName, l.customer.lastName].filter((x) => x !== '').join(' ') || l.customer.email || '(no contact data)'
  tr.setAttribute('aria-label', `${who}, ${l.offer.title ?? l.offer.id ?? ''}, ${l.state}: open the detail`)
  tr.append(
    td(at(l.capturedAt)),
    td(who),
    td(l.customer.company),
    td(l.storefront === 'AzureMarketplace' ? 'Azure Marketplace' : l.storefront),
    td(l.offer.title ?? l.offer.id ?? ''),
    td(l.state),
    td(l.customer.country),
  )
  return tr
}

/** Loads the current page (the first one after a filter change: `reset`). Returns the page's leads. */
export const loadLeads = async (filters, { reset = false, minPosition } = {}) => {
  if (reset) cursors = [null]
  const cursor = cursors[cursors.length - 1]
  const page = await getJson(
    `/v1/leads${query({ ...filters, limit: String(PAGE), ...(cursor === null ? {} : { cursor }), ...(minPosition ? { minPosition: String(minPosition) } : {}) })}`,
  )
  shown = page.items
  const body = document.querySelector('#leads tbody')
  body.replaceChildren(...page.items.map(row))
  if (page.items.length === 0) {
    const empty = td('No leads match these filters.')
    empty.colSpan = 7
    const tr = document.createElement('tr')
    tr.append(empty)
    body.append(tr)
  }
  document.getElementById('page-label').textContent = `Page ${cursors.length}`
  document.getElementById('prev').disabled = cursors.length === 1
  document.getElementById('first').disabled = cursors.length === 1
  const next = document.getElementById('next')
  next.disabled = page.next === null
  next.dataset.cursor = page.next ?? ''
  return page.items
}

export const nextPage = () => {
  const c = document.getElementById('next').dataset.cursor
  if (c) cursors.push(c)
}
export const previousPage = () => {
  if (cursors.length > 1) cursors.pop()
}
export const firstPage = () => {
  cursors = [null]
}

const FIELDS = [
  ['Lead', (l) => l.leadId],
  ['State', (l) => l.state + (l.doNotContact ? ' (do not contact)' : '')],
  ['Storefront', (l) => `${l.storefront} (${l.campaign})`],
  ['Offer', (l) => `${[l.offer.title, l.offer.id].filter(Boolean).join(' · ')} (${l.offer.kind})`],
  ['Actions', (l) => l.actions.join(', ')],
  ['Name', (l) => [l.customer.firstName, l.customer.lastName].filter(Boolean).join(' ')],
  ['Email', (l) => l.customer.email],
  ['Phone', (l) => l.customer.phone],
  ['Company', (l) => [l.customer.company, l.customer.title].filter(Boolean).join(', ')],
  ['Country', (l) => l.customer.country],
  ['Campaigns', (l) => l.campaigns.join(', ')],
  ['Description', (l) => l.description ?? ''],
  ['Captured', (l) => at(l.capturedAt)],
  ['Updated', (l) => at(l.updatedAt)],
]

const timelineItem = (h) => {
  const li = document.createElement('li')
  const time = Object.assign(document.createElement('time'), { dateTime: h.at, textContent: at(h.at) })
  const what = Object.assign(document.createElement('strong'), { textContent: h.type.replace(/^Lead/, '') })
  const details = Object.entries(h.detail)
    .filter(([, v]) => v !== null && v !== '')
    .map(([k, v]) => `${k}: ${v}`)
  const by = h.by === null ? '' : ` by ${h.by}`
  li.append(time, ' ', what, by, details.length > 0 ? Object.assign(document.createElement('p'), { textContent: details.join(' · ') }) : '')
  return li
}

let opener = null

/** Opens the lead's detail; focus returns to its row when the dialog closes. */
export const openDetail = async (leadId) => {
  const { lead, history } = await getJson(`/v1/leads/${encodeURIComponent(leadId)}`)
  const dialog = document.getElementById('detail')
  document.getElementById('detail-h').textContent = [lead.customer.firstName, lead.customer.lastName].filter(Boolean).join(' ') || lead.leadId
  const dl = document.getElementById('detail-fields')
  dl.replaceChildren(
    ...FIELDS.flatMap(([k, f]) => [
      Object.assign(document.createElement('dt'), { textContent: k }),
      Object.assign(document.createElement('dd'), { textContent: f(lead) || '–' }),
    ]),
  )
  document.getElementById('timeline').replaceChildren(...history.map(timelineItem))
  opener = document.activeElement
  dialog.showModal()
}

export const wireLeads = (reload) => {
  const body = document.querySelector('#leads tbody')
  const open = (tr) => tr?.dataset.leadId && void openDetail(tr.dataset.leadId)
  body.addEventListener('click', (e) => open(e.target.closest('tr')))
  body.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return
    e.preventDefault()
    open(e.target.closest('tr'))
  })
  const dialog = document.getElementById('detail')
  document.getElementById('detail-close').addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => opener?.focus?.())
  document.getElementById('next').addEventListener('click', () => {
    nextPage()
    reload()
  })
  document.getElementById('prev').addEventListener('click', () => {
    previousPage()
    reload()
  })
  document.getElementById('first').addEventListener('click', () => {
    firstPage()
    reload()
  })
}

export const shownLeads = () => shown
