// Property-based fuzzing of every inbound decoder: whatever the input, a decoder returns (never throws) a
// value or a Left whose problems are non-empty and each names a path and a reason.
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import {
  decodeCatalogueEntry,
  decodeMarketplaceLead,
  decodeNativeLead,
  decodeQualificationCommand,
  problemsOf,
  readJson,
  withSources,
  type FieldProblem,
  type LeadError,
  keyedHash,
} from '@leadstream/domain'
import { routes } from '@leadstream/api'
import { decodeQuery } from '@leadstream/query-api'
import { anyInput, catalogue, command, crmForm, httpsLead, nativeEvent, tableRow, text } from './arbitraries.js'
import { fuzzParams } from './settings.js'

const test = suite('fuzz decoders')
const sources = withSources({})
const at = '2026-11-25T10:00:00.000Z'

/** The property every decoder must keep. */
const answers = <A>(decoded: E.Either<LeadError, A>): boolean => E.isRight(decoded) || namedProblems(problemsOf(decoded.left))
const namedProblems = (problems: ReadonlyArray<FieldProblem>): boolean =>
  problems.length > 0 && problems.every((p) => typeof p.path === 'string' && p.path !== '' && typeof p.reason === 'string' && p.reason !== '')

// ---------------------------------------------------------------------------------------------------------
// properties
// ---------------------------------------------------------------------------------------------------------

test('marketplace :: HTTPS JSON in any casing, Azure Table rows, CRM forms and anything else are answered', () => {
  fc.assert(
    fc.property(fc.oneof(httpsLead, tableRow, crmForm, anyInput), (v) =>
      answers(decodeMarketplaceLead(sources, { receivedAt: at, identity: keyedHash(Buffer.from('test identity secret')) }, v)),
    ),
    fuzzParams(1500),
  )
})

test('native :: events and anything else are answered', () => {
  fc.assert(
    fc.property(fc.oneof(nativeEvent, anyInput), (v) => answers(decodeNativeLead(v))),
    fuzzParams(800),
  )
})

test('commands :: qualification commands and anything else are answered', () => {
  fc.assert(
    fc.property(fc.oneof(fc.constant('x-1'), text), fc.oneof(command, anyInput), (id, v) => answers(decodeQualificationCommand(id, at, v))),
    fuzzParams(800),
  )
})

test('catalogue :: entries, arrays of them and anything else are answered', () => {
  fc.assert(
    fc.property(fc.oneof(catalogue, fc.array(catalogue, { maxLength: 3 }), anyInput), (v) => answers(decodeCatalogueEntry(at, v))),
    fuzzParams(800),
  )
})

test('query strings :: the query codec of every route in the table decodes any parameters to a value or named problems', () => {
  const codecs = routes.flatMap((r) => (r.query === undefined ? [] : [r.query]))
  const names = [
    ...new Set(['limit', 'cursor', 'after', 'minPosition', 'waitMs', 'includeTest', 'state', 'storefront', 'from', 'to', 'tz', 'bucket', 'by', 'status']),
  ]
  const key = fc.oneof(fc.constantFrom(...names), text)
  const value = fc.oneof(
    text,
    fc.constantFrom('0', '1', '1000', '1001', '0x10', '1e2', '-1', ' 1', 'true', 'captured', '2026-11-01', 'Europe/Berlin', 'day'),
    fc.array(text, { maxLength: 2 }),
  )
  const query = fc.dictionary(key, value, { maxKeys: 4 })
  fc.assert(
    fc.property(fc.constantFrom(...codecs), query, (codec, q) => {
      const r = decodeQuery(codec, q)
      return E.isRight(r) || namedProblems(r.left)
    }),
    fuzzParams(1500),
  )
})

test('json :: any text is read to a value, items or a reason', () => {
  const body = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.json({ maxDepth: 5 }),
    fc.integer({ min: 60, max: 300 }).map((n) => `[{"a":1},${'['.repeat(n)}${']'.repeat(n)}]`),
  )
  fc.assert(
    fc.property(body, (s) => {
      const r = readJson(s)
      return r._tag === 'Unreadable' ? r.reason !== '' : r._tag === 'One' || r.items.every((it) => typeof it.text === 'string')
    }),
    fuzzParams(1000),
  )
})

test.run()
