// Parked events on SQLite (parked.db in the data dir), for the embedded mode.
import { openSqlite, type Sqlite } from '@leadstream/runtime'
import type { NewParkedEvent, ParkedEvent, ParkedEvents } from '../port.js'
import { parkedColumns, parkedValues, toParked, type ParkedRow as Row } from '../rows.js'

const migrations = [
  `CREATE TABLE parked (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     lead_id     TEXT NOT NULL,
     event_id    TEXT NOT NULL,
     source      TEXT NOT NULL,
     format      TEXT NOT NULL,
     payload     TEXT NOT NULL,
     occurred_at TEXT NOT NULL,
     parked_at   TEXT NOT NULL,
     until       TEXT NOT NULL,
     UNIQUE (lead_id, event_id)
   );
   CREATE INDEX parked_by_until ON parked (until, id);`,
]

/** ISO instants in UTC with milliseconds (what the domain's Instant yields) order as text. */
const byTime = (a: ParkedEvent, b: ParkedEvent) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.id - b.id)

export const sqliteParkedEvents = (options: { readonly path: string }): ParkedEvents & { readonly db: Sqlite } => {
  const db = openSqlite(options.path, migrations, { kind: 'parked' })
  const q = {
    insert: db.prepare(
      `INSERT INTO parked (${parkedColumns.join(', ')}) VALUES (${parkedColumns.map(() => '?').join(', ')}) ON CONFLICT (lead_id, event_id) DO NOTHING`,
    ),
    idOf: db.prepare<[string, string], { id: number; until: string }>('SELECT id, until FROM parked WHERE lead_id = ? AND event_id = ?'),
    ofLead: db.prepare<[string], Row>('SELECT * FROM parked WHERE lead_id = ?'),
    expired: db.prepare<[string, number], Row>('SELECT * FROM parked WHERE until <= ? ORDER BY id LIMIT ?'),
    remove: db.prepare('DELETE FROM parked WHERE id = ?'),
    purgeLead: db.prepare<[string], { id: number }>('DELETE FROM parked WHERE lead_id = ? RETURNING id'),
    list: db.prepare<[number, number], Row>('SELECT * FROM parked WHERE id > ? ORDER BY id LIMIT ?'),
    count: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM parked'),
  }
  const parkAll = db.transaction((entries: ReadonlyArray<NewParkedEvent>) =>
    entries.map((e) => {
      q.insert.run(...parkedValues(e))
      const r = q.idOf.get(e.leadId, e.eventId)!
      return { id: r.id, until: r.until }
    }),
  )
  const removeAll = db.transaction((ids: ReadonlyArray<number>) => [...new Set(ids)].filter((id) => q.remove.run(id).changes > 0))
  const purgeAll = db.transaction((leadIds: ReadonlyArray<string>) =>
    [...new Set(leadIds)].flatMap((l) => q.purgeLead.all(l).map((r) => r.id)).sort((a, b) => a - b),
  )
  return {
    db,
    park: async (entries) => (entries.length === 0 ? [] : parkAll.immediate(entries)),
    forLeads: async (leadIds) => [...new Set(leadIds)].flatMap((l) => q.ofLead.all(l).map(toParked)).sort(byTime),
    expired: async (now, limit) => q.expired.all(now, limit).map(toParked),
    remove: async (ids) => (ids.length === 0 ? [] : removeAll.immediate(ids)),
    purgeLeads: async (leadIds) => (leadIds.length === 0 ? [] : purgeAll.immediate(leadIds)),
    list: async ({ after, limit }) => q.list.all(after ?? 0, limit).map(toParked),
    count: async () => q.count.get()?.n ?? 0,
    close: async () => {
      db.close()
    },
  }
}
