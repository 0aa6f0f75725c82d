// The CLI reads answers with the servers' own codecs (packages/api): an answer of another shape fails with the
// field's path and the expected type, never the value (it may be customer data); error bodies become problems.
import { createServer, type Server } from 'node:http'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DeadLetterView, ProjectionsAnswer } from '@leadstream/api'
import { api, type Endpoints } from './http.js'

/** A loopback server that answers every request with `status` and `body`. */
const answering = async (status: number, body: unknown): Promise<{ endpoints: Endpoints; server: Server }> => {
  const server = createServer((_req, res) => {
    res.statusCode = status
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify(body))
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const address = server.address()
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`
  const endpoint = { url, fallback: false }
  return { endpoints: { query: endpoint, ingest: endpoint, projector: endpoint, relay: endpoint, webhooks: endpoint }, server }
}

const test = suite('api.call')

test('decode :: an answer of another shape is Unreadable, naming the path and what was expected, not the value', async () => {
  const letter = { id: 1, status: 'open', source: 'http:/v1/leads', format: 'native', problems: [], payload: '{}', receivedAt: '2026-11-25T10:00:00Z' }
  const { endpoints, server } = await answering(200, { ...letter, receivedAt: 42, payload: 'jane@example.com' })
  try {
    const r = await api(endpoints, null, new AbortController().signal).call('query', 'GET', '/v1/admin/dead-letters/1', DeadLetterView)
    assert.is(r.ok, false)
    if (r.ok || r.failure._tag !== 'Unreadable') return assert.unreachable('expected Unreadable')
    assert.is(r.failure.reason, 'receivedAt: expected string')
    assert.not.match(r.failure.reason, '42')
  } finally {
    server.close()
  }
})

test('decode :: a nested mismatch is named by its whole path', async () => {
  const { endpoints, server } = await answering(200, {
    projections: [{ projection: 'leads', registry: null, paused: false, generations: [{ generation: 'one' }] }],
  })
  try {
    const r = await api(endpoints, null, new AbortController().signal).call('projector', 'GET', '/v1/admin/projections', ProjectionsAnswer)
    if (r.ok || r.failure._tag !== 'Unreadable') return assert.unreachable('expected Unreadable')
    assert.match(r.failure.reason, /^projections\[0\]\.generations\[0\]\.\w+: expected /)
  } finally {
    server.close()
  }
})

test('decode :: a refusal in the error body is Refused with its problems', async () => {
  const { endpoints, server } = await answering(404, {
    error: { code: 'NotFound', message: 'id: no dead letter 9', problems: [{ path: 'id', reason: 'no dead letter 9' }] },
  })
  try {
    const r = await api(endpoints, null, new AbortController().signal).call('query', 'GET', '/v1/admin/dead-letters/9', DeadLetterView)
    if (r.ok || r.failure._tag !== 'Refused') return assert.unreachable('expected Refused')
    assert.equal([r.failure.status, r.failure.code, r.failure.problems], [404, 'NotFound', [{ path: 'id', reason: 'no dead letter 9' }]])
  } finally {
    server.close()
  }
})

test.run()
