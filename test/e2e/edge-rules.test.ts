// The HTTP edge's small rules, the same on every route: 405 with Allow, strict ids, one rule for limit=0,
// a 413 that names the limit, and a slow client cut off by the server's timeouts.
import { connect, type Socket } from 'node:net'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Problem, Rejected } from '@leadstream/api'
import { http, startTestServer, typed, type TestServer } from '../support/embedded.js'

const test = suite<{ server: TestServer }>('edge rules')

test.before(async (ctx) => {
  ctx.server = await startTestServer({
    LEADSTREAM_BODY_LIMIT_BYTES: '2048',
    LEADSTREAM_HEADERS_TIMEOUT_MS: '300',
    LEADSTREAM_REQUEST_TIMEOUT_MS: '600',
  })
})
test.after(async ({ server }) => server.dispose())

test('405 :: a known path with another method answers 405 and Allow, read from the routes', async ({ server }) => {
  const cases: ReadonlyArray<[string, string, string]> = [
    ['DELETE', '/v1/marketplace/leads', 'POST'],
    ['PUT', '/v1/leads', 'GET, HEAD, POST'],
    ['POST', '/v1/leads/abc', 'GET, HEAD'],
    ['GET', '/v1/admin/dead-letters/1/replay', 'POST'],
    ['POST', '/healthz', 'GET, HEAD'],
  ]
  for (const [method, path, allow] of cases) {
    const r = typed(Problem, await http(method, `${server.url}${path}`))
    assert.is(r.status, 405, `${method} ${path}`)
    assert.is(r.headers.get('allow'), allow, `${method} ${path}`)
    assert.is(r.body.error.code, 'MethodNotAllowed')
  }
  assert.is((await http('GET', `${server.url}/v1/nowhere`)).status, 404)
})

test('ids :: a dead-letter id is decimal digits from 1 without leading zeros, on every route that takes one', async ({ server }) => {
  for (const bad of ['0x1', '1e0', '%201', '01', '0', '-1', '1.0', '9999999999999999']) {
    for (const [method, path] of [
      ['GET', `/v1/admin/dead-letters/${bad}`],
      ['POST', `/v1/admin/dead-letters/${bad}/replay`],
      ['POST', `/v1/admin/dead-letters/${bad}/discard`],
    ] as const) {
      const r = typed(Problem, await http(method, `${server.url}${path}`))
      assert.is(r.status, 400, `${method} ${path}`)
      assert.is(r.body.error.problems[0]?.path, 'id')
    }
  }
  assert.is((await http('GET', `${server.url}/v1/admin/dead-letters/1`)).status, 404, 'a well-formed id that is not there is a 404')
})

test('limit :: limit=0 is a 400 naming the accepted range on every paged route', async ({ server }) => {
  for (const [path, range] of [
    ['/v1/admin/dead-letters', /1 to 1000/],
    ['/v1/leads', /1 to 1000/],
    ['/v1/admin/events', /1 to 10000/],
  ] as const) {
    for (const bad of ['0', '0x10', '1e2', '-1']) {
      const r = typed(Problem, await http('GET', `${server.url}${path}?limit=${bad}`))
      assert.is(r.status, 400, `${path}?limit=${bad}`)
      assert.is(r.body.error.problems[0]?.path, 'limit')
      assert.match(r.body.error.problems[0]?.reason ?? '', range)
    }
    assert.is((await http('GET', `${server.url}${path}?limit=1`)).status, 200, path)
  }
  assert.is((await http('GET', `${server.url}/v1/admin/events?after=0x10`)).status, 400)
})

test('413 :: the answer names the limit in bytes', async ({ server }) => {
  const r = typed(Rejected, await http('POST', `${server.url}/v1/marketplace/leads`, JSON.stringify({ Description: 'x'.repeat(4000) })))
  assert.is(r.status, 413)
  assert.match(r.body.error.message, /the limit is 2048 bytes/)
})

/** Resolves with what the server sent once it closes the connection, or rejects after `ms`. */
const closedWithin = (socket: Socket, ms: number): Promise<string> =>
  new Promise((resolve, reject) => {
    let got = ''
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)
    socket.on('data', (d) => (got += d.toString()))
    socket.once('close', () => {
      clearTimeout(timer)
      resolve(got)
    })
  })

test('timeouts :: a client that stalls in its headers or its body is cut off with 408', async ({ server }) => {
  const { port } = new URL(server.url)
  const slowHeaders = connect(Number(port), '127.0.0.1')
  slowHeaders.write('POST /v1/marketplace/leads HTTP/1.1\r\nHost: x\r\n')
  const started = Date.now()
  assert.match(await closedWithin(slowHeaders, 5000), /408/)
  assert.ok(Date.now() - started < 3000, `cut off after ${Date.now() - started} ms`)

  const slowBody = connect(Number(port), '127.0.0.1')
  slowBody.write('POST /v1/marketplace/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"User')
  assert.match(await closedWithin(slowBody, 5000), /408/)
})

test.run()
