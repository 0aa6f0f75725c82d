// The PostgreSQL side of `pnpm bench`: a rebuild of the same event store into PostgreSQL views (the real
// projector and adapter), beside the raw limit: a bare multi-row upsert of the same lead rows (read from the
// SQLite views the embedded projection just built) into a table with the adapter's own schema.
import Database from 'better-sqlite3'
import pg from 'pg'
import type { EventStore } from '@leadstream/event-store'
import { postgresViewStore } from '@leadstream/view-store'
import { projectAll, type ProjectionResult } from './projection.js'
import type { RawResult } from './raw.js'

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`

export const dropSchema = async (url: string, schema: string) => {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`)
  } finally {
    await c.end()
  }
}

/** Projects the whole store into fresh PostgreSQL views, as a rebuild does; the schema is dropped afterwards. */
export const rebuildIntoPostgres = async (url: string, store: EventStore, options: Parameters<typeof projectAll>[2]): Promise<ProjectionResult> => {
  const schema = `bench_rebuild_${process.pid}_${Date.now().toString(36)}`
  const views = await postgresViewStore({ connectionString: url, schema })
  try {
    return await projectAll(store, views, options)
  } finally {
    await views.close()
    await dropSchema(url, schema)
  }
}

/** Bare upserts of the lead rows of `sqliteViews` into the adapter's own leads table, `batch` rows per statement and transaction. */
export const rawPostgresUpserts = async (url: string, sqliteViews: string, batch: number): Promise<RawResult> => {
  const schema = `bench_raw_${process.pid}_${Date.now().toString(36)}`
  // The adapter creates its schema (tables, indexes, collations) through its own migrations.
  await (await postgresViewStore({ connectionString: url, schema })).close()
  const src = new Database(sqliteViews, { readonly: true })
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  let rows = 0
  let ns = 0n
  try {
    const select = src.prepare<
      [number, number],
      {
        rid: number
        lead_id: string
        revision: number
        storefront: string
        campaign: string
        offer_key: string
        offer_key2: string | null
        offer_kind: string
        state: string
        is_test: number
        captured_at: string
        doc: string
      }
    >('SELECT rowid AS rid, * FROM leads WHERE rowid > ? ORDER BY rowid LIMIT ?')
    const sql = `INSERT INTO ${quote(schema)}.leads (lead_id, revision, storefront, campaign, offer_key, offer_key2, offer_kind, state, is_test, captured_at, doc)
      SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bool[], $10::text[], $11::text[])
      ON CONFLICT (lead_id) DO UPDATE SET revision = excluded.revision, state = excluded.state, offer_kind = excluded.offer_kind, doc = excluded.doc`
    for (let after = 0; ; ) {
      const r = select.all(after, batch)
      const last = r[r.length - 1]
      if (last === undefined) break
      after = last.rid
      const cols = [
        r.map((x) => x.lead_id),
        r.map((x) => x.revision),
        r.map((x) => x.storefront),
        r.map((x) => x.campaign),
        r.map((x) => x.offer_key),
        r.map((x) => x.offer_key2),
        r.map((x) => x.offer_kind),
        r.map((x) => x.state),
        r.map((x) => x.is_test === 1),
        r.map((x) => x.captured_at),
        r.map((x) => x.doc),
      ]
      const t0 = process.hrtime.bigint()
      await client.query('BEGIN')
      await client.query(sql, cols)
      await client.query('COMMIT')
      ns += process.hrtime.bigint() - t0
      rows += r.length
    }
  } finally {
    src.close()
    await client.end()
    await dropSchema(url, schema)
  }
  const seconds = Number(ns) / 1e9
  return { rows, seconds, rowsPerSecond: rows / seconds }
}
