// The erasure audit on SQLite (embedded mode): audit.db in the data directory.
import { openSqlite, type Sqlite } from '@leadstream/runtime'
import type { ErasureAudit, RetentionRun } from './port.js'
import { entryOfRow } from './rows.js'

const migrations = [
  `CREATE TABLE erasures (
     erasure_id   TEXT PRIMARY KEY,
     subject      TEXT NOT NULL,
     email_digest TEXT NOT NULL,
     reason       TEXT NOT NULL,
     by           TEXT NOT NULL,
     note         TEXT,
     requested_at TEXT NOT NULL,
     lead_ids     TEXT NOT NULL,
     status       TEXT NOT NULL,
     completed_at TEXT,
     outcome      TEXT,
     counts       TEXT
   );
   CREATE INDEX erasures_by_subject ON erasures (subject, requested_at);
   CREATE INDEX erasures_pending ON erasures (status, requested_at);
   CREATE TABLE retention_runs (ran_at TEXT NOT NULL, cutoff TEXT NOT NULL, subjects INTEGER NOT NULL, leads INTEGER NOT NULL);`,
]

export const sqliteErasureAudit = (options: { readonly path: string }): ErasureAudit & { readonly db: Sqlite } => {
  const db = openSqlite(options.path, migrations, { kind: 'audit' })
  const q = {
    begin: db.prepare(
      `INSERT OR IGNORE INTO erasures (erasure_id, subject, email_digest, reason, by, note, requested_at, lead_ids, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
    ),
    complete: db.prepare("UPDATE erasures SET status = 'done', completed_at = ?, outcome = ?, counts = ? WHERE erasure_id = ?"),
    get: db.prepare<[string], unknown>('SELECT * FROM erasures WHERE erasure_id = ?'),
    pending: db.prepare<[], unknown>("SELECT * FROM erasures WHERE status = 'pending' ORDER BY requested_at, erasure_id"),
    ofSubject: db.prepare<[string], unknown>('SELECT * FROM erasures WHERE subject = ? ORDER BY requested_at, erasure_id'),
    recent: db.prepare<[number], unknown>('SELECT * FROM erasures ORDER BY requested_at DESC, erasure_id DESC LIMIT ?'),
    run: db.prepare('INSERT INTO retention_runs (ran_at, cutoff, subjects, leads) VALUES (?, ?, ?, ?)'),
    lastRun: db.prepare<[], { ran_at: string; cutoff: string; subjects: number; leads: number }>(
      'SELECT * FROM retention_runs ORDER BY ran_at DESC, rowid DESC LIMIT 1',
    ),
  }
  return {
    db,
    begin: async (e) => {
      q.begin.run(e.erasureId, e.subject, e.emailDigest, e.reason, e.by, e.note, e.requestedAt, JSON.stringify(e.leadIds))
    },
    complete: async (id, d) => {
      q.complete.run(d.completedAt, d.outcome, JSON.stringify(d.counts), id)
    },
    get: async (id) => {
      const r = q.get.get(id)
      return r === undefined ? null : entryOfRow(r)
    },
    pending: async () => q.pending.all().map(entryOfRow),
    ofSubject: async (subject) => q.ofSubject.all(subject).map(entryOfRow),
    recent: async (limit) => q.recent.all(limit).map(entryOfRow),
    recordRetentionRun: async (r) => {
      q.run.run(r.ranAt, r.cutoff, r.subjects, r.leads)
    },
    lastRetentionRun: async (): Promise<RetentionRun | null> => {
      const r = q.lastRun.get()
      return r === undefined ? null : { ranAt: r.ran_at, cutoff: r.cutoff, subjects: r.subjects, leads: r.leads }
    },
    close: async () => {
      db.close()
    },
  }
}
