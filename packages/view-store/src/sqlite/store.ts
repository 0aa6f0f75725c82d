// Embedded view store on SQLite: lead rows with their summary as JSON, counters, catalogue, checkpoints.
import * as E from 'fp-ts/lib/Either.js'
import { LeadSummaryCodec, OfferEntryCodec, type Changes, type LeadSummary, type Loaded, type OfferEntry, type ProjectionError } from '@leadstream/domain'
import { openSqlite, type Sqlite } from '@leadstream/runtime'
import type { Statement } from 'better-sqlite3'
import { randomUUID } from 'node:crypto'
import { analyticsColumnNames, analyticsUpdated, analyticsValues, factsOfRow, factsSelect, factsSinceOf, factsSinceSelect } from '../columns.js'
import { docFields, viewOfRow, viewSelect } from '../leadView.js'
import { RegistryCodec } from '../registry.js'
import {
  encodeCursor,
  filterSql,
  type RegistryEntry,
  type Applied,
  type CountRow,
  type FilterDialect,
  type LeadFilter,
  type LogEntry,
  type Needs,
  type ProjectionLogic,
  type ViewStore,
} from '../port.js'

// leads is a rowid table: a WITHOUT ROWID row over ~1,000 bytes (most leads: the doc carries the history)
// spills into an overflow page of its own and random hash-like keys split pages on every insert (upserts
// 3.4x slower, views.db 3x larger, measured). Storefront and campaign have two values each, so their
// filters walk the time index instead of keeping indexes of their own (two fewer to update per write).
const migrations = [
  `CREATE TABLE leads (
     lead_id     TEXT PRIMARY KEY,
     revision    INTEGER NOT NULL,
     storefront  TEXT NOT NULL,
     campaign    TEXT NOT NULL,
     offer_key   TEXT NOT NULL,
     offer_key2  TEXT,
     offer_kind  TEXT NOT NULL,
     state       TEXT NOT NULL,
     is_test     INTEGER NOT NULL,
     captured_at TEXT NOT NULL,
     doc         TEXT NOT NULL
   );
   CREATE INDEX leads_by_time ON leads (captured_at, lead_id);
   CREATE INDEX leads_by_state ON leads (state, captured_at, lead_id);
   CREATE INDEX leads_by_kind ON leads (offer_kind, captured_at, lead_id);
   CREATE INDEX leads_by_offer ON leads (offer_key);
   CREATE INDEX leads_by_offer2 ON leads (offer_key2) WHERE offer_key2 IS NOT NULL;
   CREATE TABLE counts (
     dimension TEXT NOT NULL, key TEXT NOT NULL, metric TEXT NOT NULL, bucket TEXT NOT NULL, test INTEGER NOT NULL,
     n INTEGER NOT NULL,
     PRIMARY KEY (dimension, key, metric, bucket, test)
   ) WITHOUT ROWID;
   CREATE TABLE offers (offer_key TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;
   CREATE TABLE checkpoints (
     projection TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL, position INTEGER NOT NULL,
     PRIMARY KEY (projection, partition)
   ) WITHOUT ROWID;`,
  `CREATE TABLE registry (projection TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID;`,
  // Projection v3: the analytics facts of each lead as columns (columns.ts), so analytics read narrow rows.
  // Actions are unit-separator-delimited verbatim codes; action_other: any of them unknown. Times are epoch ms.
  `ALTER TABLE leads ADD COLUMN country TEXT NOT NULL DEFAULT 'unknown';
   ALTER TABLE leads ADD COLUMN actions TEXT NOT NULL DEFAULT '';
   ALTER TABLE leads ADD COLUMN action_other INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE leads ADD COLUMN offer_id TEXT;
   ALTER TABLE leads ADD COLUMN offer_title TEXT;
   ALTER TABLE leads ADD COLUMN captured_ms INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE leads ADD COLUMN contacted_ms INTEGER;
   ALTER TABLE leads ADD COLUMN nurturing_ms INTEGER;
   ALTER TABLE leads ADD COLUMN qualified_ms INTEGER;
   ALTER TABLE leads ADD COLUMN converted_ms INTEGER;
   ALTER TABLE leads ADD COLUMN disqualified_ms INTEGER;
   ALTER TABLE leads ADD COLUMN dq_reason TEXT;
   CREATE INDEX leads_by_country ON leads (country, captured_at, lead_id);`,
  // Each lead row's write sequence (port `factsSince`): existing rows start at 0.
  `ALTER TABLE leads ADD COLUMN changed INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX leads_by_changed ON leads (changed, lead_id);`,
  // The write sequence kept in one row, read once per batch: the upsert's max(changed) subquery needed
  // leads_by_changed, which a bulk build leaves out until it has caught up (deferredIndexes).
  `CREATE TABLE write_seq (n INTEGER NOT NULL);
   INSERT INTO write_seq SELECT coalesce(max(changed), 0) FROM leads;`,
]

/**
 * The lead indexes only readers use, and the upsert rewrites on every event (their columns change or are
 * random keys). A generation being rebuilt, which nobody reads, is loaded without them and creates them once
 * when it has caught up (`finishBuild`): one sort instead of a random page write per event and index. The
 * offer indexes stay: a reclassification reads the leads of an offer while projecting. Same definitions as
 * the migrations above (a test compares the schema of a built store with a fresh one).
 */
export const deferredIndexes: ReadonlyArray<readonly [string, string]> = [
  ['leads_by_time', 'leads (captured_at, lead_id)'],
  ['leads_by_state', 'leads (state, captured_at, lead_id)'],
  ['leads_by_kind', 'leads (offer_kind, captured_at, lead_id)'],
  ['leads_by_country', 'leads (country, captured_at, lead_id)'],
  ['leads_by_changed', 'leads (changed, lead_id)'],
]

/**
 * The upsert of one lead row, and the row of a summary (exported so the benchmark's raw limit writes exactly
 * what the store writes). A lead keeps the storefront, campaign, offer, test flag and capture time it was
 * captured with: only the other columns (and their indexes) are rewritten (+36% on bare upserts).
 */
export const leadUpsertSql = `INSERT INTO leads (lead_id, revision, storefront, campaign, offer_key, offer_key2, offer_kind, state, is_test, captured_at, doc,
    ${analyticsColumnNames.join(', ')}, changed)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${analyticsColumnNames.map(() => '?').join(', ')}, ?)
  ON CONFLICT (lead_id) DO UPDATE SET revision = excluded.revision, offer_kind = excluded.offer_kind, state = excluded.state, doc = excluded.doc,
    ${analyticsUpdated.map((c) => `${c} = excluded.${c}`).join(', ')}, changed = excluded.changed`

export type LeadRow = Array<string | number | null>

export const leadRow = (s: LeadSummary): LeadRow => [
  s.leadId,
  s.revision,
  s.storefront,
  s.campaign,
  s.offerKeys[0] ?? '',
  s.offerKeys[1] ?? null,
  s.offerKind,
  s.state,
  s.isTest ? 1 : 0,
  s.capturedAt,
  JSON.stringify(s),
  ...analyticsValues(s).map((v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v)),
]

export interface SqliteViewStoreOptions {
  readonly path: string
  /** Views are derived data: a damaged file is set aside and an empty one rebuilt from the events (runtime/sqlite.ts). */
  readonly setAside?: (from: string, to: string) => void
}

const decodeRow = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, doc: string, what: string): A => {
  const r = codec.decode(JSON.parse(doc))
  // A row this store wrote that no longer decodes is a defect (a migration was missed), not a caller error.
  if (E.isLeft(r)) throw new Error(`view store row ${what} does not decode`)
  return r.right
}

export const sqliteViewStore = (options: SqliteViewStoreOptions): ViewStore & { readonly db: Sqlite } => {
  const db = openSqlite(options.path, migrations, { kind: 'views', ...(options.setAside === undefined ? {} : { setAside: options.setAside }) })
  // A projection batch touches thousands of index pages at random; with SQLite's default 2 MiB page cache most
  // are read again from the OS on every batch (test/bench: about half the system time with 64 MiB).
  db.pragma('cache_size = -65536')
  const instance = randomUUID()
  const q = {
    checkpoints: db.prepare<[string], { partition: number; offset: number }>('SELECT partition, "offset" FROM checkpoints WHERE projection = ?'),
    checkpointOf: db.prepare<[string, number], { offset: number }>('SELECT "offset" FROM checkpoints WHERE projection = ? AND partition = ?'),
    position: db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM checkpoints'),
    lead: db.prepare<[string], { doc: string }>('SELECT doc FROM leads WHERE lead_id = ?'),
    // updatedAt is an ISO-8601 UTC instant (the Instant codec's form): text order is time order.
    idleLeads: db.prepare<[string, string, number], { lead_id: string }>(
      "SELECT lead_id FROM leads WHERE lead_id > ? AND json_extract(doc, '$.updatedAt') < ? AND json_extract(doc, '$.erasedAt') IS NULL ORDER BY lead_id LIMIT ?",
    ),
    factsSince: db.prepare<[number, string, number], unknown[]>(
      `SELECT ${factsSinceSelect((c) => c)} FROM leads WHERE (changed, lead_id) > (?, ?) ORDER BY changed, lead_id LIMIT ?`,
    ),
    leadsOfOffer: db.prepare<[string, string], { lead_id: string; doc: string }>(
      'SELECT lead_id, doc FROM leads WHERE offer_key = ? UNION ALL SELECT lead_id, doc FROM leads WHERE offer_key2 = ?',
    ),
    offer: db.prepare<[string], { doc: string }>('SELECT doc FROM offers WHERE offer_key = ?'),
    upsertLead: db.prepare(leadUpsertSql),
    nextSeq: db.prepare<[], { n: number }>('UPDATE write_seq SET n = n + 1 RETURNING n'),
    upsertOffer: db.prepare('INSERT INTO offers (offer_key, doc) VALUES (?, ?) ON CONFLICT (offer_key) DO UPDATE SET doc = excluded.doc'),
    addCount: db.prepare(
      `INSERT INTO counts (dimension, key, metric, bucket, test, n) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (dimension, key, metric, bucket, test) DO UPDATE SET n = n + excluded.n`,
    ),
    dropEmpty: db.prepare('DELETE FROM counts WHERE n = 0'),
    registry: db.prepare<[string], { entry: string }>('SELECT entry FROM registry WHERE projection = ?'),
    insertRegistry: db.prepare('INSERT OR IGNORE INTO registry (projection, entry) VALUES (?, ?)'),
    updateRegistry: db.prepare('UPDATE registry SET entry = ? WHERE projection = ? AND entry = ?'),
    checkpoint: db.prepare(
      `INSERT INTO checkpoints (projection, partition, "offset", position) VALUES (?, ?, ?, ?)
       ON CONFLICT (projection, partition) DO UPDATE SET "offset" = excluded."offset", position = max(position, excluded.position)`,
    ),
    counts: db.prepare<[string], { dimension: string; key: string; metric: string; bucket: string; test: number; n: number }>(
      'SELECT dimension, key, metric, bucket, test, n FROM counts WHERE dimension = ? ORDER BY key, metric, bucket, test',
    ),
  }

  const writeChanges = (projection: string, changes: Changes, partition: number, offset: number) => {
    // The rows of one batch share one write sequence (port: `factsSince`).
    const seq = changes.leads.length > 0 ? (q.nextSeq.get()?.n ?? 0) : 0
    for (const s of changes.leads) q.upsertLead.run(...leadRow(s), seq)
    for (const o of changes.offers) q.upsertOffer.run(o.offerKey, JSON.stringify(o))
    for (const c of changes.counts) q.addCount.run(c.dimension, c.key, c.metric, c.bucket, c.test ? 1 : 0, c.delta)
    if (changes.counts.some((c) => c.delta < 0)) q.dropEmpty.run()
    q.checkpoint.run(projection, partition, offset, changes.position)
  }

  const load = (needs: Needs): Loaded => {
    const leads = new Map<string, LeadSummary>()
    for (const id of needs.leadIds) {
      const row = q.lead.get(id)
      if (row !== undefined) leads.set(id, decodeRow(LeadSummaryCodec, row.doc, id))
    }
    const leadsOfOffer = new Map<string, ReadonlyArray<string>>()
    for (const key of needs.classified) {
      const rows = q.leadsOfOffer.all(key, key)
      for (const r of rows) if (!leads.has(r.lead_id)) leads.set(r.lead_id, decodeRow(LeadSummaryCodec, r.doc, r.lead_id))
      leadsOfOffer.set(
        key,
        rows.map((r) => r.lead_id),
      )
    }
    // Every key that names an offer of a loaded lead: kinds are resolved over all of a lead's keys.
    const offerKeys = new Set(needs.offerKeys)
    for (const s of leads.values()) for (const k of s.offerKeys) offerKeys.add(k)
    const offers = new Map<string, OfferEntry>()
    for (const key of offerKeys) {
      const row = q.offer.get(key)
      if (row !== undefined) offers.set(key, decodeRow(OfferEntryCodec, row.doc, key))
    }
    return { leads, offers, leadsOfOffer }
  }

  const apply = db.transaction(
    (projection: string, partition: number, entries: ReadonlyArray<LogEntry>, logic: ProjectionLogic): E.Either<ProjectionError, Applied> => {
      const stored = q.checkpointOf.get(projection, partition)?.offset ?? -1
      const fresh = entries.filter((e) => e.offset > stored)
      const last = fresh[fresh.length - 1]
      if (last === undefined) return E.right({ applied: 0, skipped: entries.length, offset: stored })
      const events = fresh.map((e) => e.event)
      const changes = logic.project(events, load(logic.needs(events)))
      if (E.isLeft(changes)) return changes
      writeChanges(projection, changes.right, partition, last.offset)
      return E.right({ applied: fresh.length, skipped: entries.length - fresh.length, offset: last.offset })
    },
  )

  // Statements for each combination of filters, prepared once: only the filters present reach the SQL,
  // so SQLite picks the matching index.
  const statements = new Map<string, Statement<Array<string | number>, unknown>>()
  const statement = <R>(sql: string): Statement<Array<string | number>, R> => {
    let stmt = statements.get(sql)
    if (stmt === undefined) statements.set(sql, (stmt = db.prepare<Array<string | number>, unknown>(sql)))
    return stmt as Statement<Array<string | number>, R>
  }
  const whereOf = (where: ReadonlyArray<string>) => (where.length > 0 ? `WHERE ${where.join(' AND ')}` : '')
  type ListRow = { doc: string; captured_at: string; lead_id: string }

  return {
    db,
    checkpoints: async (projection) => q.checkpoints.all(projection),
    applyBatch: async (projection, partition, entries, logic) => apply.immediate(projection, partition, entries, logic),
    position: async () => q.position.get()?.p ?? 0,
    idleLeads: async (before, after, limit) => q.idleLeads.all(after, before, limit).map((r) => r.lead_id),
    lead: async (id) => {
      const row = q.lead.get(id)
      return row === undefined ? null : decodeRow(LeadSummaryCodec, row.doc, id)
    },
    leads: async (filter: LeadFilter, limit, cursor) => {
      const { where, args } = filterSql(filter, cursor, dialect)
      const rows = statement<ListRow>(`SELECT doc, captured_at, lead_id FROM leads ${whereOf(where)} ORDER BY captured_at DESC, lead_id DESC LIMIT ?`).all(
        ...args,
        limit + 1,
      )
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return {
        items: page.map((r) => decodeRow(LeadSummaryCodec, r.doc, r.lead_id)),
        next: rows.length > limit && last !== undefined ? encodeCursor([last.captured_at, last.lead_id]) : null,
      }
    },
    exportLeads: async (filter, limit, cursor) => {
      const { where, args } = filterSql(filter, cursor, dialect)
      const stmt = statement<unknown[]>(`SELECT ${exportSelect} FROM leads ${whereOf(where)} ORDER BY captured_at DESC, lead_id DESC LIMIT ?`)
      const rows = stmt.raw(true).all(...args, limit + 1) as Array<Array<string | number | null>>
      const page = rows.slice(0, limit)
      const last = page[page.length - 1]
      return {
        items: page.map(viewOfRow),
        next: rows.length > limit && last !== undefined ? encodeCursor([String(last[8]), String(last[0])]) : null,
      }
    },
    facts: async (filter) => {
      const { where, args } = filterSql(filter, null, dialect)
      const stmt = statement<unknown[]>(`SELECT ${factsSelect((c) => c)} FROM leads ${whereOf(where)}`)
      // Rows of this store's own typed columns, read by position for speed (a million rows per read): no codec.
      return (stmt.raw(true).all(...args) as Array<Array<string | number | null>>).map(factsOfRow)
    },
    factsSince: async (since, afterLeadId, limit) =>
      factsSinceOf(instance, q.factsSince.raw(true).all(since, afterLeadId, limit) as Array<Array<string | number | null>>),
    counts: async (dimension): Promise<ReadonlyArray<CountRow>> =>
      q.counts.all(dimension).map((r) => ({
        dimension: r.dimension as CountRow['dimension'],
        key: r.key,
        metric: r.metric as CountRow['metric'],
        bucket: r.bucket,
        test: r.test === 1,
        n: r.n,
      })),
    registry: async (projection) => {
      const row = q.registry.get(projection)
      return row === undefined ? null : decodeRow(RegistryCodec, row.entry, `registry ${projection}`)
    },
    updateRegistry: async (projection, expected, next) =>
      (expected === null ? q.insertRegistry.run(projection, registryJson(next)) : q.updateRegistry.run(registryJson(next), projection, registryJson(expected)))
        .changes === 1,
    beginBuild: async () => {
      // Nobody reads this generation and it is rebuilt from its checkpoint after a crash: a power loss may
      // roll back its last batches with their checkpoint (WAL keeps the file consistent), which are projected again.
      db.pragma('synchronous = NORMAL')
      db.transaction(() => {
        for (const [name] of deferredIndexes) db.exec(`DROP INDEX IF EXISTS ${name}`)
      }).immediate()
    },
    finishBuild: async () => {
      // One index per statement with a turn of the event loop between them: each blocks this thread for its
      // sort (seconds at millions of leads), not all of them at once.
      for (const [name, on] of deferredIndexes) {
        db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON ${on}`)
        await new Promise((resolve) => setImmediate(resolve))
      }
      db.pragma('synchronous = FULL')
    },
    clear: async () => {
      db.transaction(() => db.exec('DELETE FROM leads; DELETE FROM counts; DELETE FROM offers; DELETE FROM checkpoints;')).immediate()
    },
    close: async () => {
      db.close()
    },
  }
}

/** json_extract with several paths parses the document once and answers a JSON array of their values. */
const exportSelect = viewSelect(`json_extract(doc, ${docFields.map((f) => `'$.${f}'`).join(', ')})`)

const dialect: FilterDialect = { isTrue: (c) => `${c} = 1`, contains: (c) => `instr(${c}, ?) > 0` }

/** Registry entries compare as text in the compare-and-set: always written with the same key order. */
const registryJson = (e: RegistryEntry): string =>
  JSON.stringify({ live: e.live, liveVersion: e.liveVersion, building: e.building, buildingVersion: e.buildingVersion, paused: e.paused })
