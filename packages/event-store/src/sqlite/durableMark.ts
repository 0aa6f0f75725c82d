// The highest position of an events.db known to be on disk, shared by every store on that file in this process,
// worker threads included: the embedded projector's worker then hands on what the HTTP thread's group commit
// already synced without an fsync of its own. Another process keeps its own mark (and syncs for itself).
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads'

export interface DurableMark {
  /** Every position up to this one is durable. */
  readonly get: () => number
  /** Records that every position up to `position` is durable (never lowers the mark). */
  readonly raise: (position: number) => void
}

const localMark = (): DurableMark => {
  let mark = 0
  return {
    get: () => mark,
    raise: (p) => {
      if (p > mark) mark = p
    },
  }
}

/**
 * The mark of the file at `path`, whose log head is `head` now. It lives in a SharedArrayBuffer kept in the
 * thread's environment data (worker_threads.setEnvironmentData), which every worker started afterwards receives
 * shared, not copied. Keyed by the file's inode, and reset when the head is below it: a file deleted and made
 * again (tests; a restore) must not inherit the old file's mark, which would skip the fsync of its first events.
 */
export const durableMark = (path: string, head: number): DurableMark => {
  if (path === ':memory:') return localMark()
  const key = `leadstream.events.durable:${resolve(path)}:${statSync(path).ino}`
  let shared = getEnvironmentData(key)
  if (!(shared instanceof SharedArrayBuffer)) {
    shared = new SharedArrayBuffer(8)
    setEnvironmentData(key, shared)
  }
  const cell = new BigInt64Array(shared as SharedArrayBuffer)
  const raise = (p: number): void => {
    for (let seen = Atomics.load(cell, 0); BigInt(p) > seen; ) {
      const was = Atomics.compareExchange(cell, 0, seen, BigInt(p))
      if (was === seen) return
      seen = was
    }
  }
  // Positions only grow in one file: a mark above the head was another file's.
  if (Number(Atomics.load(cell, 0)) > head) Atomics.store(cell, 0, 0n)
  return { get: () => Number(Atomics.load(cell, 0)), raise }
}
