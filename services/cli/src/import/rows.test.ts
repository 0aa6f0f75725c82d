// The import's units: a CSV header mapped by name (aliases, any casing), a row into its capture and lifecycle
// events in time order with ids from the lead and step; an NDJSON line as one event or a named error.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { csvUnit, ndjsonUnit, readHeader } from './rows.js'

const header = (cells: ReadonlyArray<string>) => {
  const h = readHeader(cells)
  if (!h.ok) throw new Error(h.reason)
  return h
}
const events = (cells: ReadonlyArray<string>, row: ReadonlyArray<string>) =>
  csvUnit(header(cells), 2, row).events.map((e) => JSON.parse(e) as Record<string, unknown>)

const test = suite('import rows')

test('header :: aliases in any casing; missing required columns named; unknown ones ignored', () => {
  const h = header(['\uFEFFLead ID', 'Source', 'offer_title', 'Created On', 'Qualified-At', 'Priority'])
  assert.equal(h.index, { leadId: 0, leadSource: 1, offerTitle: 2, capturedAt: 3, qualifiedAt: 4 })
  assert.equal(h.ignored, ['Priority'])
  const bad = readHeader(['email', 'contactedAt'])
  assert.equal(bad, { ok: false, reason: 'the CSV header lacks leadId, capturedAt, storefront (or leadSource), offerId (or offerTitle)' })
})

test('row :: the capture, then lifecycle events in time order (ties in lifecycle order), at their own times', () => {
  const cols = ['leadId', 'storefront', 'offerId', 'email', 'capturedAt', 'qualifiedAt', 'contactedAt', 'contactChannel', 'disqualifiedAt', 'reason']
  const got = events(cols, ['L1', 'AppSource', 'contoso.crm', 'a@b.com', '2026-01-05', '2026-01-06T09:00:00Z', '2026-01-06T09:00:00Z', 'Phone', '', ''])
  assert.equal(
    got.map((e) => e['type']),
    ['LeadCaptured', 'LeadContacted', 'LeadQualified'],
  )
  assert.equal(
    got.map((e) => e['occurredAt']),
    ['2026-01-05T00:00:00Z', '2026-01-06T09:00:00Z', '2026-01-06T09:00:00Z'],
  )
  assert.equal(got[1]?.['data'], { by: 'import', channel: 'phone' })
  const captured = (got[0]?.['data'] ?? {}) as Record<string, unknown>
  assert.equal(captured['customer'], { email: 'a@b.com' })
  assert.is(captured['action'], 'CRM')
  const again = events(cols, ['L1', 'AppSource', 'other.offer', 'x@y.com', '2026-01-01', '', '2026-01-02', '', '', ''])
  assert.is(again[0]?.['eventId'], got[0]?.['eventId'], 'the id comes from the lead and the step, not the row content')
  assert.is(again[1]?.['eventId'], got[1]?.['eventId'])
  const dq = events(cols, ['L2', 'AzureMarketplace', 'o', '', '2026-01-05', '', '', '', '2026-01-07', 'No longer interested'])
  assert.equal(dq[1], {
    type: 'LeadDisqualified',
    version: 1,
    eventId: dq[1]?.['eventId'],
    leadId: 'L2',
    occurredAt: '2026-01-07T00:00:00Z',
    data: { by: 'import', reason: 'not-interested' },
  })
})

test('row :: what cannot be sent is an error of its line', () => {
  const h = header(['leadId', 'leadSource', 'offerId', 'capturedAt', 'contactedAt', 'disqualifiedAt', 'reason'])
  const err = (row: ReadonlyArray<string>) => csvUnit(h, 9, row).error
  assert.is(err(['', 'SPZA', 'o', '2026-01-01', '', '', '']), 'leadId: empty')
  assert.is(err(['L', 'SPZA', 'o', '', '', '', '']), 'capturedAt: empty')
  assert.match(err(['L', 'Bing', 'o', '2026-01-01', '', '', '']) ?? '', /leadSource: "Bing" names no storefront/)
  assert.is(err(['L', 'SPZA', 'o', '2026-01-01', 'soon', '', '']), 'contactedAt: not a date-time: "soon"')
  assert.match(err(['L', 'SPZA', 'o', '2026-01-01', '', '2026-01-02', '']) ?? '', /disqualificationReason: required/)
  assert.is(err(['L', 'SPZA', 'o', '2026-01-01', '', '', 'lost']), 'disqualificationReason: given without disqualifiedAt')
  assert.is(csvUnit(h, 9, ['L', 'SPZA', 'o', '2026-01-01', '', '', '']).line, 9)
})

test('ndjson :: one object per line; blank lines skipped; anything else named', () => {
  assert.equal(ndjsonUnit(3, ' {"type":"LeadQualified"}\r'), { line: 3, events: ['{"type":"LeadQualified"}'], error: null })
  assert.is(ndjsonUnit(4, '   '), null)
  assert.match(ndjsonUnit(5, '{oops')?.error ?? '', /^not JSON/)
  assert.is(ndjsonUnit(6, '[1]')?.error, 'expected one JSON object (one native event) per line')
})

test.run()
