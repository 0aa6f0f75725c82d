// The embedded key store: keys.db in the data directory. It holds acknowledged state (without its keys the
// events' personal data is unreadable), so a damaged file stops the process like dead-letters.db does.
import { openSqlite, walGroupCommit, type GroupCommit, type Sqlite } from '@leadstream/runtime'
import { keyStoreOver, type KeyRow, type KeyRows, type KeyStoreOptions, type MasterKeys } from '../keyStore.js'
import type { KeyStore } from '../port.js'

const migrations = [
  `CREATE TABLE data_keys (
     key_id    TEXT PRIMARY KEY,
     subject   TEXT NOT NULL UNIQUE,
     wrapped   TEXT NOT NULL,
     master_id TEXT NOT NULL
   );
   CREATE INDEX data_keys_by_master ON data_keys (master_id);
   CREATE TABLE subject_leads (
     subject TEXT NOT NULL,
     lead_id TEXT NOT NULL,
     PRIMARY KEY (subject, lead_id)
   ) WITHOUT ROWID;
   CREATE INDEX subject_leads_by_lead ON subject_leads (lead_id);`,
  // Tombstones of shredded key ids: a record reads as erased only when its key id is here (a missing key is a fault).
  `CREATE TABLE shredded_keys (key_id TEXT PRIMARY KEY) WITHOUT ROWID;`,
]

interface Row {
  key_id: string
  subject: string
  wrapped: string
  master_id: string
}
const toRow = (r: Row): KeyRow => ({ keyId: r.key_id, subject: r.subject, wrapped: r.wrapped, masterId: r.master_id })

/**
 * Every write resolves once keys.db's WAL is fsynced after it (`commits`, a group commit off the event loop; the
 * file is opened with synchronous=NORMAL). This is the order sealing relies on: keysFor resolves, and only then
 * is the event sealed with the key committed to events.db, so no event is ever on disk without its key.
 * getOrCreate waits even when it created nothing: the keys it found may be another caller's, not synced yet.
 */
export const sqliteKeyRows = (db: Sqlite, commits: GroupCommit): KeyRows => {
  // Every new subject inserts into indexes keyed by hashes (subject, lead id). A page cache that holds them
  // saves re-reading their pages from the OS on every batch. A larger WAL between checkpoints (fewer, larger
  // write-backs) measured faster too, but its checkpoints held the event loop longer (test/e2e/responsive), so
  // it is left at SQLite's default (BENCHMARKS.md, "Ingest and the key store").
  db.pragma('cache_size = -65536')
  const q = {
    insert: db.prepare('INSERT OR IGNORE INTO data_keys (key_id, subject, wrapped, master_id) VALUES (?, ?, ?, ?)'),
    link: db.prepare('INSERT OR IGNORE INTO subject_leads (subject, lead_id) VALUES (?, ?)'),
    leadsOf: db.prepare<[string], { lead_id: string }>('SELECT lead_id FROM subject_leads WHERE subject = ? ORDER BY lead_id'),
    deleteSubject: db.prepare<[string], { key_id: string }>('DELETE FROM data_keys WHERE subject = ? RETURNING key_id'),
    tombstone: db.prepare('INSERT OR IGNORE INTO shredded_keys (key_id) VALUES (?)'),
    masters: db.prepare<[], Row & { n: number }>(
      'SELECT master_id, count(*) AS n, min(key_id) AS key_id, min(subject) AS subject, min(wrapped) AS wrapped FROM data_keys GROUP BY master_id',
    ),
    sample: db.prepare<[string], Row>('SELECT * FROM data_keys WHERE master_id = ? LIMIT 1'),
    notWrappedBy: db.prepare<[string, number], Row>('SELECT * FROM data_keys WHERE master_id <> ? LIMIT ?'),
    replace: db.prepare('UPDATE data_keys SET wrapped = ?, master_id = ? WHERE key_id = ? AND master_id = ?'),
  }
  // A whole batch's ids as one JSON array parameter: one prepared statement whatever the batch size.
  const bySubjects = db.prepare<[string], Row>('SELECT * FROM data_keys WHERE subject IN (SELECT value FROM json_each(?))')
  const byKeyIds = db.prepare<[string], Row>('SELECT * FROM data_keys WHERE key_id IN (SELECT value FROM json_each(?))')
  const shreddedIn = db.prepare<[string], { key_id: string }>('SELECT key_id FROM shredded_keys WHERE key_id IN (SELECT value FROM json_each(?))')
  const leadsIn = db.prepare<[string], { subject: string; lead_id: string }>(
    'SELECT subject, lead_id FROM subject_leads WHERE lead_id IN (SELECT value FROM json_each(?)) ORDER BY subject',
  )
  const getOrCreate = db.transaction(
    (subjects: ReadonlyArray<string>, make: (s: string) => KeyRow, links: ReadonlyArray<{ subject: string; leadId: string }>) => {
      for (const l of links) q.link.run(l.subject, l.leadId)
      const rows = bySubjects.all(JSON.stringify(subjects)).map(toRow)
      const found = new Set(rows.map((r) => r.subject))
      // The transaction is IMMEDIATE: no other writer can insert a subject between the read above and these.
      for (const s of subjects)
        if (!found.has(s)) {
          const r = make(s)
          q.insert.run(r.keyId, r.subject, r.wrapped, r.masterId)
          rows.push(r)
        }
      return rows
    },
  )
  const link = db.transaction((links: ReadonlyArray<{ subject: string; leadId: string }>) => {
    for (const l of links) q.link.run(l.subject, l.leadId)
  })
  const deleteSubject = db.transaction((subject: string) => {
    const gone = q.deleteSubject.all(subject)
    for (const r of gone) q.tombstone.run(r.key_id)
    return gone.length
  })
  const replace = db.transaction((rows: ReadonlyArray<KeyRow & { was: string }>) =>
    rows.reduce((n, r) => n + q.replace.run(r.wrapped, r.masterId, r.keyId, r.was).changes, 0),
  )
  return {
    getOrCreate: async (subjects, make, links) => commits.durably(getOrCreate.immediate(subjects, make, links)),
    byIds: async (ids) => byKeyIds.all(JSON.stringify(ids)).map(toRow),
    link: async (links) => commits.durably(link.immediate(links)),
    leadsOf: async (subject) => q.leadsOf.all(subject).map((r) => r.lead_id),
    subjectsOfLeads: async (leadIds) => leadsIn.all(JSON.stringify(leadIds)).map((r) => ({ subject: r.subject, leadId: r.lead_id })),
    deleteSubject: async (subject) => commits.durably(deleteSubject.immediate(subject)),
    shredded: async (ids) => shreddedIn.all(JSON.stringify(ids)).map((r) => r.key_id),
    masterIds: async () => q.masters.all().map((m) => ({ masterId: m.master_id, keys: m.n, sample: toRow(q.sample.get(m.master_id) ?? m) })),
    notWrappedBy: async (masterId, limit) => q.notWrappedBy.all(masterId, limit).map(toRow),
    replaceWrapping: async (rows) => (rows.length === 0 ? 0 : commits.durably(replace.immediate(rows))),
    close: async () => {
      db.close()
    },
  }
}

export interface SqliteKeyStoreOptions extends KeyStoreOptions {
  readonly path: string
  readonly master: MasterKeys
  /** The fsync of keys.db's WAL (tests: instrumented); default walFsync (runtime/groupCommit.ts). */
  readonly sync?: () => Promise<void>
}

export const sqliteKeyStore = async (options: SqliteKeyStoreOptions): Promise<KeyStore> =>
  keyStoreOver(
    sqliteKeyRows(openSqlite(options.path, migrations, { kind: 'keys', synchronous: 'NORMAL' }), walGroupCommit(options.path, options.sync)),
    options.master,
    options,
  )
