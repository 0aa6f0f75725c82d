// replyInSlices answers the same bytes and headers as reply (res.json), and an Idempotency-Key stores that text;
// it gives the loop a turn before each slice of items, all of them before the answer goes out.
import type { AddressInfo } from 'node:net'
import express from 'express'
import * as t from 'io-ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { IdempotencyRecords } from '@leadstream/event-store'
import { idempotent } from './idempotency.js'
import { reply, replyInSlices } from './mount.js'

const Answer = t.unknown
const answer = (n: number) => ({
  accepted: 1,
  rejected: n,
  // Past one slice, with text that is not ASCII (the UTF-8 bytes differ from the characters) and undefined fields.
  results: Array.from({ length: n }, (_, i) => ({ index: i, status: 'rejected', problems: [{ path: `[${i}]`, reason: 'l’adresse — “x”' }], gone: undefined })),
})

const stored = new Map<string, string>()
const keys: IdempotencyRecords = {
  get: async () => null,
  put: async (key, a) => void stored.set(key, a.body),
  forgetLeads: async () => 0,
  close: async () => {},
}

const turns: boolean[] = []

const test = suite<{ url: string; close: () => void }>('replyInSlices')

test.before(async (ctx) => {
  const app = express()
  app.use(express.raw({ type: () => true }))
  app.post(
    '/whole/:n',
    idempotent(keys, () => new Date()),
    (req, res) => reply(res, Answer, answer(Number(req.params['n'])), 207),
  )
  app.post(
    '/sliced/:n',
    idempotent(keys, () => new Date()),
    (req, res) => replyInSlices(res, Answer, answer(Number(req.params['n'])), 'results', 207),
  )
  // Each turn taken notes whether the answer had gone out yet.
  app.post('/counted/:n', async (req, res) => {
    turns.length = 0
    await replyInSlices(res, Answer, answer(Number(req.params['n'])), 'results', 207, async () => void turns.push(res.headersSent))
  })
  app.post('/not-last', (_req, res) => replyInSlices(res, Answer, { results: [1, 2], after: true }, 'results', 200))
  const server = app.listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  ctx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  ctx.close = () => server.close()
})
test.after((ctx) => ctx.close())

const post = async (url: string, key?: string) => {
  const res = await fetch(url, { method: 'POST', headers: key === undefined ? {} : { 'idempotency-key': key } })
  return {
    status: res.status,
    bytes: Buffer.from(await res.arrayBuffer()),
    type: res.headers.get('content-type'),
    length: res.headers.get('content-length'),
    etag: res.headers.get('etag'),
  }
}

test('same answer :: bytes, status and headers as reply, for 0, 1, one slice and several slices of items', async ({ url }) => {
  for (const n of [0, 1, 500, 1234]) {
    const [whole, sliced] = [await post(`${url}/whole/${n}`), await post(`${url}/sliced/${n}`)]
    assert.is(sliced.bytes.toString('utf8'), whole.bytes.toString('utf8'), `${n} items`)
    assert.equal({ ...sliced, bytes: null }, { ...whole, bytes: null }, `${n} items`)
    assert.equal(JSON.parse(sliced.bytes.toString('utf8')), JSON.parse(JSON.stringify(answer(n))))
  }
})

test('idempotency :: the text stored for a key is the text answered', async ({ url }) => {
  const whole = await post(`${url}/whole/700`, 'k-whole')
  const sliced = await post(`${url}/sliced/700`, 'k-sliced')
  assert.is(stored.get('k-whole'), whole.bytes.toString('utf8'))
  assert.is(stored.get('k-sliced'), sliced.bytes.toString('utf8'))
})

test('slices :: a turn before each slice of 500 items, every one before the answer is sent', async ({ url }) => {
  for (const [n, slices] of [
    [0, 0],
    [500, 1],
    [10000, 20],
  ] as const) {
    const r = await post(`${url}/counted/${n}`)
    assert.is(r.status, 207)
    assert.equal(
      turns,
      Array.from({ length: slices }, () => false),
      `${n} items`,
    )
  }
})

test('fallback :: an array that is not the last field is answered by reply', async ({ url }) => {
  const r = await post(`${url}/not-last`)
  assert.equal(JSON.parse(r.bytes.toString('utf8')), { results: [1, 2], after: true })
  assert.is(r.type, 'application/json; charset=utf-8')
})

test.run()
