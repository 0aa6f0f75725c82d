// Polling with a deadline: the one way tests wait for something that happens elsewhere (never a fixed sleep).
import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Calls `probe` until it returns a value other than undefined, and returns that value; throws naming `what`
 * (and the last thing probe threw) when `timeoutMs` passes first.
 */
export const eventually = async <A>(what: string, probe: () => Promise<A | undefined> | A | undefined, timeoutMs = 5000, everyMs = 25): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let last: unknown = null
  for (;;) {
    try {
      const v = await probe()
      if (v !== undefined) return v
    } catch (e) {
      last = e
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === null ? '' : `: ${String(last)}`}`)
    await sleep(everyMs)
  }
}
