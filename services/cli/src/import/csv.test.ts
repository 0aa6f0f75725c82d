// The import's CSV reader: RFC 4180 records from any chunking, each with the line it starts on.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { csvReader, type CsvRecord } from './csv.js'

const read = (text: string, chunk = text.length): CsvRecord[] => {
  const r = csvReader()
  const out: CsvRecord[] = []
  for (let i = 0; i < text.length; i += chunk) out.push(...r.push(text.slice(i, i + chunk)))
  return [...out, ...r.end()]
}

const test = suite('csvReader')

test('records :: quotes, doubled quotes, commas and line breaks inside quotes; the line each starts on', () => {
  const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,"two\nlines",z\n3,,\n4,last'
  for (const chunk of [1, 2, 3, 7, text.length]) {
    const got = read(text, chunk)
    assert.equal(
      got.map((r) => [r.line, r.fields, r.error]),
      [
        [1, ['a', 'b', 'c'], null],
        [2, ['1', 'x, y', 'say "hi"'], null],
        [4, ['2', 'two\nlines', 'z'], null],
        [6, ['3', '', ''], null],
        [7, ['4', 'last'], null],
      ],
      `chunk ${chunk}`,
    )
  }
})

test('errors :: a stray quote, text after a closing quote, an unterminated quote name the record', () => {
  assert.equal(
    read('ok,1\nba"d,2\n"q"x,3\n"open,4\n5').map((r) => [r.line, r.error]),
    [
      [1, null],
      [2, 'a quote inside an unquoted field (field 1)'],
      [3, 'text after a closing quote (field 1)'],
      [4, 'the file ends inside a quoted field'],
    ],
  )
})

test.run()
