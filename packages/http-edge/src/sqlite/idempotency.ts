// Idempotency keys on SQLite, kept for a day.
import { openSqlite } from '@leadstream/runtime'
import type { IdempotencyKeys } from '../idempotency.js'

const migrations = [
  `CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body TEXT NOT NULL, stored_at TEXT NOT NULL) WITHOUT ROWID;
   CREATE INDEX idempotency_keys_by_age ON idempotency_keys (stored_at);`,
]

export const sqliteIdempotencyKeys = (options: { readonly path: string; readonly ttlMs?: number }): IdempotencyKeys => {
  const db = openSqlite(options.path, migrations, { kind: 'idempotency' })
  const ttl = options.ttlMs ?? 24 * 3600 * 1000
  const q = {
    get: db.prepare<[string, string], { fingerprint: string; status: number; body: string }>(
      'SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ? AND stored_at > ?',
    ),
    put: db.prepare('INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, status, body, stored_at) VALUES (?, ?, ?, ?, ?)'),
    purge: db.prepare('DELETE FROM idempotency_keys WHERE stored_at <= ?'),
    forget: db.prepare('DELETE FROM idempotency_keys WHERE instr(body, ?) > 0'),
  }
  let writes = 0
  return {
    get: async (key) => q.get.get(key, new Date(Date.now() - ttl).toISOString()) ?? null,
    put: async (key, a, now) => {
      q.put.run(key, a.fingerprint, a.status, a.body, now.toISOString())
      if (++writes % 1000 === 0) q.purge.run(new Date(now.getTime() - ttl).toISOString())
    },
    forgetLeads: async (leadIds) => leadIds.reduce((n, id) => n + q.forget.run(JSON.stringify(id)).changes, 0),
    close: async () => {
      db.close()
    },
  }
}
