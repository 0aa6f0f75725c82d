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
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { factsOfRow, factsSelect, factsSinceOf, factsSinceSelect } from '../columns.js'
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
import type { HandedWrite, WriterAnswer, WriterRequest, WriterSettings } from './writer.js'
import { leadRow, rowWriter, type HeldCheckpoint, type RowsWrite } from './writes.js'

export { leadRow, leadUpsertSql, type LeadRow } from './writes.js'

// leads is a rowid table: a WITHOUT ROWID row over ~1,000 bytes (most leads: the doc carries the history)
// spills into an overflow page of its own and random hash-like keys split pages on every insert (upserts
// 3.4x slower, views.db 3x larger, measured). Storefront and campaign have two values each, so their
// filters walk the time index instead of keeping indexes of their own (two fewer to update per write).
export const migrations = [
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

export interface SqliteViewStoreOptions {
  readonly path: string
  /**
   * A generation being built keeps the summaries it wrote last in memory, up to this many (default 5,000):
   * recent leads are worked most, and each one found here is neither read, parsed nor decoded again. About
   * 6 KiB of heap each (test/bench), whatever the size of the store.
   */
  readonly buildCacheLeads?: number
  /** A generation being built writes what it holds once this many leads changed (default 2,000; 0: every batch as it comes). */
  readonly buildFlushLeads?: number
  /**
   * A generation being built hands what it holds to a writer thread of its own (writer.ts), which commits it
   * while this thread projects the next batches (default: true where the writer's file is present; false:
   * this thread writes, and projecting waits for each commit). An in-memory store always writes on its own thread.
   */
  readonly buildWriterThread?: boolean
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
  /** Summaries as projected last: the dirty ones, those being written, and recent clean ones, least recently touched first. */
  readonly leads: Map<string, LeadSummary>
  readonly dirty: Set<string>
  readonly offers: Map<string, OfferEntry>
  readonly counts: Map<string, CountDelta>
  readonly checkpoints: Map<string, HeldCheckpoint>
}

/** What the writer thread is committing: answered from memory until it is on disk, put back if it fails. */
interface InFlight {
  readonly done: Promise<void>
  readonly leadIds: ReadonlySet<string>
  readonly offers: ReadonlyMap<string, OfferEntry>
  readonly counts: ReadonlyMap<string, CountDelta>
  readonly checkpoints: ReadonlyMap<string, HeldCheckpoint>
}

const emptyPending = (): Pending => ({ leads: new Map(), dirty: new Set(), offers: new Map(), counts: new Map(), checkpoints: new Map() })

const countKey = (c: CountDelta) => `${c.dimension}\u0000${c.key}\u0000${c.metric}\u0000${c.bucket}\u0000${c.test ? 1 : 0}`
const addDelta = (into: Map<string, CountDelta>, key: string, c: CountDelta) => {
  const before = into.get(key)
  into.set(key, before === undefined ? c : { ...c, delta: before.delta + c.delta })
}

const decodeRow = <A>(codec: { decode: (u: unknown) => E.Either<unknown, A> }, doc: string, what: string): A => {
  const r = codec.decode(JSON.parse(doc))
  // A row this store wrote that no longer decodes is a defect (a migration was missed), not a caller error.
  if (E.isLeft(r)) throw new Error(`view store row ${what} does not decode`)
  return r.right
}

/** From sources, writer.mjs registers tsx in the new thread, then loads writer.ts; built, dist/writer.mjs is writer.ts compiled. */
const writerUrl = new URL('./writer.mjs', import.meta.url)

interface BuildWriter {
  readonly send: (op: { readonly op: 'write'; readonly write: HandedWrite } | { readonly op: 'resync' } | { readonly op: 'stop' }) => Promise<void>
}

/** The writer thread of one generation: each request answered in order, every one failed if the thread dies. */
const startWriter = (path: string): BuildWriter => {
  const worker = new Worker(writerUrl, { workerData: { path } satisfies WriterSettings })
  // A process that exits without closing the store drops the write in flight: a crash, which the checkpoint covers.
  worker.unref()
  const waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  let next = 0
  let dead: Error | null = null
  const failAll = (e: Error) => {
    dead ??= e
    for (const w of waiting.values()) w.reject(e)
    waiting.clear()
  }
  worker.on('message', (m: WriterAnswer) => {
    const w = waiting.get(m.id)
    waiting.delete(m.id)
    if (m.ok) w?.resolve()
    else w?.reject(new Error(m.error))
  })
  worker.on('error', failAll)
  worker.on('exit', (code) => failAll(new Error(`${path}: the view store's writer thread stopped (exit code ${code})`)))
  return {
    send: (op) => {
      if (dead !== null) return Promise.reject(dead)
      const id = next++
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject })
        // A write's summaries move to the thread instead of being copied (unless they share Node's small-buffer pool).
        const leads = op.op === 'write' ? op.write.leads : null
        const movable = leads !== null && leads.byteOffset === 0 && leads.byteLength === leads.buffer.byteLength
        worker.postMessage({ ...op, id } satisfies WriterRequest, movable ? [leads.buffer as ArrayBuffer] : [])
      })
    },
  }
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
    registry: db.prepare<[string], { entry: string }>('SELECT entry FROM registry WHERE projection = ?'),
    insertRegistry: db.prepare('INSERT OR IGNORE INTO registry (projection, entry) VALUES (?, ?)'),
    updateRegistry: db.prepare('UPDATE registry SET entry = ? WHERE projection = ? AND entry = ?'),
    counts: db.prepare<[string], { dimension: string; key: string; metric: string; bucket: string; test: number; n: number }>(
      'SELECT dimension, key, metric, bucket, test, n FROM counts WHERE dimension = ? ORDER BY key, metric, bucket, test',
    ),
  }
  const writeRows = rowWriter(db)

  const cacheLeads = options.buildCacheLeads ?? 5_000
  const flushLeads = options.buildFlushLeads ?? 2_000
  // A second connection to an in-memory database (':memory:', or '' for a temporary one) opens another database.
  const inMemory = options.path === ':memory:' || options.path === ''
  const threaded = !inMemory && (options.buildWriterThread ?? existsSync(fileURLToPath(writerUrl)))
  let pending: Pending | null = null
  let writer: BuildWriter | null = null
  let inFlight: InFlight | null = null
  /**
   * What is held is right only while this store is the generation's one writer (embedded mode: one process).
   * SQLite's data_version changes when another connection commits to the file: then this build stops loudly
   * instead of writing over rows it never saw. With a writer thread, its commits change it too: the thread
   * checks its own connection instead, inside each of its write transactions (writer.ts).
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
    for (const c of changes.counts) addDelta(p.counts, countKey(c), c)
    const key = checkpointKey(projection, partition)
    const position = Math.max(changes.position, heldCheckpoint(key)?.position ?? 0)
    p.checkpoints.set(key, { projection, partition, offset, position })
  }

  /** A partition's progress as held: the build's newest, else the one being written. */
  const heldCheckpoint = (key: string): HeldCheckpoint | undefined => pending?.checkpoints.get(key) ?? inFlight?.checkpoints.get(key)
  const heldCheckpoints = (): ReadonlyArray<HeldCheckpoint> => {
    const all = new Map(inFlight?.checkpoints)
    for (const [k, c] of pending?.checkpoints ?? []) all.set(k, c)
    return [...all.values()]
  }

  /** What a build holds as one write, leads sorted by id; and the held state cleared (the summaries stay cached). */
  const takePending = <L>(
    p: Pending,
    leads: (summaries: ReadonlyArray<LeadSummary>) => L,
  ): { write: Omit<RowsWrite, 'leads'> & { leads: L }; taken: Omit<InFlight, 'done'> } => {
    const leadIds = [...p.dirty].sort()
    const write = {
      leads: leads(leadIds.flatMap((id) => p.leads.get(id) ?? [])),
      offers: [...p.offers.values()].map((o) => [o.offerKey, JSON.stringify(o)] as const),
      counts: [...p.counts.values()],
      checkpoints: [...p.checkpoints.values()],
    }
    const taken = { leadIds: new Set(leadIds), offers: new Map(p.offers), counts: new Map(p.counts), checkpoints: new Map(p.checkpoints) }
    p.dirty.clear()
    p.offers.clear()
    p.counts.clear()
    p.checkpoints.clear()
    return { write, taken }
  }
  /**
   * A write that failed, held again under what was held since it was taken: newer summaries, offers and
   * checkpoints win, counter deltas add up. (Taken and failed with nothing held since: exactly as before.)
   */
  const holdAgain = (p: Pending, taken: Omit<InFlight, 'done'>) => {
    for (const id of taken.leadIds) if (p.leads.has(id)) p.dirty.add(id)
    for (const [k, o] of taken.offers) if (!p.offers.has(k)) p.offers.set(k, o)
    for (const [k, c] of taken.counts) addDelta(p.counts, k, c)
    for (const [k, c] of taken.checkpoints) if (!p.checkpoints.has(k)) p.checkpoints.set(k, c)
  }
  const holdsNothing = (p: Pending) => p.dirty.size === 0 && p.checkpoints.size === 0 && p.offers.size === 0 && p.counts.size === 0
  /** Lets go of the oldest clean summaries beyond the cache's size (never one still to be written). */
  const trim = (p: Pending) => {
    for (const id of p.leads.keys()) {
      if (p.leads.size <= cacheLeads) break
      if (!p.dirty.has(id)) p.leads.delete(id)
    }
  }

  const writeTaken = db.transaction((w: RowsWrite) => writeRows(w))
  /** This thread writes what a build holds, in one transaction; a failed write is held again (holdAgain) and thrown. */
  const flush = () => {
    const p = pending
    if (p === null || holdsNothing(p)) return
    const { write, taken } = takePending(p, (ls) => ls.map(leadRow))
    try {
      writeTaken.immediate(write)
    } catch (e) {
      holdAgain(p, taken)
      throw e
    }
    trim(p)
  }

  /** Waits for the writer thread's commit; a failed one is held again (to be written by the next hand-off) and thrown. */
  const settle = async () => {
    const f = inFlight
    if (f === null) return
    try {
      await f.done
    } catch (e) {
      inFlight = null
      if (pending !== null) holdAgain(pending, f)
      throw e
    }
    inFlight = null
    if (pending !== null) trim(pending)
  }
  /** Hands what a build holds to the writer thread (after the previous write has committed: one at a time). */
  const handOff = async (w: BuildWriter) => {
    await settle()
    const p = pending
    if (p === null || holdsNothing(p)) return
    const { write, taken } = takePending(p, (ls) => Buffer.from(JSON.stringify(ls)))
    const done = w.send({ op: 'write', write })
    // Awaited by the next settle; until then a failure must not count as unhandled.
    done.catch(() => undefined)
    inFlight = { done, ...taken }
  }
  /** Everything a build holds on disk before this returns (readers, close, finishBuild). */
  const drain = async () => {
    const w = writer
    if (w === null) return flush()
    // Batches applied while this waited are held too: they go the same way, never by this thread's connection.
    while (inFlight !== null || (pending !== null && !holdsNothing(pending))) {
      await handOff(w)
      await settle()
    }
  }
  const stopWriter = async () => {
    const w = writer
    if (w === null) return
    try {
      await drain()
    } finally {
      writer = null
      await w.send({ op: 'stop' }).catch(() => undefined)
    }
  }

  const writeChanges = (projection: string, changes: Changes, partition: number, offset: number) => {
    if (pending !== null) return fold(pending, projection, changes, partition, offset)
    writeRows({
      leads: changes.leads.map(leadRow),
      offers: changes.offers.map((o) => [o.offerKey, JSON.stringify(o)] as const),
      counts: changes.counts,
      checkpoints: [{ projection, partition, offset, position: changes.position }],
    })
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
      const held = pending?.offers.get(key) ?? inFlight?.offers.get(key)
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
      const stored = heldCheckpoint(checkpointKey(projection, partition))?.offset ?? q.checkpointOf.get(projection, partition)?.offset ?? -1
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
      const held = heldCheckpoints().filter((c) => c.projection === projection)
      return [...stored.filter((c) => !held.some((h) => h.partition === c.partition)), ...held.map((c) => ({ partition: c.partition, offset: c.offset }))]
    },
    applyBatch: async (projection, partition, entries, logic) => {
      if (pending !== null && writer === null) ownWriter()
      // With a writer thread this connection only reads while building (a write lock would wait for its commits).
      const applied = (writer === null ? apply.immediate : apply.deferred)(projection, partition, entries, logic)
      if (pending !== null && pending.dirty.size >= flushLeads) await (writer === null ? flush() : handOff(writer))
      return applied
    },
    position: async () => Math.max(q.position.get()?.p ?? 0, ...heldCheckpoints().map((c) => c.position)),
    idleLeads: async (before, after, limit) => {
      await drain()
      return q.idleLeads.all(after, before, limit).map((r) => r.lead_id)
    },
    lead: async (id) => {
      await drain()
      const row = q.lead.get(id)
      return row === undefined ? null : decodeRow(LeadSummaryCodec, row.doc, id)
    },
    leads: async (filter: LeadFilter, limit, cursor) => {
      await drain()
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
      await drain()
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
      await drain()
      const { where, args } = filterSql(filter, null, dialect)
      const stmt = statement<unknown[]>(`SELECT ${factsSelect((c) => c)} FROM leads ${whereOf(where)}`)
      // Rows of this store's own typed columns, read by position for speed (a million rows per read): no codec.
      return (stmt.raw(true).all(...args) as Array<Array<string | number | null>>).map(factsOfRow)
    },
    factsSince: async (since, afterLeadId, limit) => {
      await drain()
      return factsSinceOf(instance, q.factsSince.raw(true).all(since, afterLeadId, limit) as Array<Array<string | number | null>>)
    },
    counts: async (dimension): Promise<ReadonlyArray<CountRow>> => {
      await drain()
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
      // Started after this connection's last write of the build: from here on, only the writer thread writes.
      if (pending !== null && threaded && writer === null) writer = startWriter(options.path)
    },
    finishBuild: async () => {
      // Everything held is written first; from here on every batch is written as it comes.
      await stopWriter()
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
      // A write in flight lands first, then goes with the rest.
      await settle().catch(() => undefined)
      db.transaction(() => db.exec('DELETE FROM leads; DELETE FROM counts; DELETE FROM offers; DELETE FROM checkpoints;')).immediate()
      if (pending !== null) pending = emptyPending()
      // This connection wrote: the writer thread's check of other writers starts again from here.
      if (writer !== null) await writer.send({ op: 'resync' })
      seenVersion = dataVersion()
    },
    close: async () => {
      // A build stopped in order keeps its progress.
      try {
        await stopWriter()
        flush()
      } finally {
        db.close()
      }
    },
  }
}

/** json_extract with several paths parses the document once and answers a JSON array of their values. */
const exportSelect = viewSelect(`json_extract(doc, ${docFields.map((f) => `'$.${f}'`).join(', ')})`)

const dialect: FilterDialect = { isTrue: (c) => `${c} = 1`, contains: (c) => `instr(${c}, ?) > 0` }

/** Registry entries compare as text in the compare-and-set: always written with the same key order. */
const registryJson = (e: RegistryEntry): string =>
  JSON.stringify({ live: e.live, liveVersion: e.liveVersion, building: e.building, buildingVersion: e.buildingVersion, paused: e.paused })
