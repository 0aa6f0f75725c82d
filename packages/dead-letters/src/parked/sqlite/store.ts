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
  // The expirer's lease: set while an entry is being moved to dead letters (see the port's claim).
  `ALTER TABLE parked ADD COLUMN claimed_until TEXT;`,
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
    expired: db.prepare<{ now: string; limit: number }, Row>(
      'SELECT * FROM parked WHERE until <= @now AND (claimed_until IS NULL OR claimed_until <= @now) ORDER BY id LIMIT @limit',
    ),
    claim: db.prepare<{ id: number; now: string; leaseUntil: string }, { id: number }>(
      'UPDATE parked SET claimed_until = @leaseUntil WHERE id = @id AND until <= @now AND (claimed_until IS NULL OR claimed_until <= @now) RETURNING id',
    ),
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
  const claimAll = db.transaction((ids: ReadonlyArray<number>, now: string, leaseUntil: string) =>
    [...new Set(ids)].flatMap((id) => q.claim.all({ id, now, leaseUntil }).map((r) => r.id)),
  )
  const removeAll = db.transaction((ids: ReadonlyArray<number>) => [...new Set(ids)].filter((id) => q.remove.run(id).changes > 0))
  const purgeAll = db.transaction((leadIds: ReadonlyArray<string>) =>
    [...new Set(leadIds)].flatMap((l) => q.purgeLead.all(l).map((r) => r.id)).sort((a, b) => a - b),
  )
  return {
    db,
    park: async (entries) => (entries.length === 0 ? [] : parkAll.immediate(entries)),
    forLeads: async (leadIds) => [...new Set(leadIds)].flatMap((l) => q.ofLead.all(l).map(toParked)).sort(byTime),
    expired: async (now, limit) => q.expired.all({ now, limit }).map(toParked),
    claim: async (ids, now, leaseUntil) => (ids.length === 0 ? [] : claimAll.immediate(ids, now, leaseUntil)),
    remove: async (ids) => (ids.length === 0 ? [] : removeAll.immediate(ids)),
    purgeLeads: async (leadIds) => (leadIds.length === 0 ? [] : purgeAll.immediate(leadIds)),
    list: async ({ after, limit }) => q.list.all(after ?? 0, limit).map(toParked),
    count: async () => q.count.get()?.n ?? 0,
    close: async () => {
      db.close()
    },
  }
}
