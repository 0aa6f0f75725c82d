// The CSV and NDJSON exports end to end on the embedded server: the rows equal the lead list's under the same
// filters, the CSV reads back under RFC 4180, formulas are neutralised, and the exports need the analyst role.
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ErasureAnswer, exportColumns, LeadView, Problem } from '@leadstream/api'
import { findInFiles } from '../support/bytes.js'
import { csvRecords } from '../support/csv.js'
import { decodeAs, http, startTestServer, type TestServer } from '../support/embedded.js'
import { marketplaceLead, rng } from '../support/leads.js'

// JSON answers read field by field; their shapes are the contract's, which test/api checks.
// biome-ignore lint/suspicious/noExplicitAny: read loosely on purpose (see above); test/api checks the shapes
const loose = (a: { body: unknown }): any => a.body

const test = suite<{ server: TestServer; position: number }>('exports')

test.before(async (ctx) => {
  ctx.server = await startTestServer()
  const r = rng(11)
  const leads = Array.from({ length: 240 }, (_, i) => marketplaceLead(i, r).payload)
  // Text a spreadsheet would run, quotes, separators, line breaks and non-ASCII in contact fields.
  leads.push({
    UserDetails: {
      FirstName: '=HYPERLINK("http://evil.example","click")',
      LastName: 'Zoë, "the" Ünïcødé',
      Email: 'eve@example.com',
      Phone: '+1 555 0100',
      Country: 'DE',
      Company: '@corp',
      Title: '-CEO',
    },
    LeadSource: 'SPZA',
    ActionCode: 'PLT',
    OfferTitle: 'Contoso CRM',
    Description: 'line one\r\nline two, with a comma',
  })
  leads.push({
    UserDetails: { FirstName: 'MSFT_TEST_1', Email: 'MSFT_TEST_1@microsoft.com' },
    LeadSource: 'SPZA',
    ActionCode: 'PLT',
    OfferTitle: 'Contoso CRM',
  })
  const a = await http('POST', `${ctx.server.url}/v1/marketplace/leads`, leads)
  assert.is(a.status, 200, JSON.stringify(a.body))
  // A few leads move on, so the state filter has something to find.
  let position = loose(a).position as number
  const ids = (loose(a).results as Array<{ leadId: string }>).map((x) => x.leadId)
  for (const id of ids.slice(0, 12)) {
    const c = await http('POST', `${ctx.server.url}/v1/leads/${id}/commands`, { type: 'ContactLead', by: 'sam' })
    assert.is(c.status, 201, JSON.stringify(c.body))
    position = Math.max(position, loose(c).position as number)
  }
  ctx.position = position
})
test.after(async ({ server }) => server.dispose())

/** Every lead of the list route under a query, following `next`. */
const listAll = async (url: string, query: string): Promise<LeadView[]> => {
  const out: LeadView[] = []
  for (let cursor: string | null = null; ; ) {
    const page = await http('GET', `${url}/v1/leads?${query}&limit=100${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`)
    assert.is(page.status, 200, JSON.stringify(page.body))
    out.push(...(loose(page).items as LeadView[]))
    cursor = loose(page).next as string | null
    if (cursor === null) return out
  }
}

const cellOf = (l: LeadView, column: (typeof exportColumns)[number]): string => {
  const flat: Record<string, unknown> = { ...l, ...l.customer, offerId: l.offer.id, offerTitle: l.offer.title, offerKind: l.offer.kind }
  const v = flat[column]
  return Array.isArray(v) ? v.join(';') : v === null || v === undefined ? '' : String(v)
}
const plain = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell)

for (const query of [
  '',
  'storefront=AppSource',
  'campaign=demand-generation&state=captured',
  'state=contacted',
  'includeTest=true',
  'offer=Contoso%20CRM&country=US',
  'action=INS&from=2026-01-01',
]) {
  test(`csv :: the rows equal the lead list's under the same filters (${query === '' ? 'none' : query})`, async ({ server, position }) => {
    const expected = await listAll(server.url, `minPosition=${position}&${query}`)
    const res = await fetch(`${server.url}/v1/exports/leads.csv?minPosition=${position}&${query}`)
    assert.is(res.status, 200)
    assert.is(res.headers.get('content-type'), 'text/csv; charset=utf-8; header=present')
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/)
    assert.ok(Number(res.headers.get('x-view-position')) >= position)
    const { header, records } = csvRecords(await res.text())
    assert.equal(header, [...exportColumns])
    assert.ok(expected.length > 0)
    assert.is(records.length, expected.length)
    records.forEach((rec, i) => {
      for (const c of exportColumns) assert.is(plain(rec[c]!), cellOf(expected[i]!, c), `row ${i} ${c}`)
    })
  })
}

test('csv :: cells a spreadsheet would run as formulas start with a quote mark; the rest reads back verbatim', async ({ server, position }) => {
  const res = await fetch(`${server.url}/v1/exports/leads.csv?minPosition=${position}&storefront=AppSource`)
  const eve = csvRecords(await res.text()).records.find((r) => r['email'] === 'eve@example.com')
  assert.ok(eve !== undefined)
  assert.is(eve['firstName'], `'=HYPERLINK("http://evil.example","click")`)
  assert.is(eve['phone'], "'+1 555 0100")
  assert.is(eve['company'], "'@corp")
  assert.is(eve['title'], "'-CEO")
  assert.is(eve['lastName'], 'Zoë, "the" Ünïcødé')
  assert.is(eve['description'], 'line one\r\nline two, with a comma')
  assert.is(eve['leadSource'], 'SPZA')
})

test("ndjson :: one LeadView per line, the list route's leads in its order", async ({ server, position }) => {
  const expected = await listAll(server.url, `minPosition=${position}&storefront=AzureMarketplace`)
  const res = await fetch(`${server.url}/v1/exports/leads.ndjson?minPosition=${position}&storefront=AzureMarketplace`)
  assert.is(res.status, 200)
  assert.is(res.headers.get('content-type'), 'application/x-ndjson; charset=utf-8')
  assert.match(res.headers.get('content-disposition') ?? '', /filename="leads-\d{4}-\d{2}-\d{2}\.ndjson"/)
  const text = await res.text()
  assert.ok(text.endsWith('\n'))
  const lines = text
    .slice(0, -1)
    .split('\n')
    .map((l) => JSON.parse(l) as unknown)
  const decoded = t.array(LeadView).decode(lines)
  assert.ok(E.isRight(decoded), 'every line decodes as a LeadView')
  assert.equal(lines, expected)
})

test('exports :: a bad filter is a 400 naming it, before any row', async ({ server }) => {
  const res = await http('GET', `${server.url}/v1/exports/leads.csv?storefront=Bing`)
  assert.is(res.status, 400)
  assert.is(decodeAs(Problem, res.body).error.problems[0]?.path, 'storefront')
  const typo = await http('GET', `${server.url}/v1/exports/leads.ndjson?colour=red`)
  assert.is(typo.status, 400)
  assert.is(decodeAs(Problem, typo.body).error.problems[0]?.path, 'colour')
})

test.run()

const secured = suite<{ server: TestServer }>('exports :: tokens')
secured.before(async (ctx) => {
  ctx.server = await startTestServer({ LEADSTREAM_ANALYST_TOKENS: 'analyst-secret', LEADSTREAM_INGEST_TOKENS: 'ingest-secret' })
})
secured.after(async ({ server }) => server.dispose())

secured('tokens :: the export needs the analyst role', async ({ server }) => {
  assert.is((await fetch(`${server.url}/v1/exports/leads.csv`)).status, 401)
  assert.is((await fetch(`${server.url}/v1/exports/leads.csv`, { headers: { authorization: 'Bearer ingest-secret' } })).status, 403)
  const ok = await fetch(`${server.url}/v1/exports/leads.csv`, { headers: { authorization: 'Bearer analyst-secret' } })
  assert.is(ok.status, 200)
  assert.is(await ok.text(), `${exportColumns.join(',')}\r\n`)
})
secured.run()

// Contact data is sealed in the event log (README "Personal data"): the export must still hold it in clear for
// live leads (the views hold what the projector opened), and nothing of it for an erased person's leads, whose
// rows stay (state, offer, capture time) with erasedAt set.
const erased = suite<{ server: TestServer }>('exports :: sealed and erased contact data')
erased.before(async (ctx) => {
  ctx.server = await startTestServer()
})
erased.after(async ({ server }) => server.dispose())

erased('erasure :: live leads export their contact data in clear, an erased lead keeps its row with every contact field empty', async ({ server }) => {
  const person = (first: string, email: string) => ({
    UserDetails: { FirstName: first, LastName: 'Sealed', Email: email, Phone: '555 0199', Country: 'NL', Company: `${first} BV`, Title: 'CTO' },
    LeadSource: 'SPZA',
    ActionCode: 'PLT',
    OfferTitle: 'Contoso CRM',
    Description: `call ${first} after lunch`,
  })
  const posted = await http('POST', `${server.url}/v1/marketplace/leads`, [person('Lotte', 'lotte@example.nl'), person('Erik', 'erik@example.nl')])
  assert.is(posted.status, 200, JSON.stringify(posted.body))
  assert.equal(
    findInFiles(server.dataDir, ['lotte@example.nl', 'erik@example.nl'], (f) => f.startsWith('events.db')),
    [],
    'the log holds the contact data sealed',
  )
  const erasure = await http('POST', `${server.url}/v1/privacy/erasures`, { email: 'erik@example.nl', by: 'dpo', reason: 'asked' })
  assert.is(erasure.status, 200, JSON.stringify(erasure.body))
  const position = decodeAs(ErasureAnswer, erasure.body).position
  const csv = csvRecords(await (await fetch(`${server.url}/v1/exports/leads.csv?minPosition=${position}`)).text()).records
  const lines = (await (await fetch(`${server.url}/v1/exports/leads.ndjson?minPosition=${position}`)).text()).trim().split('\n')
  const ndjson = lines.map((l) => decodeAs(LeadView, JSON.parse(l)))
  assert.is(csv.length, 2, 'the erased lead is still exported')
  const [erik, lotte] = [csv.find((r) => r['erasedAt'] !== ''), csv.find((r) => r['erasedAt'] === '')]
  assert.ok(erik !== undefined && lotte !== undefined)
  assert.equal(
    [lotte['firstName'], lotte['lastName'], lotte['email'], lotte['phone'], lotte['company'], lotte['title'], lotte['description']],
    ['Lotte', 'Sealed', 'lotte@example.nl', '555 0199', 'Lotte BV', 'CTO', 'call Lotte after lunch'],
  )
  assert.equal(
    [erik['firstName'], erik['lastName'], erik['email'], erik['phone'], erik['company'], erik['title'], erik['description']],
    ['', '', '', '', '', '', ''],
  )
  assert.equal([erik['state'], erik['offerTitle'], erik['storefront']], ['captured', 'Contoso CRM', 'AppSource'])
  assert.ok(erik['capturedAt'] !== '')
  const erikJson = ndjson.find((l) => l.erasedAt !== null)
  assert.ok(erikJson !== undefined)
  assert.equal(
    Object.values(erikJson.customer).filter((v) => v !== '' && v !== 'NL'),
    [],
    'no contact field but the country',
  )
  assert.is(ndjson.find((l) => l.erasedAt === null)?.customer.email, 'lotte@example.nl')
})
erased.run()
