// emailsIn / subjectsInText: every address in a raw payload is found, however it was written.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { emailsIn, subjectsInText } from './scan.js'
import { subjectOfEmail } from './subject.js'

const test = suite('emailsIn')
const secret = { bytes: Buffer.alloc(32, 7) }

test('emailsIn :: finds addresses in JSON, form text and broken JSON, normalised, once each', () => {
  assert.equal(emailsIn('{"UserDetails":{"Email":"Ada.L@Example.COM"},"x":"ada.l@example.com"}'), ['ada.l@example.com'])
  assert.equal([...emailsIn('first_name=Bo&email=bo%40x.io&other=c@d.org')].sort(), ['bo@x.io', 'c@d.org'])
  assert.equal([...emailsIn('{oops "e":"z@y.co.uk", "f":"q@r.de"')].sort(), ['q@r.de', 'z@y.co.uk'])
  assert.equal(emailsIn('no address here @ all'), [])
})

test('emailsIn :: an address written with JSON escapes is found', () => {
  assert.equal(emailsIn('{"Email":"ann\\u0040contoso.com"}'), ['ann@contoso.com'])
  assert.equal(emailsIn('{"Email":"ann\\u0040contoso.com" broken'), ['ann@contoso.com'])
})

test('subjectsInText :: the keyed subject of each address, as subjectOfEmail gives it', () => {
  assert.equal(subjectsInText(secret)('{"Email":" Ann@Contoso.com "}'), [subjectOfEmail(secret, 'ann@contoso.com')])
})

test('emailsIn :: an address ends where the domain does; the next one may start right after it', () => {
  assert.equal(emailsIn('a@b.com_x@c.org'), ['a@b.com', '_x@c.org'])
  assert.equal(emailsIn('@@a@b.c@d.e x@y'), ['a@b.c'])
})

test('emailsIn :: linear in the text: 150 kB with no address, or with an @ every so often, takes milliseconds (a regex took a minute)', () => {
  // A regex over the whole text read a long run of local-part characters once per start: 100 kB took 25 s.
  for (const text of ['x'.repeat(150_000), `a@${'b-'.repeat(75_000)}`, `${'a.'.repeat(75_000)}@`, `a@${'b'.repeat(1000)}`.repeat(150)]) {
    const started = process.hrtime.bigint()
    emailsIn(text)
    const ms = Number(process.hrtime.bigint() - started) / 1e6
    assert.ok(ms < 1000, `${text.slice(0, 10)}…: ${ms.toFixed(0)} ms`)
  }
})

test.run()
