// The key store in PostgreSQL, for the distributed mode: every ingest replica and projector shares one set of
// data keys (and the identity secret), so they seal and open alike.
import pg from 'pg'
import { migratePostgres, quoteIdent, transaction, type PgMigration } from '@leadstream/runtime'
import { keyStoreOver, type KeyRow, type KeyRows, type KeyStoreOptions, type MasterKeys } from '../keyStore.js'
import type { KeyStore } from '../port.js'

const migrations: ReadonlyArray<PgMigration> = [
  (s) => `CREATE TABLE ${s}.data_keys (
     key_id    text PRIMARY KEY,
     subject   text NOT NULL UNIQUE,
     wrapped   text NOT NULL,
     master_id text NOT NULL
   );
   CREATE INDEX data_keys_by_master ON ${s}.data_keys (master_id);
   CREATE TABLE ${s}.subject_leads (
     subject text NOT NULL,
     lead_id text NOT NULL,
     PRIMARY KEY (subject, lead_id)
   );
   CREATE INDEX subject_leads_by_lead ON ${s}.subject_leads (lead_id);`,
  // Tombstones of shredded key ids: a record reads as erased only when its key id is here (a missing key is a fault).
  (s) => `CREATE TABLE ${s}.shredded_keys (key_id text PRIMARY KEY);`,
]

interface Row {
  key_id: string
  subject: string
  wrapped: string
  master_id: string
}
const toRow = (r: Row): KeyRow => ({ keyId: r.key_id, subject: r.subject, wrapped: r.wrapped, masterId: r.master_id })

export interface PostgresKeyStoreOptions extends KeyStoreOptions {
  readonly connectionString: string
  /** Its own schema: `<LEADSTREAM_POSTGRES_SCHEMA>_keys`. */
  readonly schema: string
  readonly master: MasterKeys
  readonly poolSize?: number
}

export const postgresKeyRows = async (options: {
  readonly connectionString: string
  readonly schema: string
  readonly poolSize?: number
}): Promise<KeyRows> => {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4 })
  await migratePostgres(pool, options.schema, migrations)
  const s = quoteIdent(options.schema)
  const keys = `${s}.data_keys`
  const leads = `${s}.subject_leads`
  const tombstones = `${s}.shredded_keys`
  return {
    // One statement inserts what is missing (a concurrent insert of the same subject wins, ON CONFLICT), one reads all.
    getOrCreate: (subjects, make, links) =>
      transaction(pool, async (c) => {
        if (links.length > 0)
          await c.query(`INSERT INTO ${leads} (subject, lead_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
            links.map((l) => l.subject),
            links.map((l) => l.leadId),
          ])
        const { rows: found } = await c.query<{ subject: string }>(`SELECT subject FROM ${keys} WHERE subject = ANY($1)`, [subjects])
        const have = new Set(found.map((r) => r.subject))
        const made = subjects.filter((x) => !have.has(x)).map(make)
        if (made.length > 0)
          await c.query(
            `INSERT INTO ${keys} (key_id, subject, wrapped, master_id)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) ON CONFLICT (subject) DO NOTHING`,
            [made.map((r) => r.keyId), made.map((r) => r.subject), made.map((r) => r.wrapped), made.map((r) => r.masterId)],
          )
        return (await c.query<Row>(`SELECT * FROM ${keys} WHERE subject = ANY($1)`, [subjects])).rows.map(toRow)
      }),
    byIds: async (ids) => (await pool.query<Row>(`SELECT * FROM ${keys} WHERE key_id = ANY($1)`, [ids])).rows.map(toRow),
    link: async (links) => {
      await pool.query(`INSERT INTO ${leads} (subject, lead_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
        links.map((l) => l.subject),
        links.map((l) => l.leadId),
      ])
    },
    leadsOf: async (subject) =>
      (await pool.query<{ lead_id: string }>(`SELECT lead_id FROM ${leads} WHERE subject = $1 ORDER BY lead_id`, [subject])).rows.map((r) => r.lead_id),
    subjectsOfLeads: async (leadIds) =>
      (
        await pool.query<{ subject: string; lead_id: string }>(`SELECT subject, lead_id FROM ${leads} WHERE lead_id = ANY($1) ORDER BY subject`, [leadIds])
      ).rows.map((r) => ({
        subject: r.subject,
        leadId: r.lead_id,
      })),
    // One statement: the keys go and their tombstones appear together.
    deleteSubject: async (subject) =>
      Number(
        (
          await pool.query<{ n: string }>(
            `WITH gone AS (DELETE FROM ${keys} WHERE subject = $1 RETURNING key_id),
                  stone AS (INSERT INTO ${tombstones} (key_id) SELECT key_id FROM gone ON CONFLICT DO NOTHING)
             SELECT count(*) AS n FROM gone`,
            [subject],
          )
        ).rows[0]?.n ?? 0,
      ),
    shredded: async (ids) => (await pool.query<{ key_id: string }>(`SELECT key_id FROM ${tombstones} WHERE key_id = ANY($1)`, [ids])).rows.map((r) => r.key_id),
    masterIds: async () =>
      (
        await pool.query<Row & { n: string }>(
          `SELECT DISTINCT ON (master_id) master_id, key_id, subject, wrapped, count(*) OVER (PARTITION BY master_id) AS n FROM ${keys} ORDER BY master_id, key_id`,
        )
      ).rows.map((r) => ({ masterId: r.master_id, keys: Number(r.n), sample: toRow(r) })),
    notWrappedBy: async (masterId, limit) => (await pool.query<Row>(`SELECT * FROM ${keys} WHERE master_id <> $1 LIMIT $2`, [masterId, limit])).rows.map(toRow),
    replaceWrapping: async (rows) =>
      rows.length === 0
        ? 0
        : transaction(pool, async (c) => {
            let n = 0
            for (const r of rows)
              n +=
                (await c.query(`UPDATE ${keys} SET wrapped = $1, master_id = $2 WHERE key_id = $3 AND master_id = $4`, [r.wrapped, r.masterId, r.keyId, r.was]))
                  .rowCount ?? 0
            return n
          }),
    close: () => pool.end(),
  }
}

export const postgresKeyStore = async (options: PostgresKeyStoreOptions): Promise<KeyStore> =>
  keyStoreOver(await postgresKeyRows(options), options.master, options)
