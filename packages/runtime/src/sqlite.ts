// The one way this repo opens an SQLite file: durable pragmas and a forward-only migration runner.
import Database from 'better-sqlite3'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export type Sqlite = Database.Database

/** A migration is SQL run once, in order; `PRAGMA user_version` records how many have run. */
export type Migration = string

/**
 * Opens (creating if needed) an SQLite database in WAL mode with `synchronous=FULL`: a transaction that
 * has returned is on disk, so an acknowledged write survives `kill -9` and power loss alike.
 */
export const openSqlite = (path: string, migrations: ReadonlyArray<Migration>): Sqlite => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('busy_timeout = 10000')
  // Switching a new file to WAL needs an exclusive lock, and SQLite answers BUSY there without waiting
  // when another process is opening the same file at that moment: retry for a while.
  whileBusy(() => db.pragma('journal_mode = WAL'))
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  migrate(db, migrations)
  return db
}

/**
 * Runs the migrations not yet applied. The version is read inside the same IMMEDIATE transaction that
 * applies them, so two processes opening a new file at once (a projector and the query API) cannot both
 * run the first migration.
 */
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

export const migrate = (db: Sqlite, migrations: ReadonlyArray<Migration>): void => {
  db.transaction(() => {
    const applied = db.pragma('user_version', { simple: true }) as number
    if (applied > migrations.length)
      throw new Error(`database ${db.name} is at schema version ${applied}, newer than this build knows (${migrations.length})`)
    for (let v = applied; v < migrations.length; v++) {
      db.exec(migrations[v] ?? '')
      db.pragma(`user_version = ${v + 1}`)
    }
  }).immediate()
}
