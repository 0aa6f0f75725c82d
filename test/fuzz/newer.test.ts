// Property-based fuzzing of the decoders added after the first fuzz suite: native lifecycle events, webhook
// subscription and replay bodies, privacy request bodies, the rows `leadstream import` reads (CSV records and
// their header mapping, NDJSON lines) and the CLI's argument parsing. Each answers a value or named problems,
// and never throws.
import { existsSync } from 'node:fs'
import * as fc from 'fast-check'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ErasureRequest, NewSubscription, SubjectSearch, WebhookReplay } from '@leadstream/api'
import { decodeNativeLead, fromValidation, problemsOf } from '@leadstream/domain'
import { run } from '../../services/cli/src/cli.js'
import type { Io } from '../../services/cli/src/render.js'
import { csvReader, type CsvRecord } from '../../services/cli/src/import/csv.js'
import { csvColumns, csvUnit, ndjsonUnit, readHeader } from '../../services/cli/src/import/rows.js'
import { anyInput, lifecycleEvent, nativeEvent, privacyRequest, subscription, text, webhookReplay } from './arbitraries.js'
import { fuzzParams } from './settings.js'

const test = suite('fuzz newer decoders')

const named = (problems: ReadonlyArray<{ path: string; reason: string }>): boolean =>
  problems.length > 0 && problems.every((p) => typeof p.path === 'string' && typeof p.reason === 'string' && p.reason !== '')

/** A route body codec: a value, or problems that each name a reason. */
const answersCodec =
  <A>(codec: t.Decoder<unknown, A>) =>
  (v: unknown): boolean => {
    const d = codec.decode(v)
    return E.isRight(d) || named(fromValidation(d.left))
  }

test('native lifecycle :: every lifecycle type, right and wrong, is answered', () => {
  fc.assert(
    fc.property(fc.oneof(lifecycleEvent, nativeEvent, anyInput), (v) => {
      const d = decodeNativeLead(v)
      return E.isRight(d) || named(problemsOf(d.left))
    }),
    fuzzParams(1500),
  )
})

test('webhooks :: subscription and replay bodies are answered', () => {
  fc.assert(fc.property(fc.oneof(subscription, anyInput), answersCodec(NewSubscription)), fuzzParams(1000))
  fc.assert(fc.property(fc.oneof(webhookReplay, anyInput), answersCodec(WebhookReplay)), fuzzParams(500))
})

test('privacy :: erasure requests and subject searches are answered', () => {
  fc.assert(
    fc.property(fc.oneof(privacyRequest, anyInput), (v) => answersCodec(ErasureRequest)(v) && answersCodec(SubjectSearch)(v)),
    fuzzParams(1000),
  )
})

// ---------------------------------------------------------------------------------------------------------
// leadstream import
// ---------------------------------------------------------------------------------------------------------

const cell = fc.oneof(text, fc.constantFrom('', '"', '""', 'a,b', 'x\ny', '\r\n', '2026-03-01', '2026-03-01T10:00:00Z', 'AppSource', 'lost', 'true'))
const csvText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc
    .tuple(fc.array(fc.array(cell, { maxLength: 6 }), { maxLength: 6 }), fc.constantFrom('\n', '\r\n'))
    .map(([rows, eol]) => rows.map((r) => r.join(',')).join(eol)),
)
const readAll = (text: string, cuts: ReadonlyArray<number>): ReadonlyArray<CsvRecord> => {
  const reader = csvReader()
  const out: CsvRecord[] = []
  let at = 0
  for (const c of [...cuts].sort((a, b) => a - b)) {
    out.push(...reader.push(text.slice(at, Math.max(at, c))))
    at = Math.max(at, c)
  }
  out.push(...reader.push(text.slice(at)), ...reader.end())
  return out
}

test('import csv :: any text gives the same records however it is cut into chunks, each with its line', () => {
  fc.assert(
    fc.property(csvText, fc.array(fc.nat(300), { maxLength: 5 }), (s, cuts) => {
      const whole = readAll(s, [])
      assert.equal(readAll(s, cuts), whole)
      return whole.every((r) => r.line >= 1 && (r.error === null || r.error !== ''))
    }),
    fuzzParams(1000),
  )
})

const headerCell = fc.oneof(fc.constantFrom(...Object.values(csvColumns).flat(), 'Lead Id', 'Qualified_At', '\uFEFFleadId'), text)
test('import csv :: any header and row become events that are JSON objects, or an error naming its line', () => {
  fc.assert(
    fc.property(fc.array(headerCell, { maxLength: 12 }), fc.array(cell, { maxLength: 12 }), fc.nat(1000), (head, cells, line) => {
      const h = readHeader(head)
      if (!h.ok) return h.reason !== ''
      const u = csvUnit(h, line + 1, cells)
      if (u.line !== line + 1) return false
      if (u.error !== null) return u.error !== '' && u.events.length === 0
      return u.events.length >= 1 && u.events.every((e) => typeof JSON.parse(e) === 'object')
    }),
    fuzzParams(1500),
  )
})

test('import ndjson :: any line is skipped (blank), sent as it is (an object), or named', () => {
  const line = fc.oneof(
    text,
    fc.json({ maxDepth: 3 }),
    lifecycleEvent.map((v) => JSON.stringify(v)),
  )
  fc.assert(
    fc.property(line, (l) => {
      const u = ndjsonUnit(7, l)
      return u === null ? l.trim() === '' : u.error === null ? u.events.length === 1 : u.error !== '' && u.events.length === 0
    }),
    fuzzParams(1000),
  )
})

// ---------------------------------------------------------------------------------------------------------
// the CLI's arguments
// ---------------------------------------------------------------------------------------------------------

const words = ['projections', 'dead-letters', 'parked', 'events', 'import', 'relay', 'privacy', 'webhooks', 'completion']
const verbs = [
  'status',
  'rebuild',
  'pause',
  'resume',
  'list',
  'show',
  'replay',
  'discard',
  'stream',
  'tail',
  'check',
  'reseed',
  'erase',
  'export',
  'add',
  'remove',
  'bash',
]
const flags = [
  '--json',
  '--url',
  '--token',
  '--limit',
  '--after',
  '--status',
  '--from',
  '--follow',
  '--format',
  '--email',
  '--by',
  '--reason',
  '--events',
  '--secret',
  '--help',
  '-h',
  '--nope',
  '--',
]
/** Values that name no local file, so a fuzzed `import` or `events check` reads nothing of this machine's. */
const value = fc.oneof(text, fc.constantFrom('0', '1', '0x1', '-1', '1e3', 'http://127.0.0.1:9', 'x:/', 'https://', '%ff')).filter((s) => !existsSync(s))

const quietIo = (signal: AbortSignal): Io => ({ out: () => {}, err: () => {}, errIsTty: false, columns: 80, signal, drained: async () => {} })

test('cli :: any arguments end in exit 0, 1 or 2 (or 130 when cut short), never a throw', async () => {
  // The privacy rotate command opens a key store under --data-dir: it is left out (it decodes settings, fuzzed elsewhere).
  const argv = fc
    .tuple(fc.constantFrom(...words), fc.constantFrom(...verbs), fc.array(fc.oneof(fc.constantFrom(...flags), value), { maxLength: 6 }))
    .map(([g, v, rest]) => [g, v, ...rest])
    .filter((a) => !a.includes('rotate'))
  const env = { LEADSTREAM_URL: 'http://127.0.0.1:9', LEADSTREAM_DATA_DIR: '/nonexistent/leadstream-fuzz' }
  await fc.assert(
    fc.asyncProperty(argv, async (a) => {
      const code = await run(a, env, quietIo(AbortSignal.timeout(3000)))
      return [0, 1, 2, 130].includes(code)
    }),
    fuzzParams(300),
  )
})

test.run()
