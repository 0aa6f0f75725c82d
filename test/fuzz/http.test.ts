// Property-based fuzzing of the real embedded server over HTTP: random methods, paths (route templates with
// hostile ids), query strings, headers, encodings and bodies. Every answer is below 500, except the one 5xx
// the API documents as an answer: 503 NotYetProjected (with Retry-After), for a minPosition the views have
// not reached yet.
import { request } from 'node:http'
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib'
import * as fc from 'fast-check'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startTestServer, type TestServer } from '../support/embedded.js'
import { routes } from '@leadstream/api'
import {
  anyInput,
  catalogue,
  command,
  crmForm,
  httpsLead,
  lifecycleEvent,
  nativeEvent,
  privacyRequest,
  subscription,
  tableRow,
  text,
  webhookReplay,
} from './arbitraries.js'
import { fuzzParams } from './settings.js'

const test = suite<{ server: TestServer }>('fuzz http')

test.before(async (ctx) => {
  ctx.server = await startTestServer({ LEADSTREAM_BODY_LIMIT_BYTES: String(256 * 1024), LEADSTREAM_MAX_BATCH: '50', LEADSTREAM_READ_WAIT_MS: '20' })
})
test.after(async ({ server }) => server.dispose())

/** Percent-encodes what can be (a lone surrogate cannot: it is sent as the bytes of one). */
const enc = (s: string): string => {
  try {
    return encodeURIComponent(s)
  } catch {
    return '%ED%A0%80'
  }
}

/** A path segment as a hostile sender writes it: valid, percent-encoded, broken percent-encoding, odd numbers. */
const segment = fc.oneof(
  fc.constantFrom('1', '0', '01', '0x1', '1e0', '%ff', '%E0%A4%A', '%', '%25', '..', 'mk-abc', 'x-1', 'a%2Fb', '9'.repeat(30)),
  text.map((s) => enc(s).slice(0, 60) || 'x'),
)
/** Every path of the route table (so a new route is fuzzed from the day it is added), and one no route has. */
const templates = [...new Set(routes.map((r) => r.path.replace(/\{[A-Za-z0-9_]+\}/g, '{}'))), '/nowhere/{}']
const path = fc.tuple(fc.constantFrom(...templates), segment).map(([t, s]) => t.replaceAll('{}', s))
const queryKey = fc.oneof(
  fc.constantFrom('limit', 'after', 'cursor', 'state', 'storefront', 'minPosition', 'waitMs', 'includeTest', 'code', 'from', 'to', 'tz', 'bucket', 'status'),
  text,
)
const queryValue = fc.oneof(
  fc.constantFrom('0', '1', '50', '1000', '1001', '0x10', '1e2', '-1', 'true', 'captured', '%ff', '2026-11-01', 'Europe/Berlin'),
  text,
)
const query = fc
  .array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 4 })
  .map((pairs) => pairs.map(([k, v, raw]) => `${enc(k)}=${raw ? v.replace(/[^\x21-\x7e]/g, '') : enc(v)}`).join('&'))

const json = fc.oneof(
  httpsLead,
  tableRow,
  crmForm,
  nativeEvent,
  command,
  catalogue,
  lifecycleEvent,
  subscription,
  webhookReplay,
  privacyRequest,
  anyInput,
  fc.array(fc.oneof(httpsLead, nativeEvent, lifecycleEvent, anyInput), { maxLength: 5 }),
)
const bodyBytes = fc.oneof(
  json.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.integer({ min: 1, max: 20000 }).map((n) => Buffer.from(`[${'['.repeat(n)}${']'.repeat(n)}]`)),
  fc.constant(Buffer.alloc(0)),
)
const encoding = fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'compress', 'gzip, br', '', 'GZIP')
const encode = (enc: string, b: Buffer, corrupt: boolean): Buffer => {
  if (corrupt) return b
  switch (enc.trim().toLowerCase()) {
    case 'gzip':
      return gzipSync(b)
    case 'deflate':
      return deflateSync(b)
    case 'br':
      return brotliCompressSync(b)
    default:
      return b
  }
}
const fuzzRequest = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'POST', 'POST'),
  path,
  query,
  body: bodyBytes,
  encoding: fc.option(encoding, { nil: undefined }),
  corrupt: fc.boolean(),
  contentType: fc.option(fc.constantFrom('application/json', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'x/y'), {
    nil: undefined,
  }),
  idempotencyKey: fc.option(fc.oneof(fc.stringMatching(/^[A-Za-z0-9-]{0,20}$/), fc.constant('k'.repeat(300))), { nil: undefined }),
  authorization: fc.option(fc.constantFrom('Bearer x', 'Basic abc', 'Bearer', ''), { nil: undefined }),
})

type FuzzRequest = typeof fuzzRequest extends fc.Arbitrary<infer R> ? R : never

const send = (base: string, r: FuzzRequest): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const body = r.method === 'GET' || r.method === 'HEAD' ? Buffer.alloc(0) : encode(r.encoding ?? 'identity', r.body, r.corrupt)
    const headers: Record<string, string> = { 'content-length': String(body.length) }
    if (r.encoding !== undefined) headers['content-encoding'] = r.encoding
    if (r.contentType !== undefined) headers['content-type'] = r.contentType
    if (r.idempotencyKey !== undefined) headers['idempotency-key'] = r.idempotencyKey
    if (r.authorization !== undefined) headers['authorization'] = r.authorization
    const req = request(`${base}${r.path}${r.query === '' ? '' : `?${r.query}`}`, { method: r.method, headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })

test('http :: every fuzzed request gets an answer below 500', async ({ server }) => {
  await fc.assert(
    fc.asyncProperty(fuzzRequest, async (r) => {
      const a = await send(server.url, r)
      if (a.status === 503 && a.body.includes('"NotYetProjected"')) return true
      if (a.status >= 500) console.error(`  ${a.status} for ${r.method} ${r.path}?${r.query}: ${a.body.slice(0, 300)}`)
      return a.status > 0 && a.status < 500
    }),
    fuzzParams(600),
  )
  assert.ok(true)
})

test.run()
