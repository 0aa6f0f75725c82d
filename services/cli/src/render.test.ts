// Rendering: durations, hidden contact values in problems, and what a failed call tells the operator.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { Endpoints } from './http.js'
import { duration, problemLines, failureText } from './render.js'

const endpoints: Endpoints = {
  query: { url: 'http://q:8080', fallback: false },
  ingest: { url: 'http://q:8080', fallback: true },
  projector: { url: 'http://p:8083', fallback: false },
  relay: { url: 'http://q:8080', fallback: true },
  webhooks: { url: 'http://q:8080', fallback: true },
}

const durations = suite('duration')
durations('duration :: seconds, minutes, hours; unknown is a dash', () => {
  assert.equal([0, 42.4, 185, 7260, null].map(duration), ['0s', '42s', '3m05s', '2h01m', '-'])
})
durations.run()

const problems = suite('problemLines')
problems('problemLines :: quoted values of contact fields are hidden, others kept', () => {
  const lines = problemLines(
    [
      { path: 'UserDetails.Email', reason: 'expected Email, got "jane@example"' },
      { path: '[3].data.customer.phone', reason: 'expected string, got "+1 555"' },
      { path: 'LeadSource', reason: 'unknown lead source "Bing"' },
      { path: 'OfferTitle', reason: 'expected string, got "Contoso"' },
    ],
    true,
  )
  assert.equal(lines, [
    'UserDetails.Email: expected Email, got "(hidden)"',
    '[3].data.customer.phone: expected string, got "(hidden)"',
    'LeadSource: unknown lead source "Bing"',
    'OfferTitle: expected string, got "Contoso"',
  ])
  assert.equal(problemLines([{ path: 'UserDetails.Email', reason: 'got "jane@example"' }], false), ['UserDetails.Email: got "jane@example"'])
})
problems.run()

const failures = suite('failureText')
failures('failureText :: unreachable names the URL and where to set it', () => {
  const text = failureText(
    { _tag: 'Unreachable', service: 'relay', method: 'POST', url: 'http://q:8080/v1/admin/relay/reseed', reason: 'connection refused', timedOut: false },
    endpoints,
  )
  assert.is(
    text,
    'leadstream: cannot reach the relay at http://q:8080 (connection refused): is it running? Set --relay-url / LEADSTREAM_RELAY_URL, or --url / LEADSTREAM_URL.\n',
  )
})
failures('failureText :: refused lists the problems as path: reason', () => {
  const text = failureText(
    {
      _tag: 'Refused',
      service: 'ingest',
      method: 'POST',
      url: 'http://q:8080/v1/admin/dead-letters/3/replay',
      status: 422,
      code: 'StillRejected',
      message: '',
      problems: [{ path: 'LeadSource', reason: 'unknown lead source "Bing"' }],
    },
    endpoints,
  )
  assert.is(text, 'leadstream: POST http://q:8080/v1/admin/dead-letters/3/replay failed: 422 StillRejected\n  LeadSource: unknown lead source "Bing"\n')
})
failures('failureText :: a URL is shown without its query string (it may name a person)', () => {
  const refused = failureText(
    {
      _tag: 'Refused',
      service: 'query',
      method: 'GET',
      url: 'http://q:8080/v1/leads?email=ada@example.com&x=1',
      status: 400,
      code: 'Invalid',
      message: 'bad',
      problems: [],
    },
    endpoints,
  )
  assert.is(refused, 'leadstream: GET http://q:8080/v1/leads?… failed: 400 Invalid\n  bad\n')
  const unreadable = failureText(
    { _tag: 'Unreadable', service: 'query', method: 'GET', url: 'http://q:8080/v1/leads?q=ada@example.com', status: 200, reason: 'not JSON' },
    endpoints,
  )
  assert.not.ok(unreadable.includes('ada@example.com'), unreadable)
  assert.ok(unreadable.includes('http://q:8080/v1/leads?…'), unreadable)
})
failures.run()
