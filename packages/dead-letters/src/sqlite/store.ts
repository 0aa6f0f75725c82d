// Embedded dead letters on SQLite.
import { openSqlite, walGroupCommit, type Sqlite } from '@leadstream/runtime'
import type { FieldProblem } from '@leadstream/domain'
import { leadsInPayload } from '../leads.js'
import type { DeadLetter, DeadLetters, DeadLetterStatus, LeadsOf, NewDeadLetter, SubjectsOf } from '../port.js'

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
  // The data subjects each payload named (keyed HMACs, never the email), so an erasure finds a person's payloads.
  `CREATE TABLE dead_letter_subjects (subject TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (subject, id)) WITHOUT ROWID;`,
  // The leads each payload named: lifecycle payloads name a lead, not an email; an erasure purges by its leads.
  `CREATE TABLE dead_letter_leads (lead_id TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (lead_id, id)) WITHOUT ROWID;
   CREATE INDEX dead_letter_leads_by_id ON dead_letter_leads (id);`,
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

export const sqliteDeadLetters = (options: {
  readonly path: string
  readonly subjectsOf?: SubjectsOf
  readonly leadsOf?: LeadsOf
}): DeadLetters & { readonly db: Sqlite } => {
  // Committed with synchronous=NORMAL and made durable by a group commit (runtime's groupCommit.ts): the fsync runs
  // off the event loop, where FULL held the loop for each slice of a 10,000-rejected batch (up to ~150 ms on a slow
  // disk). Every write still resolves only once it is on disk: a dead letter is recorded before the answer says so.
  const db = openSqlite(options.path, migrations, { kind: 'dead-letters', synchronous: 'NORMAL' })
  const commits = walGroupCommit(options.path)
  const subjectsOf = options.subjectsOf ?? (() => [])
  const leadsOf = options.leadsOf ?? leadsInPayload
  const q = {
    insert: db.prepare('INSERT INTO dead_letters (source, format, problems, payload, received_at) VALUES (?, ?, ?, ?, ?)'),
    list: db.prepare<[number, number], Row>('SELECT * FROM dead_letters WHERE id > ? ORDER BY id LIMIT ?'),
    listByStatus: db.prepare<[string, number, number], Row>('SELECT * FROM dead_letters WHERE status = ? AND id > ? ORDER BY id LIMIT ?'),
    get: db.prepare<[number], Row>('SELECT * FROM dead_letters WHERE id = ?'),
    setStatus: db.prepare('UPDATE dead_letters SET status = ? WHERE id = ?'),
    count: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM dead_letters WHERE status = ?'),
    link: db.prepare('INSERT OR IGNORE INTO dead_letter_subjects (subject, id) VALUES (?, ?)'),
    ofSubject: db.prepare<[string], Row>('SELECT d.* FROM dead_letter_subjects s JOIN dead_letters d ON d.id = s.id WHERE s.subject = ? ORDER BY d.id'),
    idsOfSubject: db.prepare<[string], { id: number }>('SELECT id FROM dead_letter_subjects WHERE subject = ? ORDER BY id'),
    delete: db.prepare('DELETE FROM dead_letters WHERE id = ?'),
    unlink: db.prepare('DELETE FROM dead_letter_subjects WHERE id = ?'),
    linkLead: db.prepare('INSERT OR IGNORE INTO dead_letter_leads (lead_id, id) VALUES (?, ?)'),
    ofLeads: db.prepare<[string], Row>(
      'SELECT * FROM dead_letters WHERE id IN (SELECT id FROM dead_letter_leads WHERE lead_id IN (SELECT value FROM json_each(?))) ORDER BY id',
    ),
    idsOfLead: db.prepare<[string], { id: number }>('SELECT id FROM dead_letter_leads WHERE lead_id = ?'),
    unlinkLeads: db.prepare('DELETE FROM dead_letter_leads WHERE id = ?'),
  }
  const insertAll = db.transaction((entries: ReadonlyArray<NewDeadLetter>) =>
    entries.map((e) => {
      const id = Number(q.insert.run(e.source, e.format, JSON.stringify(e.problems), e.payload, e.receivedAt).lastInsertRowid)
      for (const s of subjectsOf(e.payload)) q.link.run(s, id)
      for (const l of leadsOf(e.payload)) q.linkLead.run(l, id)
      return id
    }),
  )
  // A letter naming two people goes with the first erasure of either: its links to the other go with it.
  const purgeIds = (ids: ReadonlyArray<number>) => {
    for (const id of ids) {
      q.delete.run(id)
      q.unlink.run(id)
      q.unlinkLeads.run(id)
    }
    return ids
  }
  const purge = db.transaction((subject: string) => purgeIds(q.idsOfSubject.all(subject).map((r) => r.id)))
  const purgeLeads = db.transaction((leadIds: ReadonlyArray<string>) =>
    purgeIds([...new Set(leadIds.flatMap((l) => q.idsOfLead.all(l).map((r) => r.id)))].sort((a, b) => a - b)),
  )
  return {
    db,
    record: async (entries) => (entries.length === 0 ? [] : commits.durably(insertAll.immediate(entries))),
    list: async ({ status, after, limit }) =>
      (status === undefined ? q.list.all(after ?? 0, limit) : q.listByStatus.all(status, after ?? 0, limit)).map(toDeadLetter),
    get: async (id) => {
      const r = q.get.get(id)
      return r === undefined ? null : toDeadLetter(r)
    },
    setStatus: async (id, status) => commits.durably(q.setStatus.run(status, id).changes > 0),
    count: async (status) => q.count.get(status)?.n ?? 0,
    ofSubject: async (subject) => q.ofSubject.all(subject).map(toDeadLetter),
    purgeSubject: async (subject) => commits.durably(purge.immediate(subject)),
    ofLeads: async (leadIds) => (leadIds.length === 0 ? [] : q.ofLeads.all(JSON.stringify(leadIds)).map(toDeadLetter)),
    purgeLeads: async (leadIds) => (leadIds.length === 0 ? [] : commits.durably(purgeLeads.immediate(leadIds))),
    close: async () => {
      db.close()
    },
  }
}
