// When to try a delivery again, and when to stop trying an endpoint for a while: pure, the clock and the dice
// passed in.

export interface RetryPolicy {
  /** The first retry waits about this long; each further one twice as long … */
  readonly baseMs: number
  /** … up to this. */
  readonly maxMs: number
  /** After this many failed attempts the delivery is parked. */
  readonly maxAttempts: number
  /** A Retry-After longer than this is read as this (a receiver cannot park a delivery for a day). */
  readonly maxRetryAfterMs: number
}

/** How an attempt ended. `status` null: no answer (refused, reset, timed out). */
export interface AttemptOutcome {
  readonly ok: boolean
  readonly status: number | null
  readonly retryAfter: string | null
  readonly error: string | null
}

/** `Retry-After` as seconds or an HTTP date → milliseconds from now; null when absent or unreadable. */
export const retryAfterMs = (header: string | null, now: number): number | null => {
  if (header === null) return null
  const h = header.trim()
  if (/^\d+$/.test(h)) return Number(h) * 1000
  const at = Date.parse(h)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/**
 * Exponential backoff with "equal jitter": half of the exponential step fixed, half random, so retries of many
 * deliveries spread out instead of arriving together. A 429 or 503 with Retry-After waits at least that long.
 */
export const nextDelayMs = (policy: RetryPolicy, attempts: number, outcome: AttemptOutcome, now: number, random: () => number): number => {
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1))
  const backoff = step / 2 + (step / 2) * random()
  const asked = outcome.status === 429 || outcome.status === 503 ? retryAfterMs(outcome.retryAfter, now) : null
  return asked === null ? backoff : Math.max(backoff, Math.min(asked, policy.maxRetryAfterMs))
}

// ---------------------------------------------------------------------------------------------------------
// the circuit of one endpoint
// ---------------------------------------------------------------------------------------------------------

export interface CircuitPolicy {
  /** Consecutive failures that open the circuit. */
  readonly threshold: number
  /** How long an open circuit stays open before one probe is let through; doubled per failed probe, up to maxMs. */
  readonly cooldownMs: number
  readonly maxCooldownMs: number
}

export type Circuit =
  | { readonly state: 'closed'; readonly failures: number }
  | { readonly state: 'open'; readonly until: number; readonly cooldownMs: number }
  | { readonly state: 'half-open'; readonly cooldownMs: number }

export const closedCircuit: Circuit = { state: 'closed', failures: 0 }

/** The circuit as seen at `now`: an open one whose time is up lets one probe through (half-open). */
export const circuitAt = (c: Circuit, now: number): Circuit => (c.state === 'open' && now >= c.until ? { state: 'half-open', cooldownMs: c.cooldownMs } : c)

/** How many attempts may run at once: none while open, one probe while half-open. */
export const allowance = (c: Circuit, now: number, concurrency: number): number => {
  const at = circuitAt(c, now)
  return at.state === 'open' ? 0 : at.state === 'half-open' ? 1 : concurrency
}

export const afterAttempt = (policy: CircuitPolicy, c: Circuit, ok: boolean, now: number): Circuit => {
  if (ok) return closedCircuit
  const at = circuitAt(c, now)
  switch (at.state) {
    case 'closed':
      return at.failures + 1 >= policy.threshold
        ? { state: 'open', until: now + policy.cooldownMs, cooldownMs: policy.cooldownMs }
        : { state: 'closed', failures: at.failures + 1 }
    case 'half-open': {
      const cooldownMs = Math.min(policy.maxCooldownMs, at.cooldownMs * 2)
      return { state: 'open', until: now + cooldownMs, cooldownMs }
    }
    case 'open':
      return at
    default: {
      const never: never = at
      return never
    }
  }
}
