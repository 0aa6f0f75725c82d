// The one way this repo opens an SQLite file: durable pragmas and a forward-only migration runner.
import Database from 'better-sqlite3'
import { existsSync, mkdirSync, renameSync } from 'node:fs'
import { dirname } from 'node:path'
import { dirFault, sqliteFault, StorageFaultError, truncation, type StoreKind } from './storage.js'

export type Sqlite = Database.Database

/** A migration is SQL run once, in order; `PRAGMA user_version` records how many have run. */
export type Migration = string

export interface OpenOptions {
  /** What the file holds: it names the file in a fault and decides its exit code. */
  readonly kind: StoreKind
  /**
   * Derived data only (views): a damaged file is renamed `<file>.corrupt-<timestamp>` (with its -wal and
   * -shm), an empty one is created in its place, and this is told the two names so the caller can log it and
   * rebuild. Without it a damaged file is a StorageFaultError.
   */
  readonly setAside?: (from: string, to: string) => void
  /**
   * FULL (the default): each commit fsyncs the WAL before it returns, on the event loop. NORMAL: a commit only
   * writes its WAL frames; the caller must await a `walGroupCommit` (groupCommit.ts) of the file before it
   * acknowledges the write or acts on it (events.db, keys.db: their writes are awaited that way).
   */
  readonly synchronous?: 'FULL' | 'NORMAL'
}

/**
 * Opens (creating if needed) an SQLite database in WAL mode with `synchronous=FULL`: a transaction that
 * has returned is on disk, so an acknowledged write survives `kill -9` and power loss alike. With
 * `synchronous: 'NORMAL'` that holds once the file's group commit has synced (OpenOptions.synchronous). A data
 * directory that cannot be used, a damaged file or a held lock is thrown as a StorageFaultError naming the
 * file (storage.ts), for the composition root to turn into a message and an exit code.
 */
export const openSqlite = (path: string, migrations: ReadonlyArray<Migration>, options: OpenOptions): Sqlite => {
  try {
    return openChecked(path, migrations, options.kind, options.synchronous ?? 'FULL')
  } catch (e) {
    const fault = e instanceof StorageFaultError ? e.fault : sqliteFault(path, options.kind, e)
    if (fault === null) throw e
    if (fault._tag !== 'CorruptFile' || options.setAside === undefined) throw new StorageFaultError(fault)
    const to = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(path + suffix)) renameSync(path + suffix, to + suffix)
    options.setAside(path, to)
    return openSqlite(path, migrations, { kind: options.kind, synchronous: options.synchronous ?? 'FULL' })
  }
}

type Synchronous = NonNullable<OpenOptions['synchronous']>

const openChecked = (path: string, migrations: ReadonlyArray<Migration>, kind: StoreKind, synchronous: Synchronous): Sqlite => {
  if (path === ':memory:') return configure(new Database(path), migrations, synchronous)
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (e) {
    throw new StorageFaultError(dirFault(dirname(path), e) ?? { _tag: 'DataDirUnusable', path: dirname(path), reason: String(e) })
  }
  const cut = truncation(path)
  if (cut !== null) throw new StorageFaultError({ _tag: 'CorruptFile', path, kind, reason: cut })
  const db = new Database(path)
  try {
    return configure(db, migrations, synchronous)
  } catch (e) {
    db.close()
    throw e
  }
}

const configure = (db: Sqlite, migrations: ReadonlyArray<Migration>, synchronous: Synchronous): Sqlite => {
  db.pragma('busy_timeout = 10000')
  // Switching a new file to WAL needs an exclusive lock, and SQLite answers BUSY there without waiting
  // when another process is opening the same file at that moment: retry for a while.
  whileBusy(() => db.pragma('journal_mode = WAL'))
  db.pragma(`synchronous = ${synchronous}`)
  db.pragma('foreign_keys = ON')
  // Deleted and overwritten content is zeroed, not left in free space: an erased person's contact data, dead
  // letters and answers must really leave the file (README, "Personal data"). Costs writes on deletes and
  // updates only. The old page images still sit in the WAL until `checkpointTruncate` below.
  db.pragma('secure_delete = ON')
  // Reads the schema pages: a file whose header survived but whose catalogue did not fails here, at start.
  db.prepare('SELECT count(*) FROM sqlite_master').get()
  migrate(db, migrations)
  return db
}

/** Calls `f` again while SQLite answers SQLITE_BUSY (another process holds the lock), for up to `timeoutMs`. */
const whileBusy = <A>(f: () => A, timeoutMs = 10000): A => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      return f()
    } catch (e) {
      if ((e as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw e
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5 + Math.random() * 20)
    }
  }
}

/**
 * Runs the migrations not yet applied. The version is read inside the same IMMEDIATE transaction that
 * applies them, so two processes opening a new file at once (a projector and the query API) cannot both
 * run the first migration.
 */
export const migrate = (db: Sqlite, migrations: ReadonlyArray<Migration>): void => {
  db.transaction(() => {
    const applied = db.pragma('user_version', { simple: true }) as number
    if (applied > migrations.length) throw new Error(`database ${db.name} is at schema version ${applied}, newer than this build knows (${migrations.length})`)
    for (let v = applied; v < migrations.length; v++) {
      db.exec(migrations[v] ?? '')
      db.pragma(`user_version = ${v + 1}`)
    }
  }).immediate()
}

/**
 * Copies the WAL into the database and truncates the WAL to zero bytes (`wal_checkpoint(TRUNCATE)`), from a
 * connection of its own (any process may hold the file open). After an erasure this is what removes the old
 * page images, which still hold what `secure_delete` zeroed in the database. A reader holding an old snapshot
 * makes it busy: it is retried until `timeoutMs`. Answers whether the WAL is now empty. A missing file is fine.
 */
export const checkpointTruncate = (path: string, timeoutMs = 5000): boolean => {
  if (!existsSync(path)) return true
  const db = new Database(path, { fileMustExist: true })
  try {
    db.pragma('busy_timeout = 1000')
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const [r] = db.pragma('wal_checkpoint(TRUNCATE)') as ReadonlyArray<{ busy: number; log: number; checkpointed: number }>
      if (r === undefined || (r.busy === 0 && r.log <= 0)) return true
      if (Date.now() > deadline) return false
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20)
    }
  } finally {
    db.close()
  }
}
