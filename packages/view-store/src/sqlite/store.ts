// Embedded view store on SQLite: lead rows with their summary as JSON, counters, catalogue, checkpoints.
import * as E from 'fp-ts/lib/Either.js'
import {
  LeadSummaryCodec,
  OfferEntryCodec,
  type Changes,
  type CountDelta,
  type LeadSummary,
  type Loaded,
  type OfferEntry,
  type ProjectionError,
} from '@leadstream/domain'
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
  /**
   * A generation being built keeps the summaries it wrote last in memory, up to this many (default 20,000):
   * recent leads are worked most, and each one found here is neither read, parsed nor decoded again. About
   * 6 KiB of heap each (test/bench), whatever the size of the store.
   */
  readonly buildCacheLeads?: number
  /** A generation being built writes what it holds once this many leads changed (default 20,000; 0: every batch as it comes). */
  readonly buildFlushLeads?: number
  /** Views are derived data: a damaged file is set aside and an empty one rebuilt from the events (runtime/sqlite.ts). */
  readonly setAside?: (from: string, to: string) => void
}

/**
 * Between beginBuild and finishBuild: the changes of many batches, folded in memory and written together
 * (write-behind). A lead changed by ten batches is written once, counters are summed before they reach a
 * row, and the rows go in sorted by lead id. The durable checkpoint moves only with the rows it covers (one
 * transaction per flush), so a crash loses nothing but work that is projected again from that checkpoint.
 */
interface Pending {
  /** Summaries as projected last: the dirty ones and recent clean ones, least recently touched first. */
  readonly leads: Map<string, LeadSummary>
  readonly dirty: Set<string>
  readonly offers: Map<string, OfferEntry>
  readonly counts: Map<string, CountDelta>
  readonly checkpoints: Map<string, HeldCheckpoint>
}

interface HeldCheckpoint {
  readonly projection: string
  readonly partition: number
  readonly offset: number
  readonly position: number
}

const emptyPending = (): Pending => ({ leads: new Map(), dirty: new Set(), offers: new Map(), counts: new Map(), checkpoints: new Map() })

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

  const cacheLeads = options.buildCacheLeads ?? 20_000
  const flushLeads = options.buildFlushLeads ?? 20_000
  let pending: Pending | null = null
  /**
   * What is held is right only while this connection is the generation's one writer (embedded mode: one process).
   * SQLite's data_version changes when another connection commits to the file: then this build stops loudly
   * instead of writing over rows it never saw.
   */
  let seenVersion = 0
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number
  const ownWriter = () => {
    if (dataVersion() !== seenVersion)
      throw new Error(`${options.path}: another connection wrote to this generation while it was being built; a build in memory needs one writer`)
  }
  const checkpointKey = (projection: string, partition: number) => `${partition}\u0000${projection}`

  const fold = (p: Pending, projection: string, changes: Changes, partition: number, offset: number) => {
    for (const s of changes.leads) {
      p.leads.delete(s.leadId) // re-inserted last: the map's order is least recently touched first
      p.leads.set(s.leadId, s)
      p.dirty.add(s.leadId)
    }
    for (const o of changes.offers) p.offers.set(o.offerKey, o)
    for (const c of changes.counts) {
      const key = `${c.dimension}\u0000${c.key}\u0000${c.metric}\u0000${c.bucket}\u0000${c.test ? 1 : 0}`
      const before = p.counts.get(key)
      p.counts.set(key, before === undefined ? c : { ...c, delta: before.delta + c.delta })
    }
    const key = checkpointKey(projection, partition)
    const position = Math.max(changes.position, p.checkpoints.get(key)?.position ?? 0)
    p.checkpoints.set(key, { projection, partition, offset, position })
  }

  /**
   * The one place rows reach the tables, for a batch as it comes and for what a build held. The leads share one
   * write sequence (port: `factsSince`); a counter whose deltas summed to zero is left alone.
   */
  const writeRows = (leads: ReadonlyArray<LeadSummary>, offers: Iterable<OfferEntry>, counts: Iterable<CountDelta>, checkpoints: Iterable<HeldCheckpoint>) => {
    const seq = leads.length > 0 ? (q.nextSeq.get()?.n ?? 0) : 0
    for (const s of leads) q.upsertLead.run(...leadRow(s), seq)
    for (const o of offers) q.upsertOffer.run(o.offerKey, JSON.stringify(o))
    let negative = false
    for (const c of counts) {
      if (c.delta === 0) continue
      negative ||= c.delta < 0
      q.addCount.run(c.dimension, c.key, c.metric, c.bucket, c.test ? 1 : 0, c.delta)
    }
    if (negative) q.dropEmpty.run()
    for (const c of checkpoints) q.checkpoint.run(c.projection, c.partition, c.offset, c.position)
  }

  /** Writes what a build holds in one transaction, leads sorted by id. */
  const writePending = db.transaction((p: Pending) => {
    const leads = [...p.dirty].sort().flatMap((id) => p.leads.get(id) ?? [])
    writeRows(leads, p.offers.values(), p.counts.values(), p.checkpoints.values())
  })
  const flush = () => {
    const p = pending
    if (p === null || (p.dirty.size === 0 && p.checkpoints.size === 0 && p.offers.size === 0 && p.counts.size === 0)) return
    writePending.immediate(p)
    // Cleared only once committed: a failed write keeps everything pending.
    p.dirty.clear()
    p.offers.clear()
    p.counts.clear()
    p.checkpoints.clear()
    for (const id of p.leads.keys()) {
      if (p.leads.size <= cacheLeads) break
      p.leads.delete(id)
    }
  }

  const writeChanges = (projection: string, changes: Changes, partition: number, offset: number) => {
    if (pending !== null) return fold(pending, projection, changes, partition, offset)
    writeRows(changes.leads, changes.offers, changes.counts, [{ projection, partition, offset, position: changes.position }])
  }

  const load = (needs: Needs): Loaded => {
    const leads = new Map<string, LeadSummary>()
    const cached = pending?.leads
    for (const id of needs.leadIds) {
      const hit = cached?.get(id)
      if (hit !== undefined) {
        leads.set(id, hit)
        continue
      }
      const row = q.lead.get(id)
      if (row !== undefined) leads.set(id, decodeRow(LeadSummaryCodec, row.doc, id))
    }
    const leadsOfOffer = new Map<string, ReadonlyArray<string>>()
    for (const key of needs.classified) {
      const ids = new Set<string>()
      for (const r of q.leadsOfOffer.all(key, key)) {
        ids.add(r.lead_id)
        if (!leads.has(r.lead_id)) leads.set(r.lead_id, cached?.get(r.lead_id) ?? decodeRow(LeadSummaryCodec, r.doc, r.lead_id))
      }
      // Leads of the offer a build holds but has not written yet (a lead's offer keys never change).
      if (cached !== undefined)
        for (const s of cached.values())
          if (!ids.has(s.leadId) && s.offerKeys.includes(key)) {
            ids.add(s.leadId)
            leads.set(s.leadId, s)
          }
      leadsOfOffer.set(key, [...ids])
    }
    // Every key that names an offer of a loaded lead: kinds are resolved over all of a lead's keys.
    const offerKeys = new Set(needs.offerKeys)
    for (const s of leads.values()) for (const k of s.offerKeys) offerKeys.add(k)
    const offers = new Map<string, OfferEntry>()
    for (const key of offerKeys) {
      const held = pending?.offers.get(key)
      if (held !== undefined) {
        offers.set(key, held)
        continue
      }
      const row = q.offer.get(key)
      if (row !== undefined) offers.set(key, decodeRow(OfferEntryCodec, row.doc, key))
    }
    return { leads, offers, leadsOfOffer }
  }

  const apply = db.transaction(
    (projection: string, partition: number, entries: ReadonlyArray<LogEntry>, logic: ProjectionLogic): E.Either<ProjectionError, Applied> => {
      const stored = pending?.checkpoints.get(checkpointKey(projection, partition))?.offset ?? q.checkpointOf.get(projection, partition)?.offset ?? -1
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
    // A build answers its own progress from what it holds: the supervisor promotes it once caught up
    // (finishBuild writes everything first); the durable checkpoint is the one a restart reads.
    checkpoints: async (projection) => {
      const stored = q.checkpoints.all(projection)
      if (pending === null) return stored
      const held = [...pending.checkpoints.values()].filter((c) => c.projection === projection)
      return [...stored.filter((c) => !held.some((h) => h.partition === c.partition)), ...held.map((c) => ({ partition: c.partition, offset: c.offset }))]
    },
    applyBatch: async (projection, partition, entries, logic) => {
      if (pending !== null) ownWriter()
      const applied = apply.immediate(projection, partition, entries, logic)
      if (pending !== null && pending.dirty.size >= flushLeads) flush()
      return applied
    },
    position: async () => Math.max(q.position.get()?.p ?? 0, ...[...(pending?.checkpoints.values() ?? [])].map((c) => c.position)),
    idleLeads: async (before, after, limit) => {
      flush()
      return q.idleLeads.all(after, before, limit).map((r) => r.lead_id)
    },
    lead: async (id) => {
      flush()
      const row = q.lead.get(id)
      return row === undefined ? null : decodeRow(LeadSummaryCodec, row.doc, id)
    },
    leads: async (filter: LeadFilter, limit, cursor) => {
      flush()
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
      flush()
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
      flush()
      const { where, args } = filterSql(filter, null, dialect)
      const stmt = statement<unknown[]>(`SELECT ${factsSelect((c) => c)} FROM leads ${whereOf(where)}`)
      // Rows of this store's own typed columns, read by position for speed (a million rows per read): no codec.
      return (stmt.raw(true).all(...args) as Array<Array<string | number | null>>).map(factsOfRow)
    },
    factsSince: async (since, afterLeadId, limit) => {
      flush()
      return factsSinceOf(instance, q.factsSince.raw(true).all(since, afterLeadId, limit) as Array<Array<string | number | null>>)
    },
    counts: async (dimension): Promise<ReadonlyArray<CountRow>> => {
      flush()
      return q.counts.all(dimension).map((r) => ({
        dimension: r.dimension as CountRow['dimension'],
        key: r.key,
        metric: r.metric as CountRow['metric'],
        bucket: r.bucket,
        test: r.test === 1,
        n: r.n,
      }))
    },
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
      if (flushLeads > 0 && pending === null) {
        pending = emptyPending()
        seenVersion = dataVersion()
      }
      db.transaction(() => {
        for (const [name] of deferredIndexes) db.exec(`DROP INDEX IF EXISTS ${name}`)
      }).immediate()
    },
    finishBuild: async () => {
      // Everything held is written first; from here on every batch is written as it comes.
      flush()
      pending = null
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
      if (pending !== null) pending = emptyPending()
    },
    close: async () => {
      // A build stopped in order keeps its progress.
      flush()
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
