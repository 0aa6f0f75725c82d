// Embedded dead letters on SQLite.
import { openSqlite, type Sqlite } from '@leadstream/runtime'
import type { FieldProblem } from '@leadstream/domain'
import type { DeadLetter, DeadLetters, DeadLetterStatus, NewDeadLetter } from '../port.js'

const migrations = [
  `CREATE TABLE dead_letters (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     source      TEXT NOT NULL,
     format      TEXT NOT NULL,
     problems    TEXT NOT NULL,
     payload     TEXT NOT NULL,
     received_at TEXT NOT NULL,
     status      TEXT NOT NULL DEFAULT 'open'
   );
   CREATE INDEX dead_letters_by_status ON dead_letters (status, id);`,
]

interface Row {
  id: number
  source: string
  format: string
  problems: string
  payload: string
  received_at: string
  status: string
}

const toDeadLetter = (r: Row): DeadLetter => ({
  id: r.id,
  source: r.source,
  format: r.format,
  problems: JSON.parse(r.problems) as ReadonlyArray<FieldProblem>,
  payload: r.payload,
  receivedAt: r.received_at,
  status: r.status as DeadLetterStatus,
})

export const sqliteDeadLetters = (options: { readonly path: string }): DeadLetters & { readonly db: Sqlite } => {
  const db = openSqlite(options.path, migrations, { kind: 'dead-letters' })
  const q = {
    insert: db.prepare('INSERT INTO dead_letters (source, format, problems, payload, received_at) VALUES (?, ?, ?, ?, ?)'),
    list: db.prepare<[number, number], Row>('SELECT * FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?'),
    listByStatus: db.prepare<[string, number, number], Row>('SELECT * FROM dead_letters WHERE status = ? AND id > ? ORDER BY id LIMIT ?'),
    get: db.prepare<[number], Row>('SELECT * FROM dead_letters WHERE id = ?'),
    setStatus: db.prepare('UPDATE dead_letters SET status = ? WHERE id = ?'),
    count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM dead_letters WHERE status = ?'),
  }
  const insertAll = db.transaction((entries: ReadonlyArray<NewDeadLetter>) =>
    entries.map((e) => Number(q.insert.run(e.source, e.format, JSON.stringify(e.problems), e.payload, e.receivedAt).lastInsertRowid)),
  )
  return {
    db,
    record: async (entries) => (entries.length === 0 ? [] : insertAll.immediate(entries)),
    list: async ({ status, after, limit }) =>
      (status === undefined ? q.list.all(after ?? 0, limit) : q.listByStatus.all(status, after ?? 0, limit)).map(toDeadLetter),
    get: async (id) => {
      const r = q.get.get(id)
      return r === undefined ? null : toDeadLetter(r)
    },
    setStatus: async (id, status) => q.setStatus.run(status, id).changes > 0,
    count: async (status) => q.count.get(status)?.n ?? 0,
    close: async () => {
      db.close()
    },
  }
}
