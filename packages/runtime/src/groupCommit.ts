// Group commit: transactions committed with `synchronous=NORMAL` (WAL frames written, not fsynced) become durable
// together, by one fsync of the -wal file run on libuv's thread pool instead of one fsync per commit on the loop.
//
// What this relies on, from SQLite's documentation:
// - https://sqlite.org/wal.html: "Writers sync the WAL on every transaction commit if PRAGMA synchronous is set
//   to FULL but omit this sync if PRAGMA synchronous is set to NORMAL." A NORMAL commit has handed its frames to
//   the OS with write() when it returns: it survives kill -9, not a power loss, until the WAL is synced.
// - https://sqlite.org/pragma.html#pragma_synchronous: "In WAL mode when synchronous is NORMAL (1), the WAL file
//   is synchronized before each checkpoint and the database file is synchronized after each completed checkpoint
//   and the WAL file header is synchronized when a WAL file begins to be reused after a checkpoint." So a commit
//   is on disk once the -wal file has been fsynced after it, or once a checkpoint has copied it (the checkpoint
//   synced both files). A WAL that restarts or is truncated keeps its inode; one that was deleted (the last
//   connection closed, after a synced checkpoint) needs nothing.
// - https://sqlite.org/forum/forumpost/d1a6bc7c4cd2baca: flushing the WAL file makes the transactions committed
//   before it durable, with less overhead than a FULL checkpoint.
// fsync flushes a file's dirty pages whoever wrote them, so any process may sync what another committed.
import { AsyncLocalStorage } from 'node:async_hooks'
import { open, type FileHandle } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads'

/** The fsync of a database's WAL failed: what was committed since the last good one may not be on disk. */
export class DurabilityError extends Error {
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(`fsync of ${file} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause })
  }
}

export interface GroupCommit {
  /**
   * Resolves once an fsync that started after this call has completed: every commit made before the call is then
   * durable. Calls made while an fsync is running share the next one. Rejects with the DurabilityError of a
   * failed fsync, and so does every later call: after a failed fsync Linux may have dropped the dirty pages while
   * reads still show them, so nothing written since can be acknowledged (as PostgreSQL does, data_sync_retry=off).
   * A restart reads what really is on disk.
   */
  durable(): Promise<void>
  /** `written` (what a committed write answers), once `durable()` has resolved: the one way a store acknowledges. */
  durably<A>(written: A): Promise<A>
  /** fsyncs completed so far (tests, metrics). */
  readonly syncs: () => number
}

interface Waiter {
  readonly resolve: () => void
  readonly reject: (e: unknown) => void
}

/** Group commit over `sync`, one run at a time. `file` names the file in a failure. */
export const groupCommit = (sync: () => Promise<void>, file: string): GroupCommit => {
  let running = false
  let waiting: Waiter[] = []
  let failure: DurabilityError | null = null
  let done = 0

  const start = (): void => {
    running = true
    const batch = waiting
    waiting = []
    const settle = (error: unknown): void => {
      running = false
      if (error === undefined) {
        done += 1
        for (const w of batch) w.resolve()
      } else {
        failure = error instanceof DurabilityError ? error : new DurabilityError(file, error)
        for (const w of [...batch, ...waiting]) w.reject(failure)
        waiting = []
      }
      if (waiting.length > 0) start()
    }
    // Called now, so the fsync starts after every commit made before the batch's calls.
    sync().then(
      () => settle(undefined),
      (e: unknown) => settle(e ?? new Error('fsync failed')),
    )
  }

  const durable = () =>
    new Promise<void>((resolve, reject) => {
      if (failure !== null) return reject(failure)
      waiting.push({ resolve, reject })
      if (!running) start()
    })
  const counted = (): Promise<void> => {
    const tally = waits.getStore()
    if (tally === undefined) return durable()
    const from = performance.now()
    const count = () => {
      tally.ms += performance.now() - from
    }
    return durable().finally(count)
  }
  return {
    durable: counted,
    durably: async (written) => {
      await counted()
      return written
    },
    syncs: () => done,
  }
}

const waits = new AsyncLocalStorage<{ ms: number }>()

/**
 * Runs `f` and answers how long it waited for group commits: time in which it did not hold the event loop (other
 * requests ran). Ingest sizes its slices by the loop time they take, which these waits must not count.
 */
export const timingDurabilityWaits = async <A>(f: () => Promise<A>): Promise<{ readonly value: A; readonly waitedMs: number }> => {
  const tally = { ms: 0 }
  const value = await waits.run(tally, f)
  return { value, waitedMs: tally.ms }
}

const isMissing = (e: unknown): boolean => (e as { code?: unknown }).code === 'ENOENT'

/** fsync of a directory: makes a file created in it findable after a power loss. */
const syncDir = async (dir: string): Promise<void> => {
  const h = await open(dir, 'r')
  try {
    await h.sync()
  } finally {
    await h.close()
  }
}

/**
 * fdatasync of `<db>-wal`, opened by path each time (a WAL deleted and created again is another inode; a handle
 * kept open would sync the old one). The first time an inode is seen its directory is synced too: SQLite syncs
 * the directory of a new WAL at its own first sync of it, which with NORMAL is only the next checkpoint.
 */
export const walFsync = (dbPath: string): (() => Promise<void>) => {
  const wal = `${dbPath}-wal`
  let knownInode = -1
  return async () => {
    let h: FileHandle
    try {
      h = await open(wal, 'r')
    } catch (e) {
      // No WAL: the last connection closed it after a synced checkpoint; there is nothing unsynced to flush.
      if (isMissing(e)) return
      throw e
    }
    try {
      const { ino } = await h.stat()
      await h.datasync()
      if (ino !== knownInode) {
        await syncDir(dirname(wal))
        knownInode = ino
      }
    } finally {
      await h.close()
    }
  }
}

/**
 * A flag per file, set by the first failed fsync of it in this process and seen by every group commit on it, worker
 * threads included (a SharedArrayBuffer in the environment data, as the event store's durable mark). Without it
 * another store on the file (the projector's worker) would sync again with a fresh descriptor, which Linux answers
 * with success once the error was reported, and hand on events the failure may have lost.
 */
const failedFlag = (dbPath: string): Int32Array => {
  const key = `leadstream.fsync.failed:${resolve(dbPath)}`
  let shared = getEnvironmentData(key)
  if (!(shared instanceof SharedArrayBuffer)) {
    shared = new SharedArrayBuffer(4)
    setEnvironmentData(key, shared)
  }
  return new Int32Array(shared as SharedArrayBuffer)
}

/** The group commit of an SQLite file opened with `synchronous: 'NORMAL'`; `:memory:` has nothing to sync. */
export const walGroupCommit = (dbPath: string, sync?: () => Promise<void>): GroupCommit => {
  if (dbPath === ':memory:') return groupCommit(sync ?? (() => Promise.resolve()), `${dbPath}-wal`)
  const flag = failedFlag(dbPath)
  const fsync = sync ?? walFsync(dbPath)
  const checked = async (): Promise<void> => {
    if (Atomics.load(flag, 0) !== 0) throw new Error('an earlier fsync of this file failed in this process')
    try {
      await fsync()
    } catch (e) {
      Atomics.store(flag, 0, 1)
      throw e
    }
  }
  return groupCommit(checked, `${dbPath}-wal`)
}
