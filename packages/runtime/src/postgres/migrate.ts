// The one way a PostgreSQL store of this repo sets up its schema: a forward-only migration runner whose
// versions live in `<schema>.schema_migrations`, run under an advisory lock so processes starting together don't race.
import type pg from 'pg'
import { transaction } from './transaction.js'

/** A migration is SQL run once, in order; it receives the store's schema as a quoted identifier to qualify names. */
export type PgMigration = (schema: string) => string

/** `name` as an SQL identifier (double quotes doubled), so any schema name is safe to splice into SQL. */
export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

/**
 * Brings `schema` (created if missing) up to `migrations.length`, all in ONE transaction: PostgreSQL's DDL is
 * transactional, so a failed migration leaves the schema at the version it had. The transaction first takes an
 * advisory lock named after the schema: a second process starting at the same moment waits, then finds the
 * versions recorded and runs nothing. A schema newer than this build is refused, as the SQLite runner does.
 */
export const migratePostgres = async (pool: pg.Pool, schema: string, migrations: ReadonlyArray<PgMigration>): Promise<void> => {
  const s = quoteIdent(schema)
  await transaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`leadstream:migrate:${schema}`])
    // CREATE SCHEMA IF NOT EXISTS still needs CREATE on the database: a role that may only use an existing
    // schema must not be asked for it.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`)
    const { rows } = await client.query<{ v: number | null }>(`SELECT max(version) AS v FROM ${s}.schema_migrations`)
    const applied = rows[0]?.v ?? 0
    if (applied > migrations.length) throw new Error(`schema ${schema} is at version ${applied}, newer than this build knows (${migrations.length})`)
    for (let v = applied; v < migrations.length; v++) {
      await client.query(migrations[v]?.(s) ?? '')
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [v + 1])
    }
  })
}
