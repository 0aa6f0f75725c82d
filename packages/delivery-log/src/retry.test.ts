// Backoff, Retry-After and the circuit: pure, with the clock and the dice given.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { afterAttempt, allowance, circuitAt, closedCircuit, nextDelayMs, retryAfterMs, type CircuitPolicy, type RetryPolicy } from './retry.js'

const policy: RetryPolicy = { baseMs: 1000, maxMs: 60000, maxAttempts: 5, maxRetryAfterMs: 3600000 }
const failed = (status: number | null, retryAfter: string | null = null) => ({ ok: false, status, retryAfter, error: 'x' })
const now = Date.parse('2026-12-01T10:00:00Z')

const delay = suite('nextDelayMs')
delay('backoff :: doubles per attempt with half of each step random, up to the maximum', () => {
  assert.equal(
    [1, 2, 3, 4].map((a) => nextDelayMs(policy, a, failed(500), now, () => 0)),
    [500, 1000, 2000, 4000],
  )
  assert.equal(
    [1, 2, 3, 4].map((a) => nextDelayMs(policy, a, failed(500), now, () => 1)),
    [1000, 2000, 4000, 8000],
  )
  assert.is(
    nextDelayMs(policy, 30, failed(null), now, () => 1),
    60000,
  )
})
delay('retry-after :: honoured on 429 and 503 (seconds or a date), capped; ignored on other statuses', () => {
  assert.is(
    nextDelayMs(policy, 1, failed(429, '30'), now, () => 0),
    30000,
  )
  assert.is(
    nextDelayMs(policy, 1, failed(503, 'Tue, 01 Dec 2026 10:01:00 GMT'), now, () => 0),
    60000,
  )
  assert.is(
    nextDelayMs(policy, 1, failed(500, '30'), now, () => 0),
    500,
  )
  assert.is(
    nextDelayMs(policy, 4, failed(429, '1'), now, () => 0),
    4000,
    'never sooner than the backoff',
  )
  assert.is(
    nextDelayMs({ ...policy, maxRetryAfterMs: 10000 }, 1, failed(429, '86400'), now, () => 0),
    10000,
  )
  assert.is(retryAfterMs('soon', now), null)
  assert.is(retryAfterMs(null, now), null)
})
delay.run()

const circuit = suite('circuit')
const cp: CircuitPolicy = { threshold: 3, cooldownMs: 1000, maxCooldownMs: 4000 }
circuit('open :: after the threshold of consecutive failures, no attempts until the cooldown; then one probe', () => {
  let c = closedCircuit
  c = afterAttempt(cp, c, false, now)
  c = afterAttempt(cp, c, false, now)
  assert.is(allowance(c, now, 8), 8)
  c = afterAttempt(cp, c, false, now)
  assert.is(c.state, 'open')
  assert.is(allowance(c, now + 999, 8), 0)
  assert.is(circuitAt(c, now + 1000).state, 'half-open')
  assert.is(allowance(c, now + 1000, 8), 1)
  const failedProbe = afterAttempt(cp, c, false, now + 1000)
  assert.equal(failedProbe, { state: 'open', until: now + 3000, cooldownMs: 2000 }, 'a failed probe doubles the rest')
  assert.equal(afterAttempt(cp, failedProbe, true, now + 3000), closedCircuit, 'a success closes it')
  assert.equal(afterAttempt(cp, { state: 'closed', failures: 2 }, true, now), closedCircuit, 'a success resets the count')
})
circuit.run()
