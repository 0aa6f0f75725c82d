// Dead letters in PostgreSQL, for the distributed mode: every service records into one table, so the query
// API lists what ingest, the projectors and the Kafka consumer rejected, wherever they run.
import pg from 'pg'
import { migratePostgres, quoteIdent, transaction, type PgMigration } from '@leadstream/runtime'
import type { FieldProblem } from '@leadstream/domain'
import { leadsInPayload } from '../leads.js'
import type { DeadLetter, DeadLetters, DeadLetterStatus, LeadsOf, NewDeadLetter, SubjectsOf } from '../port.js'

const migrations: ReadonlyArray<PgMigration> = [
  (s) => `CREATE TABLE ${s}.dead_letters (
     id          bigserial PRIMARY KEY,
     source      text  NOT NULL,
     format      text  NOT NULL,
     problems    jsonb NOT NULL,
     payload     text  NOT NULL,
     received_at text  NOT NULL,
     status      text  NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'replayed', 'discarded'))
   );
   CREATE INDEX dead_letters_by_status ON ${s}.dead_letters (status, id);`,
  // The data subjects each payload named (keyed HMACs, never the email), so an erasure finds a person's payloads.
  (s) => `CREATE TABLE ${s}.dead_letter_subjects (subject text NOT NULL, id bigint NOT NULL, PRIMARY KEY (subject, id));
   CREATE INDEX dead_letter_subjects_by_id ON ${s}.dead_letter_subjects (id);`,
  // The leads each payload named: lifecycle payloads name a lead, not an email; an erasure purges by its leads.
  (s) => `CREATE TABLE ${s}.dead_letter_leads (lead_id text NOT NULL, id bigint NOT NULL, PRIMARY KEY (lead_id, id));
   CREATE INDEX dead_letter_leads_by_id ON ${s}.dead_letter_leads (id);`,
]

export interface PostgresDeadLettersOptions {
  readonly connectionString: string
  /** Its own schema (its migrations are versioned per schema): `<LEADSTREAM_POSTGRES_SCHEMA>_dead_letters`. */
  readonly schema: string
  readonly poolSize?: number
  /** Which subjects a payload names, recorded beside it (the port's SubjectsOf). */
  readonly subjectsOf?: SubjectsOf
  /** Which leads a payload names, recorded beside it (default leadsInPayload). */
  readonly leadsOf?: LeadsOf
}

interface Row {
  id: string
  source: string
  format: string
  problems: ReadonlyArray<FieldProblem>
  payload: string
  received_at: string
  status: string
}

/**
 * PostgreSQL's text cannot hold NUL (U+0000), which a rejected payload may well carry (it may be why it was
 * rejected). Payloads are stored with NUL escaped as the six characters `\u0000` and a leading marker, and read
 * back exactly; problems are jsonb, where NUL is refused too, so they go through the same escape.
 */
const NUL_MARK = '\u0001nul:'
const escapeNul = (s: string): string => (s.includes('\u0000') || s.startsWith(NUL_MARK) ? NUL_MARK + s.replace(/\\/g, '\\\\').replace(/\u0000/g, '\\0') : s)
const unescapeNul = (s: string): string =>
  s.startsWith(NUL_MARK) ? s.slice(NUL_MARK.length).replace(/\\(\\|0)/g, (_, c: string) => (c === '0' ? '\u0000' : '\\')) : s

const toDeadLetter = (r: Row): DeadLetter => ({
  id: Number(r.id),
  source: r.source,
  format: r.format,
  problems: r.problems.map((p) => ({ path: unescapeNul(p.path), reason: unescapeNul(p.reason) })),
  payload: unescapeNul(r.payload),
  receivedAt: r.received_at,
  status: r.status as DeadLetterStatus,
})

export const postgresDeadLetters = async (options: PostgresDeadLettersOptions): Promise<DeadLetters & { readonly pool: pg.Pool }> => {
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 4 })
  await migratePostgres(pool, options.schema, migrations)
  const t = `${quoteIdent(options.schema)}.dead_letters`
  const links = `${quoteIdent(options.schema)}.dead_letter_subjects`
  const leadLinks = `${quoteIdent(options.schema)}.dead_letter_leads`
  const subjectsOf = options.subjectsOf ?? (() => [])
  const leadsOf = options.leadsOf ?? leadsInPayload
  const insert = async (c: pg.PoolClient, e: NewDeadLetter) => {
    const inserted = await c.query<{ id: string }>(
      `INSERT INTO ${t} (source, format, problems, payload, received_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [
        e.source,
        e.format,
        JSON.stringify(e.problems.map((p) => ({ path: escapeNul(p.path), reason: escapeNul(p.reason) }))),
        escapeNul(e.payload),
        e.receivedAt,
      ],
    )
    const subjects = subjectsOf(e.payload)
    if (subjects.length > 0)
      await c.query(`INSERT INTO ${links} (subject, id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, [subjects, inserted.rows[0]?.id])
    const leads = leadsOf(e.payload)
    if (leads.length > 0)
      await c.query(`INSERT INTO ${leadLinks} (lead_id, id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, [leads, inserted.rows[0]?.id])
    return inserted
  }
  return {
    pool,
    // One transaction: a batch's rejected items are all kept or, on failure, none are (and the caller's answer fails).
    record: async (entries) =>
      entries.length === 0
        ? []
        : transaction(pool, async (c) => {
            const ids: number[] = []
            for (const e of entries) ids.push(Number((await insert(c, e)).rows[0]?.id))
            return ids
          }),
    list: async ({ status, after, limit }) =>
      (status === undefined
        ? await pool.query<Row>(`SELECT * FROM ${t} WHERE id > $1 ORDER BY id LIMIT $2`, [after ?? 0, limit])
        : await pool.query<Row>(`SELECT * FROM ${t} WHERE status = $1 AND id > $2 ORDER BY id LIMIT $3`, [status, after ?? 0, limit])
      ).rows.map(toDeadLetter),
    get: async (id) => {
      const { rows } = await pool.query<Row>(`SELECT * FROM ${t} WHERE id = $1`, [id])
      return rows[0] === undefined ? null : toDeadLetter(rows[0])
    },
    setStatus: async (id, status) => ((await pool.query(`UPDATE ${t} SET status = $1 WHERE id = $2`, [status, id])).rowCount ?? 0) > 0,
    count: async (status) => Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${t} WHERE status = $1`, [status])).rows[0]?.n ?? 0),
    ofSubject: async (subject) =>
      (await pool.query<Row>(`SELECT d.* FROM ${links} s JOIN ${t} d ON d.id = s.id WHERE s.subject = $1 ORDER BY d.id`, [subject])).rows.map(toDeadLetter),
    // A letter naming two people goes with the first erasure of either: its links to the other go with it.
    purgeSubject: async (subject) =>
      transaction(pool, async (c) => {
        const { rows } = await c.query<{ id: string }>(`DELETE FROM ${t} WHERE id IN (SELECT id FROM ${links} WHERE subject = $1) RETURNING id`, [subject])
        const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b)
        await c.query(`DELETE FROM ${links} WHERE id = ANY($1::bigint[])`, [ids])
        await c.query(`DELETE FROM ${leadLinks} WHERE id = ANY($1::bigint[])`, [ids])
        return ids
      }),
    ofLeads: async (leadIds) =>
      leadIds.length === 0
        ? []
        : (
            await pool.query<Row>(`SELECT * FROM ${t} WHERE id IN (SELECT id FROM ${leadLinks} WHERE lead_id = ANY($1::text[])) ORDER BY id`, [[...leadIds]])
          ).rows.map(toDeadLetter),
    purgeLeads: async (leadIds) =>
      leadIds.length === 0
        ? []
        : transaction(pool, async (c) => {
            const { rows } = await c.query<{ id: string }>(
              `DELETE FROM ${t} WHERE id IN (SELECT id FROM ${leadLinks} WHERE lead_id = ANY($1::text[])) RETURNING id`,
              [[...leadIds]],
            )
            const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b)
            await c.query(`DELETE FROM ${links} WHERE id = ANY($1::bigint[])`, [ids])
            await c.query(`DELETE FROM ${leadLinks} WHERE id = ANY($1::bigint[])`, [ids])
            return ids
          }),
    close: () => pool.end(),
  }
}
