// Sharing the event loop: long synchronous work (reading, deciding, appending a 10,000-lead batch) is done in
// slices with a turn for other requests between them, so health and reads keep answering meanwhile.
import { performance } from 'node:perf_hooks'
import { setImmediate } from 'node:timers/promises'
import { timingDurabilityWaits } from './groupCommit.js'

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

/** How many items a slice of `inSlices` starts at, and the least and most it may shrink or grow to. */
export interface SliceSizes {
  readonly first: number
  readonly min: number
  readonly max: number
}

/**
 * `run` over consecutive slices of `xs`, in order, with a loop turn before each: for work cheap per item but long
 * over 10,000 of them (sealing and appending streams, recording dead letters, parking events), each slice its own
 * transaction. A slice halves or doubles within `sizes` to hold the loop about 10 ms (fsync waits not counted),
 * so slices stay short on a busy machine and few on an idle one; `min` bounds how many commits a batch costs when each commit is slow. The
 * answers come back in the order of `xs`.
 */
export const inSlices = async <A, B>(
  xs: ReadonlyArray<A>,
  run: (slice: ReadonlyArray<A>) => Promise<ReadonlyArray<B>>,
  turn = loopTurns(),
  sizes: SliceSizes = { first: 64, min: 8, max: 2000 },
): Promise<B[]> => {
  const out: B[] = []
  let size = sizes.first
  for (let i = 0; i < xs.length; ) {
    await turn()
    const started = performance.now()
    // Waits for a group commit's fsync are not counted: other requests run meanwhile, and counted, they shrank
    // append slices to their floor on a busy disk (two fsyncs per 8 leads).
    const { value, waitedMs } = await timingDurabilityWaits(() => run(xs.slice(i, i + size)))
    for (const b of value) out.push(b)
    i += size
    const took = performance.now() - started - waitedMs
    size = took > 20 ? Math.max(sizes.min, size >> 1) : took < 5 ? Math.min(sizes.max, size << 1) : size
  }
  return out
}
