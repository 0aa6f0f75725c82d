// Polling with a deadline: how tests wait for something asynchronous (never a fixed sleep).
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Calls `probe` until it returns a value `done` accepts or `timeoutMs` passes; returns the last value either way. */
export const pollUntil = async <A>(probe: () => Promise<A>, done: (a: A) => boolean, timeoutMs = 30000, everyMs = 100): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const a = await probe()
    if (done(a) || Date.now() >= deadline) return a
    await sleep(everyMs)
  }
}
