// Wakes readers waiting for the log to grow: at once for this process's appends, by polling for others'.
export interface Waiter {
  waitFor(position: number, timeoutMs: number): Promise<void>
  wake(): void
  close(): void
}

export const waiter = (head: () => number, pollMs: number): Waiter => {
  const waiting = new Set<() => void>()
  let closed = false
  const wake = () => {
    for (const w of [...waiting]) w()
  }
  return {
    wake,
    close: () => {
      closed = true
      wake()
    },
    waitFor: (position, timeoutMs) =>
      new Promise<void>((resolve) => {
        if (closed || head() > position) return resolve()
        const deadline = Date.now() + timeoutMs
        let timer: NodeJS.Timeout | undefined
        const done = () => {
          waiting.delete(done)
          if (timer !== undefined) clearTimeout(timer)
          resolve()
        }
        const poll = () => {
          if (closed || head() > position || Date.now() >= deadline) return done()
          timer = setTimeout(poll, Math.min(pollMs, Math.max(1, deadline - Date.now())))
        }
        waiting.add(done)
        timer = setTimeout(poll, Math.min(pollMs, timeoutMs))
      }),
  }
}
