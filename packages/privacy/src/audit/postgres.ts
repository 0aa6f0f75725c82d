// The erasure audit on PostgreSQL (distributed mode): `<LEADSTREAM_POSTGRES_SCHEMA>_audit`, shared by every service.
import pg from 'pg'
import { migratePostgres, quoteIdent, type PgMigration } from '@leadstream/runtime'
import type { ErasureAudit } from './port.js'
import { entryOfRow } from './rows.js'

const migrations: ReadonlyArray<PgMigration> = [
  (s) => `CREATE TABLE ${s}.erasures (
     erasure_id   text PRIMARY KEY,
     subject      text NOT NULL,
     email_digest text NOT NULL,
     reason       text NOT NULL CHECK (reason IN ('request', 'retention')),
     by           text NOT NULL,
     note         text,
     requested_at text NOT NULL,
     lead_ids     text NOT NULL,
     status       text NOT NULL CHECK (status IN ('pending', 'done')),
     completed_at text,
     outcome      text,
     counts       text
   );
   CREATE INDEX erasures_by_subject ON ${s}.erasures (subject, requested_at);
   CREATE INDEX erasures_pending ON ${s}.erasures (status, requested_at);
   CREATE TABLE ${s}.retention_runs (id bigserial PRIMARY KEY, ran_at text NOT NULL, cutoff text NOT NULL, subjects integer NOT NULL, leads integer NOT NULL);`,
]

export const postgresErasureAudit = async (options: { readonly connectionString: string; readonly schema: string }): Promise<ErasureAudit> => {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: 2 })
  await migratePostgres(pool, options.schema, migrations)
  const t = `${quoteIdent(options.schema)}.erasures`
  const runs = `${quoteIdent(options.schema)}.retention_runs`
  const rows = async (sql: string, params: ReadonlyArray<unknown>) => (await pool.query(sql, [...params])).rows.map(entryOfRow)
  return {
    begin: async (e) => {
      await pool.query(
        `INSERT INTO ${t} (erasure_id, subject, email_digest, reason, by, note, requested_at, lead_ids, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending') ON CONFLICT (erasure_id) DO NOTHING`,
        [e.erasureId, e.subject, e.emailDigest, e.reason, e.by, e.note, e.requestedAt, JSON.stringify(e.leadIds)],
      )
    },
    complete: async (id, d) => {
      await pool.query(`UPDATE ${t} SET status = 'done', completed_at = $1, outcome = $2, counts = $3 WHERE erasure_id = $4`, [
        d.completedAt,
        d.outcome,
        JSON.stringify(d.counts),
        id,
      ])
    },
    get: async (id) => (await rows(`SELECT * FROM ${t} WHERE erasure_id = $1`, [id]))[0] ?? null,
    pending: () => rows(`SELECT * FROM ${t} WHERE status = 'pending' ORDER BY requested_at, erasure_id`, []),
    ofSubject: (subject) => rows(`SELECT * FROM ${t} WHERE subject = $1 ORDER BY requested_at, erasure_id`, [subject]),
    recent: (limit) => rows(`SELECT * FROM ${t} ORDER BY requested_at DESC, erasure_id DESC LIMIT $1`, [limit]),
    recordRetentionRun: async (r) => {
      await pool.query(`INSERT INTO ${runs} (ran_at, cutoff, subjects, leads) VALUES ($1, $2, $3, $4)`, [r.ranAt, r.cutoff, r.subjects, r.leads])
    },
    lastRetentionRun: async () => {
      const { rows: r } = await pool.query<{ ran_at: string; cutoff: string; subjects: number; leads: number }>(
        `SELECT * FROM ${runs} ORDER BY ran_at DESC, id DESC LIMIT 1`,
      )
      const last = r[0]
      return last === undefined ? null : { ranAt: last.ran_at, cutoff: last.cutoff, subjects: last.subjects, leads: last.leads }
    },
    close: () => pool.end(),
  }
}
