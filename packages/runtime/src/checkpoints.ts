// Named checkpoints on SQLite, for processes whose progress has no store of its own to live in (the relay).
import { openSqlite } from './sqlite.js'

export interface Checkpoints {
  get(name: string): number
  set(name: string, value: number): void
  close(): void
}

export const sqliteCheckpoints = (path: string): Checkpoints => {
  const db = openSqlite(path, ['CREATE TABLE checkpoints (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;'], { kind: 'checkpoints' })
  const get = db.prepare<[string], { value: number }>('SELECT value FROM checkpoints WHERE name = ?')
  const set = db.prepare('INSERT INTO checkpoints (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value')
  return {
    get: (name) => get.get(name)?.value ?? 0,
    set: (name, value) => {
      set.run(name, value)
    },
    close: () => db.close(),
  }
}
