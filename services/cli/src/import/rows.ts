// What `leadstream import` sends for each unit of a file: an NDJSON line is one native event as written; a CSV
// row (one lead, CRM-export style) becomes its LeadCaptured plus one lifecycle event per filled-in lifecycle
// column, in time order. Event ids are derived from the lead and the step (not the line), so importing the file
// again, or a re-ordered or grown export of it, writes nothing twice.
import { deterministicEventId, storefrontOf, defaultSources } from '@leadstream/domain'

/** One line of NDJSON or one CSV row: the events to send, or why it cannot be sent (named by its line). */
export interface Unit {
  readonly line: number
  readonly events: ReadonlyArray<string>
  readonly error: string | null
}

export const ndjsonUnit = (line: number, text: string): Unit | null => {
  const trimmed = text.trim()
  if (trimmed === '') return null
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch (e) {
    return { line, events: [], error: `not JSON (${e instanceof Error ? e.message.replace(/^.*?: /, '') : String(e)})` }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    return { line, events: [], error: 'expected one JSON object (one native event) per line' }
  return { line, events: [trimmed], error: null }
}

// ---------------------------------------------------------------------------------------------------------
// CSV: the header mapping (README, "Importing history")
// ---------------------------------------------------------------------------------------------------------

/** Column → field; a header cell matches ignoring case, spaces, `_` and `-` (`Qualified At`, `qualified_at`). */
export const csvColumns = {
  leadId: ['leadid', 'id'],
  storefront: ['storefront'],
  leadSource: ['leadsource', 'source'],
  action: ['action', 'actioncode'],
  offerId: ['offerid'],
  offerTitle: ['offertitle', 'offer'],
  email: ['email'],
  firstName: ['firstname'],
  lastName: ['lastname'],
  phone: ['phone'],
  country: ['country'],
  company: ['company'],
  title: ['title', 'jobtitle'],
  description: ['description'],
  campaigns: ['campaigns'],
  isTest: ['istest'],
  by: ['by', 'owner'],
  capturedAt: ['capturedat', 'createdat', 'createdon'],
  contactedAt: ['contactedat'],
  contactChannel: ['contactchannel', 'channel'],
  nurturingAt: ['nurturingat', 'nurturingstartedat'],
  qualifiedAt: ['qualifiedat'],
  convertedAt: ['convertedat'],
  disqualifiedAt: ['disqualifiedat'],
  disqualificationReason: ['disqualificationreason', 'reason'],
} as const
export type CsvField = keyof typeof csvColumns

/** The action recorded for a row without an `action` column: an unknown code, so counted under "other". */
export const defaultImportAction = 'CRM'
export const defaultImportBy = 'import'

const normalise = (h: string) => h.toLowerCase().replace(/[\s_-]/g, '')

export type Header =
  | { readonly ok: true; readonly index: Readonly<Partial<Record<CsvField, number>>>; readonly ignored: ReadonlyArray<string> }
  | { readonly ok: false; readonly reason: string }

export const readHeader = (cells: ReadonlyArray<string>): Header => {
  const index: Partial<Record<CsvField, number>> = {}
  const ignored: string[] = []
  cells.forEach((cell, i) => {
    const n = normalise(cell.replace(/^\uFEFF/, ''))
    const field = (Object.keys(csvColumns) as CsvField[]).find((f) => (csvColumns[f] as ReadonlyArray<string>).includes(n))
    if (field === undefined || index[field] !== undefined) ignored.push(cell)
    else index[field] = i
  })
  const missing = [
    ...(index.leadId === undefined ? ['leadId'] : []),
    ...(index.capturedAt === undefined ? ['capturedAt'] : []),
    ...(index.storefront === undefined && index.leadSource === undefined ? ['storefront (or leadSource)'] : []),
    ...(index.offerId === undefined && index.offerTitle === undefined ? ['offerId (or offerTitle)'] : []),
  ]
  return missing.length > 0 ? { ok: false, reason: `the CSV header lacks ${missing.join(', ')}` } : { ok: true, index, ignored }
}

/** A date alone (`2026-03-01`) is midnight UTC; anything else goes as written (the server names a bad one). */
const instant = (s: string): string => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s)

/** Dynamics 365's wording of the reasons is accepted too: `Cannot contact`, `No longer interested`, `Canceled`. */
const reasonOf = (s: string): string => {
  const r = s
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
  return r === 'no-longer-interested' ? 'not-interested' : r === 'cancelled' ? 'canceled' : r
}

const lifecycleSteps = [
  ['contactedAt', 'LeadContacted'],
  ['nurturingAt', 'LeadNurturingStarted'],
  ['qualifiedAt', 'LeadQualified'],
  ['convertedAt', 'LeadConverted'],
  ['disqualifiedAt', 'LeadDisqualified'],
] as const

export const csvUnit = (header: Extract<Header, { ok: true }>, line: number, cells: ReadonlyArray<string>): Unit => {
  const get = (f: CsvField): string => {
    const i = header.index[f]
    return i === undefined ? '' : (cells[i] ?? '').trim()
  }
  const fail = (error: string): Unit => ({ line, events: [], error })
  const leadId = get('leadId')
  if (leadId === '') return fail('leadId: empty')
  const capturedAt = get('capturedAt')
  if (capturedAt === '') return fail('capturedAt: empty')
  const leadSource = get('leadSource')
  let storefront = get('storefront')
  if (storefront === '') {
    const s = storefrontOf(defaultSources, leadSource)
    if (s._tag === 'Left') return fail(`leadSource: "${leadSource}" names no storefront; give a storefront column (AppSource or AzureMarketplace)`)
    storefront = s.right
  }
  const by = get('by') === '' ? defaultImportBy : get('by')
  const optional = (f: CsvField, key = f as string): Record<string, string> => (get(f) === '' ? {} : { [key]: get(f) })
  const isTest = get('isTest').toLowerCase()
  const campaigns = get('campaigns')
  const capture = {
    type: 'LeadCaptured',
    version: 1,
    eventId: deterministicEventId(`import|${leadId}|LeadCaptured`),
    leadId,
    occurredAt: instant(capturedAt),
    data: {
      storefront,
      action: get('action') === '' ? defaultImportAction : get('action'),
      offer: { ...optional('offerId', 'id'), ...optional('offerTitle', 'title') },
      ...(leadSource === '' ? {} : { leadSource }),
      customer: {
        ...optional('firstName'),
        ...optional('lastName'),
        ...optional('email'),
        ...optional('phone'),
        ...optional('country'),
        ...optional('company'),
        ...optional('title'),
      },
      ...optional('description'),
      ...(campaigns === ''
        ? {}
        : {
            campaigns: campaigns
              .split(/[;|]/)
              .map((c) => c.trim())
              .filter((c) => c !== ''),
          }),
      ...(isTest === '' ? {} : { isTest: isTest === 'true' || isTest === '1' || isTest === 'yes' }),
    },
  }
  const steps = lifecycleSteps.map(([column, type], order) => ({ column, type, order, at: get(column) })).filter((s) => s.at !== '')
  if (get('disqualificationReason') !== '' && get('disqualifiedAt') === '') return fail('disqualificationReason: given without disqualifiedAt')
  if (get('disqualifiedAt') !== '' && get('disqualificationReason') === '')
    return fail('disqualificationReason: required with disqualifiedAt (lost, cannot-contact, not-interested, canceled, duplicate)')
  const timed = steps.map((s) => ({ ...s, ms: Date.parse(instant(s.at)) }))
  const bad = timed.find((s) => Number.isNaN(s.ms))
  if (bad !== undefined) return fail(`${bad.column}: not a date-time: "${bad.at}"`)
  // In time order; on a tie, in the lifecycle's order (contacted before qualified the same minute).
  timed.sort((a, b) => a.ms - b.ms || a.order - b.order)
  const events = timed.map((s) => ({
    type: s.type,
    version: 1,
    eventId: deterministicEventId(`import|${leadId}|${s.type}`),
    leadId,
    occurredAt: instant(s.at),
    data: {
      by,
      ...(s.type === 'LeadContacted' && get('contactChannel') !== '' ? { channel: get('contactChannel').toLowerCase() } : {}),
      ...(s.type === 'LeadDisqualified' ? { reason: reasonOf(get('disqualificationReason')) } : {}),
    },
  }))
  return { line, events: [capture, ...events].map((e) => JSON.stringify(e)), error: null }
}
