// Idempotency-Key answers in PostgreSQL, for the distributed mode: every ingest replica sees every answer.
import pg from 'pg'
import { migratePostgres, quoteIdent, type PgMigration } from '@leadstream/runtime'
import type { IdempotencyKeys } from '../idempotency.js'

const migrations: ReadonlyArray<PgMigration> = [
  (s) => `CREATE TABLE ${s}.idempotency_keys (
     key         text PRIMARY KEY,
     fingerprint text NOT NULL,
     status      integer NOT NULL,
     body        text NOT NULL,
     stored_at   timestamptz NOT NULL
   );
   CREATE INDEX idempotency_keys_by_age ON ${s}.idempotency_keys (stored_at);`,
]

export interface PostgresIdempotencyKeysOptions {
  readonly connectionString: string
  /** Its own schema (migrations are versioned per schema): `<LEADSTREAM_POSTGRES_SCHEMA>_idempotency`. */
  readonly schema: string
  readonly ttlMs?: number
}

/**
 * The answer is written after the append, which lives in another store (EventStoreDB or SQLite), so no
 * transaction spans both. A crash between them loses the answer; the retry then runs again and is safe
 * because every event a keyed request writes has an id derived from the request (README, "Guarantees").
 */
export const postgresIdempotencyKeys = async (options: PostgresIdempotencyKeysOptions): Promise<IdempotencyKeys> => {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 4 })
  await migratePostgres(pool, options.schema, migrations)
  const t = `${quoteIdent(options.schema)}.idempotency_keys`
  const ttl = options.ttlMs ?? 24 * 3600 * 1000
  let writes = 0
  return {
    get: async (key) =>
      (
        await pool.query<{ fingerprint: string; status: number; body: string }>(
          `SELECT fingerprint, status, body FROM ${t} WHERE key = $1 AND stored_at > now() - make_interval(secs => $2)`,
          [key, ttl / 1000],
        )
      ).rows[0] ?? null,
    put: async (key, a, now) => {
      // The first answer wins: two replicas racing on one key keep one answer.
      await pool.query(`INSERT INTO ${t} (key, fingerprint, status, body, stored_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING`, [
        key,
        a.fingerprint,
        a.status,
        a.body.replace(/\u0000/g, '\\u0000'),
        now,
      ])
      if (++writes % 1000 === 0) await pool.query(`DELETE FROM ${t} WHERE stored_at <= $1`, [new Date(now.getTime() - ttl)])
    },
    forgetLeads: async (leadIds) =>
      leadIds.length === 0
        ? 0
        : ((
            await pool.query(`DELETE FROM ${t} WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) AS x WHERE strpos(body, x) > 0)`, [
              leadIds.map((id) => JSON.stringify(id)),
            ])
          ).rowCount ?? 0),
    close: () => pool.end(),
  }
}
