// Production view store on PostgreSQL: the same tables and guarantees as the SQLite store, shared by many processes.
import * as E from 'fp-ts/lib/Either.js'
import { LeadSummaryCodec, OfferEntryCodec, type Changes, type CountDelta, type LeadSummary, type Loaded, type OfferEntry } from '@leadstream/domain'
import pg from 'pg'
import { randomUUID } from 'node:crypto'
import { analyticsColumnNames, analyticsUpdated, analyticsValues, factsOfRow, factsSelect, factsSinceOf, factsSinceSelect } from '../columns.js'
import { encodeCursor, filterSql, type CountRow, type FilterDialect, type LeadFilter, type Needs, type RegistryEntry, type ViewStore } from '../port.js'
import { docFields, viewOfRow, viewOfSummary, viewSelect } from '../leadView.js'
import { RegistryCodec } from '../registry.js'
import { deferredIndexes, migrations } from './schema.js'
import { migratePostgres, quoteIdent, transaction } from '@leadstream/runtime'

export interface PostgresViewStoreOptions {
  readonly connectionString: string
  /** The schema that holds the store's tables, created if missing (default `leadstream`). */
  readonly schema?: string
  /** Connections in the pool (default 10). */
  readonly poolSize?: number
}

type Client = pg.Pool | pg.PoolClient

/**
 * The page of facts after (`$1`, `$2`) in write-sequence order. The ORDER BY names the table's columns: the
 * select list casts `changed` to float8 under the same name, and an unqualified `changed` there means that output
 * column, which no index orders, so every read sorted the whole table (600 ms per analytics read at 1M leads).
 */
export const factsSinceSql = (s: string): string =>
  `SELECT ${factsSinceSelect((c) => `${c}::float8`)} FROM ${s}.leads AS l WHERE (l.changed, l.lead_id) > ($1, $2) ORDER BY l.changed, l.lead_id LIMIT $3`

export const postgresViewStore = async (options: PostgresViewStoreOptions): Promise<ViewStore & { readonly pool: pg.Pool }> => {
  const schema = options.schema ?? 'leadstream'
  const s = quoteIdent(schema)
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize ?? 10 })
  // An idle client that loses its connection (a server restart) is dropped by the pool and the next query
  // opens a new one; queries in flight get their own error. Without a listener the event would kill the process.
  pool.on('error', () => undefined)
  try {
    await migratePostgres(pool, schema, migrations)
  } catch (e) {
    await pool.end()
    throw e
  }

  // Every statement is named, so each connection parses and plans it once. Names are unique per pool.
  const instance = randomUUID()
  /** Between beginBuild and finishBuild: a generation nobody reads, loaded in bulk. */
  let building = false
  const q = {
    lock: `SELECT pg_advisory_xact_lock(hashtext($1))`,
    checkpointOf: `SELECT "offset" FROM ${s}.checkpoints WHERE projection = $1 AND partition = $2`,
    checkpoints: `SELECT partition, "offset" FROM ${s}.checkpoints WHERE projection = $1 ORDER BY partition`,
    position: `SELECT max(position) AS p FROM ${s}.checkpoints`,
    lead: `SELECT doc FROM ${s}.leads WHERE lead_id = $1`,
    // updatedAt is an ISO-8601 UTC instant (the Instant codec's form): text order is time order.
    idleLeads: `SELECT lead_id FROM ${s}.leads WHERE lead_id > $1 AND (doc::json)->>'updatedAt' < $2 AND (doc::json)->>'erasedAt' IS NULL ORDER BY lead_id LIMIT $3`,
    factsSince: factsSinceSql(s),
    // `via` is the classified offer key a row was found by (null: found by id); a row may come twice.
    loadLeads: `SELECT NULL::text AS via, lead_id, doc FROM ${s}.leads WHERE lead_id = ANY($1::text[])
      UNION ALL SELECT offer_key, lead_id, doc FROM ${s}.leads WHERE offer_key = ANY($2::text[])
      UNION ALL SELECT offer_key2, lead_id, doc FROM ${s}.leads WHERE offer_key2 = ANY($2::text[])`,
    loadOffers: `SELECT offer_key, doc FROM ${s}.offers WHERE offer_key = ANY($1::text[])`,
    // Scalar columns travel as arrays; the documents as ONE text of JSON lines (JSON.stringify never writes a
    // raw newline), split on the server: no per-element quoting of large strings in an array literal.
    // Only the columns a lead can change after capture (see the SQLite store).
    upsertLeads: `INSERT INTO ${s}.leads (lead_id, revision, storefront, campaign, offer_key, offer_key2, offer_kind, state, is_test, captured_at, doc,
        ${analyticsColumnNames.join(', ')}, changed)
      -- One write sequence for the batch's rows, taken under the projection's lock (so in commit order).
      SELECT *, (SELECT coalesce(max(changed), 0) + 1 FROM ${s}.leads) FROM unnest($1::text[], $2::integer[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::boolean[], $10::text[],
        string_to_array($11::text, E'\\n'),
        $12::text[], $13::text[], $14::boolean[], $15::text[], $16::text[], $17::bigint[], $18::bigint[], $19::bigint[], $20::bigint[], $21::bigint[], $22::bigint[], $23::text[])
      ON CONFLICT (lead_id) DO UPDATE SET revision = excluded.revision, offer_kind = excluded.offer_kind, state = excluded.state, doc = excluded.doc,
        ${analyticsUpdated.map((c) => `${c} = excluded.${c}`).join(', ')}, changed = excluded.changed`,
    upsertOffers: `INSERT INTO ${s}.offers (offer_key, doc) SELECT * FROM unnest($1::text[], $2::text[])
      ON CONFLICT (offer_key) DO UPDATE SET doc = excluded.doc`,
    addCounts: `INSERT INTO ${s}.counts AS c (dimension, key, metric, bucket, test, n)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::bigint[])
      ON CONFLICT (dimension, key, metric, bucket, test) DO UPDATE SET n = c.n + excluded.n`,
    // Only a cell that was decremented can have reached zero: delete among those, by key, not by a scan.
    dropEmpty: `DELETE FROM ${s}.counts c USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[]) AS t(dimension, key, metric, bucket, test)
      WHERE c.dimension = t.dimension AND c.key = t.key AND c.metric = t.metric AND c.bucket = t.bucket AND c.test = t.test AND c.n = 0`,
    checkpoint: `INSERT INTO ${s}.checkpoints AS c (projection, partition, "offset", position) VALUES ($1, $2, $3, $4)
      ON CONFLICT (projection, partition) DO UPDATE SET "offset" = excluded."offset", position = GREATEST(c.position, excluded.position)`,
    counts: `SELECT dimension, key, metric, bucket, test, n FROM ${s}.counts WHERE dimension = $1 ORDER BY key, metric, bucket, test`,
    registry: `SELECT entry::text AS entry FROM ${s}.registry WHERE projection = $1`,
    insertRegistry: `INSERT INTO ${s}.registry (projection, entry) VALUES ($1, $2::jsonb) ON CONFLICT (projection) DO NOTHING`,
    updateRegistry: `UPDATE ${s}.registry SET entry = $2::jsonb WHERE projection = $1 AND entry = $3::jsonb`,
    // TRUNCATE, not DELETE: instant and without dead rows to vacuum. Its ACCESS EXCLUSIVE lock waits for the
    // batches and reads in flight, so no batch is half cleared; it leaves the registry alone, as the port says.
    clear: `TRUNCATE ${s}.leads, ${s}.counts, ${s}.offers, ${s}.checkpoints`,
  } as const
  const run = <R extends pg.QueryResultRow>(db: Client, name: keyof typeof q, values: unknown[]) => db.query<R>({ name: `vs_${name}`, text: q[name], values })

  const load = async (db: Client, needs: Needs): Promise<Loaded> => {
    const leads = new Map<string, LeadSummary>()
    const leadsOfOffer = new Map<string, string[]>(needs.classified.map((k) => [k, []]))
    if (needs.leadIds.length > 0 || needs.classified.length > 0) {
      const { rows } = await run<{ via: string | null; lead_id: string; doc: string }>(db, 'loadLeads', [needs.leadIds, needs.classified])
      for (const r of rows) {
        if (!leads.has(r.lead_id)) leads.set(r.lead_id, decodeRow(LeadSummaryCodec, r.doc, r.lead_id))
        if (r.via !== null) leadsOfOffer.get(r.via)?.push(r.lead_id)
      }
    }
    // Every key that names an offer of a loaded lead: kinds are resolved over all of a lead's keys.
    const offerKeys = new Set(needs.offerKeys)
    for (const l of leads.values()) for (const k of l.offerKeys) offerKeys.add(k)
    const offers = new Map<string, OfferEntry>()
    if (offerKeys.size > 0) {
      const { rows } = await run<{ offer_key: string; doc: string }>(db, 'loadOffers', [[...offerKeys]])
      for (const r of rows) offers.set(r.offer_key, decodeRow(OfferEntryCodec, r.doc, r.offer_key))
    }
    return { leads, offers, leadsOfOffer }
  }

  /** The batch's writes: one statement per table carrying all its rows (no per-row round trip). */
  const write = async (db: Client, projection: string, partition: number, offset: number, changes: Changes): Promise<void> => {
    if (changes.leads.length > 0) await run(db, 'upsertLeads', leadColumns(changes.leads))
    if (changes.offers.length > 0) await run(db, 'upsertOffers', [changes.offers.map((o) => o.offerKey), changes.offers.map((o) => JSON.stringify(o))])
    if (changes.counts.length > 0) await run(db, 'addCounts', [...cellColumns(changes.counts), changes.counts.map((c) => c.delta)])
    const decremented = changes.counts.filter((c) => c.delta < 0)
    if (decremented.length > 0) await run(db, 'dropEmpty', cellColumns(decremented))
    await run(db, 'checkpoint', [projection, partition, offset, changes.position])
  }

  /**
   * A query over the filtered leads. Only the filters present reach the SQL, so the planner picks the matching
   * index; each distinct text is its own named statement (parsed and planned once per connection).
   */
  const filtered = async <R extends pg.QueryResultRow>(
    select: string,
    filter: LeadFilter,
    cursor: string | null,
    tail: string,
    extra: unknown[],
    rowMode?: 'array',
  ) => {
    const { where, args } = filterSql(filter, cursor, dialect)
    let p = 0
    const text = `${select} FROM ${s}.leads ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ${tail}`.replace(/\?/g, () => `$${++p}`)
    return pool.query<R>({ name: `vs_q${statementId(text)}`, text, values: [...args, ...extra], ...(rowMode === undefined ? {} : { rowMode }) })
  }

  return {
    pool,
    checkpoints: async (projection) =>
      (await run<{ partition: number; offset: string }>(pool, 'checkpoints', [projection])).rows.map((r) => ({
        partition: r.partition,
        offset: Number(r.offset),
      })),
    /**
     * One transaction per batch. Its first statement waits for an advisory lock named after the schema and the
     * projection, held until COMMIT/ROLLBACK: every writer of the projection (any partition, any process) runs
     * one at a time, and because each later statement of a READ COMMITTED transaction takes a fresh snapshot, the
     * checkpoint and rows read after the lock include everything the previous holder committed. The checkpoint
     * must therefore be read in its own statement after the lock, never in the same one.
     */
    applyBatch: (projection, partition, entries, logic) =>
      transaction(
        pool,
        async (db) => {
          await run(db, 'lock', [`leadstream:${schema}:${projection}`])
          // A generation being built commits without waiting for its WAL flush: a server crash may lose its
          // last batches with their checkpoint, together, and they are projected again (never half of one).
          if (building) await db.query('SET LOCAL synchronous_commit = off')
          const stored = (await run<{ offset: string }>(db, 'checkpointOf', [projection, partition])).rows[0]
          const storedOffset = stored === undefined ? -1 : Number(stored.offset)
          const fresh = entries.filter((e) => e.offset > storedOffset)
          const last = fresh[fresh.length - 1]
          if (last === undefined) return E.right({ applied: 0, skipped: entries.length, offset: storedOffset })
          const events = fresh.map((e) => e.event)
          const changes = logic.project(events, await load(db, logic.needs(events)))
          if (E.isLeft(changes)) return changes
          await write(db, projection, partition, last.offset, changes.right)
          return E.right({ applied: fresh.length, skipped: entries.length - fresh.length, offset: last.offset })
        },
        E.isRight,
      ),
    position: async () => Number((await run<{ p: string | null }>(pool, 'position', [])).rows[0]?.p ?? 0),
    idleLeads: async (before, after, limit) => (await run<{ lead_id: string }>(pool, 'idleLeads', [after, before, limit])).rows.map((r) => r.lead_id),
    lead: async (id) => {
      const row = (await run<{ doc: string }>(pool, 'lead', [id])).rows[0]
      return row === undefined ? null : decodeRow(LeadSummaryCodec, row.doc, id)
    },
    leads: async (filter: LeadFilter, limit, cursor) => {
      const { rows } = await filtered<{ doc: string; captured_at: string; lead_id: string }>(
        'SELECT doc, captured_at, lead_id',
        filter,
        cursor,
        'ORDER BY captured_at DESC, lead_id DESC LIMIT ?',
        [limit + 1],
      )
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return {
        items: page.map((r) => decodeRow(LeadSummaryCodec, r.doc, r.lead_id)),
        next: rows.length > limit && last !== undefined ? encodeCursor([last.captured_at, last.lead_id]) : null,
      }
    },
    exportLeads: async (filter, limit, cursor) => {
      const { rows } = await filtered<Array<string | number | boolean | null>>(
        `SELECT ${exportSelect}`,
        filter,
        cursor,
        'ORDER BY captured_at DESC, lead_id DESC LIMIT ?',
        [limit + 1],
        'array',
      )
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return {
        items: page.map((r) => (r[10] === null ? viewOfSummary(decodeRow(LeadSummaryCodec, String(r[11]), String(r[0]))) : viewOfRow(r))),
        next: rows.length > limit && last !== undefined ? encodeCursor([String(last[8]), String(last[0])]) : null,
      }
    },
    facts: async (filter) => {
      const { rows } = await filtered<Array<string | number | boolean | null>>(`SELECT ${factsSelect((c) => `${c}::float8`)}`, filter, null, '', [], 'array')
      return rows.map(factsOfRow)
    },
    factsSince: async (since, afterLeadId, limit) =>
      factsSinceOf(
        instance,
        (
          await pool.query<Array<string | number | boolean | null>>({
            name: 'vs_factsSince',
            text: q.factsSince,
            values: [since, afterLeadId, limit],
            rowMode: 'array',
          })
        ).rows,
      ),
    counts: async (dimension): Promise<ReadonlyArray<CountRow>> =>
      (await run<{ dimension: string; key: string; metric: string; bucket: string; test: boolean; n: string }>(pool, 'counts', [dimension])).rows.map((r) => ({
        dimension: r.dimension as CountRow['dimension'],
        key: r.key,
        metric: r.metric as CountRow['metric'],
        bucket: r.bucket,
        test: r.test,
        n: Number(r.n),
      })),
    registry: async (projection) => {
      const row = (await run<{ entry: string }>(pool, 'registry', [projection])).rows[0]
      return row === undefined ? null : decodeRow(RegistryCodec, row.entry, `registry ${projection}`)
    },
    updateRegistry: async (projection, expected, next) =>
      (expected === null
        ? await run(pool, 'insertRegistry', [projection, registryJson(next)])
        : await run(pool, 'updateRegistry', [projection, registryJson(next), registryJson(expected)])
      ).rowCount === 1,
    beginBuild: async () => {
      building = true
      await pool.query(deferredIndexes.map(([name]) => `DROP INDEX IF EXISTS ${s}.${name};`).join('\n'))
    },
    finishBuild: async () => {
      await pool.query(deferredIndexes.map(([name, on]) => `CREATE INDEX IF NOT EXISTS ${name} ON ${on(s)};`).join('\n'))
      building = false
    },
    clear: async () => {
      await run(pool, 'clear', [])
    },
    close: () => pool.end(),
  }
}

/**
 * doc is text: cast to json (not jsonb, which reorders keys and refuses \u0000) it is parsed once per row in
 * the engine, and the array of the fields goes back as text (a JSON.parse in JS like SQLite's). json's field
 * operators refuse a document holding the escape \u0000 anywhere (a lead's free text may), so such a row (or one
 * holding the text `\u0000`, which looks the same here) comes back whole instead, for the codec: rare, still right.
 */
const hasNul = `strpos(doc, '\\u0000') > 0`
const exportSelect = `${viewSelect(
  `CASE WHEN NOT ${hasNul} THEN (SELECT json_build_array(${docFields.map((f) => `j->'${f}'`).join(', ')})::text FROM (SELECT doc::json AS j) AS d) END`,
)}, CASE WHEN ${hasNul} THEN doc END`

const dialect: FilterDialect = { isTrue: (c) => c, contains: (c) => `strpos(${c}, ?) > 0` }

/** A short stable name for a statement text (PostgreSQL truncates names at 63 bytes). */
const statementIds = new Map<string, number>()
const statementId = (text: string): number => {
  let id = statementIds.get(text)
  if (id === undefined) statementIds.set(text, (id = statementIds.size + 1))
  return id
}

// ---------------------------------------------------------------------------------------------------------
// mappers
// ---------------------------------------------------------------------------------------------------------

const decodeRow = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, doc: string, what: string): A => {
  const r = codec.decode(JSON.parse(doc))
  // A row this store wrote that no longer decodes is a defect (a migration was missed), not a caller error.
  if (E.isLeft(r)) throw new Error(`view store row ${what} does not decode`)
  return r.right
}

/** The leads upsert's parameters, in its column order: ten arrays, then the documents as JSON lines. */
const leadColumns = (leads: ReadonlyArray<LeadSummary>): unknown[] => [
  leads.map((l) => l.leadId),
  leads.map((l) => l.revision),
  leads.map((l) => l.storefront),
  leads.map((l) => l.campaign),
  leads.map((l) => l.offerKeys[0] ?? ''),
  leads.map((l) => l.offerKeys[1] ?? null),
  leads.map((l) => l.offerKind),
  leads.map((l) => l.state),
  leads.map((l) => l.isTest),
  leads.map((l) => l.capturedAt),
  leads.map((l) => JSON.stringify(l)).join('\n'),
  ...analyticsColumnNames.map((_, i) => leads.map((l) => analyticsValues(l)[i])),
]

/** A counter cell's key columns as arrays (dimension, key, metric, bucket, test). */
const cellColumns = (cells: ReadonlyArray<CountDelta>): unknown[] => [
  cells.map((c) => c.dimension),
  cells.map((c) => c.key),
  cells.map((c) => c.metric),
  cells.map((c) => c.bucket),
  cells.map((c) => c.test),
]

/** A registry entry as stored: only the entry's own fields, so nothing extra takes part in the compare-and-set. */
const registryJson = (e: RegistryEntry): string =>
  JSON.stringify({ live: e.live, liveVersion: e.liveVersion, building: e.building, buildingVersion: e.buildingVersion, paused: e.paused })
