// Sharing the event loop: long synchronous work (reading, deciding, appending a 10,000-lead batch) is done in
// slices with a turn for other requests between them, so health and reads keep answering meanwhile.
import { performance } from 'node:perf_hooks'
import { setImmediate } from 'node:timers/promises'

/** Resolves after the loop has run its pending I/O callbacks (answers to other requests, timers). */
export const yieldToLoop = (): Promise<void> => setImmediate()

/**
 * A turn-taker for one long job: `await turn()` between small steps gives the loop a turn once `budgetMs` of
 * work has passed since the last one. Measuring time rather than counting steps keeps the slices short on a
 * busy machine too.
 */
export const loopTurns = (budgetMs = 8): (() => Promise<void>) => {
  let since = performance.now()
  return async () => {
    if (performance.now() - since < budgetMs) return
    await yieldToLoop()
    since = performance.now()
  }
}

/** `xs.map(f)`, giving the loop turns as it goes. */
export const mapInSlices = async <A, B>(xs: ReadonlyArray<A>, f: (a: A, i: number) => B, turn = loopTurns()): Promise<B[]> => {
  const out: B[] = []
  for (const [i, x] of xs.entries()) {
    await turn()
    out.push(f(x, i))
  }
  return out
}
