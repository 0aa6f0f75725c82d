// The export's CSV cells and rows: RFC 4180 quoting and formula neutralisation.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { exportColumns } from '@leadstream/api'
import { emptyCustomer } from '@leadstream/domain'
import { csvCell, csvHeader, csvRow, type PresentedLead } from './csv.js'

const cells = suite('csv cells')

cells('rfc 4180 :: plain text stays bare, quotes are doubled, separators and line breaks are quoted', () => {
  assert.is(csvCell('Contoso CRM'), 'Contoso CRM')
  assert.is(csvCell(''), '')
  assert.is(csvCell('say "hi"'), '"say ""hi"""')
  assert.is(csvCell('a,b'), '"a,b"')
  assert.is(csvCell('line\nbreak'), '"line\nbreak"')
  assert.is(csvCell('cr\rlf'), '"cr\rlf"')
  assert.is(csvCell('Zoë, Ünïcødé ✓'), '"Zoë, Ünïcødé ✓"')
})

cells('formulas :: cells starting with = + - @ tab or CR get a leading quote mark', () => {
  assert.is(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`)
  assert.is(csvCell('+1 555 0100'), "'+1 555 0100")
  assert.is(csvCell('-2+3'), "'-2+3")
  assert.is(csvCell('@SUM(A1)'), "'@SUM(A1)")
  assert.is(csvCell('\t=1'), "'\t=1")
  assert.is(csvCell('\r=1'), `"'\r=1"`)
  assert.is(csvCell('a=b'), 'a=b', 'only the first character matters')
})
cells.run()

const rows = suite('csv rows')

const lead: PresentedLead = {
  leadId: 'mk-1',
  state: 'contacted',
  storefront: 'AppSource',
  campaign: 'nurture',
  leadSource: 'SPZA',
  offer: { id: null, title: 'Contoso, CRM', kind: 'saas' },
  actions: ['PLT', 'INS'],
  doNotContact: false,
  isTest: false,
  customer: { ...emptyCustomer, firstName: '=cmd', email: 'ann@contoso.com', phone: '+1 555' },
  description: 'two\r\nlines',
  campaigns: ['spring', 'fall'],
  capturedAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T11:00:00.000Z',
  revision: 1,
  erasedAt: null,
}

rows('header :: the contract columns in order, CRLF-terminated', () => {
  assert.is(csvHeader(), `${exportColumns.join(',')}\r\n`)
})

rows('row :: one cell per column in the header order, lists joined with ;', () => {
  assert.is(
    csvRow(lead),
    'mk-1,2026-11-25T10:00:00.000Z,2026-11-25T11:00:00.000Z,contacted,AppSource,nurture,SPZA,,"Contoso, CRM",saas,PLT;INS,false,false,' +
      `'=cmd,,ann@contoso.com,'+1 555,,,,"two\r\nlines",spring;fall,\r\n`,
  )
})

rows('row :: an erased lead shows when it was erased, its contact cells empty', () => {
  const erased = { ...lead, customer: { ...emptyCustomer, country: 'GB' }, description: null, erasedAt: '2026-12-01T07:00:00.000Z' }
  assert.ok(csvRow(erased).endsWith(',,,,,GB,,,,spring;fall,2026-12-01T07:00:00.000Z\r\n'), csvRow(erased))
})
rows.run()
