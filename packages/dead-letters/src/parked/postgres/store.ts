// Parked events in PostgreSQL, for the distributed mode: every ingest replica parks into and applies from one table.
import pg from 'pg'
import { migratePostgres, quoteIdent, transaction, type PgMigration } from '@leadstream/runtime'
import type { ParkedEvents } from '../port.js'
import { parkedColumns, parkedValues, toParked, type ParkedRow as Row } from '../rows.js'

const migrations: ReadonlyArray<PgMigration> = [
  (s) => `CREATE TABLE ${s}.parked (
     id          bigserial PRIMARY KEY,
     lead_id     text NOT NULL,
     event_id    text NOT NULL,
     source      text NOT NULL,
     format      text NOT NULL,
     payload     text NOT NULL,
     occurred_at text NOT NULL,
     parked_at   text NOT NULL,
     until       text NOT NULL,
     UNIQUE (lead_id, event_id)
   );
   CREATE INDEX parked_by_until ON ${s}.parked (until, id);`,
  // The expirer's lease: set while an entry is being moved to dead letters (see the port's claim).
  (s) => `ALTER TABLE ${s}.parked ADD COLUMN claimed_until text;`,
]

export const postgresParkedEvents = async (options: {
  readonly connectionString: string
  readonly schema: string
  readonly poolSize?: number
}): Promise<ParkedEvents & { readonly pool: pg.Pool }> => {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4 })
  await migratePostgres(pool, options.schema, migrations)
  const t = `${quoteIdent(options.schema)}.parked`
  return {
    pool,
    park: async (entries) =>
      entries.length === 0
        ? []
        : transaction(pool, async (c) => {
            const ids: Array<{ id: number; until: string }> = []
            for (const e of entries) {
              // The no-op update makes RETURNING answer the existing row's id too.
              const r = await c.query<{ id: string; until: string }>(
                `INSERT INTO ${t} (${parkedColumns.join(', ')}) VALUES (${parkedColumns.map((_, i) => `$${i + 1}`).join(', ')})
                 ON CONFLICT (lead_id, event_id) DO UPDATE SET lead_id = EXCLUDED.lead_id RETURNING id, until`,
                [...parkedValues(e)],
              )
              ids.push({ id: Number(r.rows[0]?.id), until: r.rows[0]?.until ?? e.until })
            }
            return ids
          }),
    forLeads: async (leadIds) =>
      leadIds.length === 0
        ? []
        : (await pool.query<Row>(`SELECT * FROM ${t} WHERE lead_id = ANY($1::text[]) ORDER BY occurred_at COLLATE "C", id`, [[...leadIds]])).rows.map(toParked),
    expired: async (now, limit) =>
      (
        await pool.query<Row>(`SELECT * FROM ${t} WHERE until <= $1 AND (claimed_until IS NULL OR claimed_until <= $1) ORDER BY id LIMIT $2`, [now, limit])
      ).rows.map(toParked),
    // One statement: a concurrent claimer of the same row waits for this one's row lock, then re-checks the
    // condition on the updated row (READ COMMITTED), finds it claimed, and skips it.
    claim: async (ids, now, leaseUntil) =>
      ids.length === 0
        ? []
        : (
            await pool.query<{ id: string }>(
              `UPDATE ${t} SET claimed_until = $3 WHERE id = ANY($1::bigint[]) AND until <= $2 AND (claimed_until IS NULL OR claimed_until <= $2) RETURNING id`,
              [[...ids], now, leaseUntil],
            )
          ).rows
            .map((r) => Number(r.id))
            .sort((a, b) => a - b),
    remove: async (ids) =>
      ids.length === 0
        ? []
        : (await pool.query<{ id: string }>(`DELETE FROM ${t} WHERE id = ANY($1::bigint[]) RETURNING id`, [[...ids]])).rows.map((r) => Number(r.id)),
    purgeLeads: async (leadIds) =>
      leadIds.length === 0
        ? []
        : (await pool.query<{ id: string }>(`DELETE FROM ${t} WHERE lead_id = ANY($1::text[]) RETURNING id`, [[...leadIds]])).rows
            .map((r) => Number(r.id))
            .sort((a, b) => a - b),
    list: async ({ after, limit }) => (await pool.query<Row>(`SELECT * FROM ${t} WHERE id > $1 ORDER BY id LIMIT $2`, [after ?? 0, limit])).rows.map(toParked),
    count: async () => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]?.n ?? 0),
    close: () => pool.end(),
  }
}
