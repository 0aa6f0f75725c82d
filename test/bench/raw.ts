// The raw SQLite limits the product's figures are compared with: bare better-sqlite3 insert loops of the same
// rows into the same tables, opened by the product's own stores (so the schema, the pragmas — WAL — and any
// later change to them are the product's), in transactions of the same size. Each transaction is durable when
// it returns (synchronous=FULL): the product's append is durable when it resolves (events.db's group commit).
// Rows are built before each transaction and only the transaction is timed.
import * as E from 'fp-ts/lib/Either.js'
import { projectBatch, type LeadSummary, type RecordedEvent } from '@leadstream/domain'
import { sqliteEventStore, type AppendRequest } from '@leadstream/event-store'
import { leadRow, leadUpsertSql, sqliteViewStore, type LeadRow } from '@leadstream/view-store'
import { leadHistory } from './history.js'
import { rng } from './random.js'

export interface RawResult {
  readonly rows: number
  readonly seconds: number
  readonly rowsPerSecond: number
}

type EventRow = [string, string, number, string, number, string, string, string]

/** The rows the event store writes for these requests (new streams: revision 0). */
export const eventRows = (requests: ReadonlyArray<AppendRequest>, recordedAt: string): EventRow[] =>
  requests.flatMap((req) =>
    req.events.map(
      (e, i): EventRow => [e.eventId, req.streamId, i, e.event.type, e.event.version, JSON.stringify(e.event.data), JSON.stringify(e.metadata), recordedAt],
    ),
  )

export interface RawTable {
  /** Inserts the rows these requests make in one transaction; only the transaction is timed. */
  readonly write: (requests: ReadonlyArray<AppendRequest>) => void
  /** Rows and timed seconds so far. */
  readonly result: () => RawResult
  readonly close: () => Promise<void>
}

/** Bare inserts of the rows `appendMany` writes, into an events table of its own. */
export const rawEventTable = (path: string): RawTable => {
  const store = sqliteEventStore({ path })
  // The bare loop has no group commit to await: each transaction syncs itself, on the loop, as appends did before.
  store.db.pragma('synchronous = FULL')
  const insert = store.db.prepare(
    'INSERT INTO events (event_id, stream_id, revision, type, version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  )
  const tx = store.db.transaction((rows: ReadonlyArray<EventRow>) => {
    for (const row of rows) insert.run(...row)
  })
  let rows = 0
  let ns = 0n
  // The revisions the store gives a mixed history (later events of stored leads), computed before the timed
  // transaction: from the request's exact expected revision, or else from the streams seen so far (kept only
  // for those, so a store of millions of leads does not hold a map of them all).
  const next = new Map<string, number>()
  const exactFirst = (req: AppendRequest): number | null =>
    req.expectedRevision === 'no-stream' ? 0 : typeof req.expectedRevision === 'number' ? req.expectedRevision + 1 : null
  return {
    write: (requests) => {
      const batch = eventRows(requests, new Date().toISOString())
      let k = 0
      for (const req of requests) {
        const exact = exactFirst(req)
        const first = exact ?? next.get(req.streamId) ?? 0
        req.events.forEach((_, i) => {
          const row = batch[k++]
          if (row !== undefined) row[2] = first + i
        })
        if (exact === null) next.set(req.streamId, first + req.events.length)
      }
      const t0 = process.hrtime.bigint()
      tx.immediate(batch)
      ns += process.hrtime.bigint() - t0
      rows += batch.length
    },
    result: () => {
      const seconds = Number(ns) / 1e9
      return { rows, seconds, rowsPerSecond: rows / seconds }
    },
    close: () => store.close(),
  }
}

/**
 * Bare upserts of lead view rows shaped like the projection's: `total` writes, `captureShare` of them new leads
 * and the rest rewrites of a stored lead (state and history changed), `batch` per transaction. This is the
 * storage work of projecting `total` events, without reading, decoding or counting anything.
 */
export const rawViewUpserts = async (
  path: string,
  options: { readonly seed: number; readonly total: number; readonly batch: number; readonly captureShare: number },
): Promise<RawResult> => {
  const views = sqliteViewStore({ path })
  const db = views.db
  const upsert = db.prepare(leadUpsertSql)
  let seq = 0
  const tx = db.transaction((rows: ReadonlyArray<LeadRow>) => {
    seq += 1
    for (const row of rows) upsert.run(...row, seq)
  })
  const r = rng(options.seed ^ 0x1eaf)
  const history = leadHistory({ seed: options.seed, captureShare: 1, classifications: 0, total: options.total })
  const summaryOf = (req: AppendRequest, position: number): LeadSummary => {
    const e = req.events[0]
    if (e === undefined) throw new Error('empty request')
    const recorded: RecordedEvent = { eventId: e.eventId, streamId: req.streamId, revision: 0, position, event: e.event, metadata: e.metadata, recordedAt: '' }
    const projected = projectBatch([recorded], { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() })
    const s = E.isRight(projected) ? projected.right.leads[0] : undefined
    if (s === undefined) throw new Error('the projection of a capture gave no lead')
    return s
  }
  // What a rewrite keeps from the stored row: a lead's identity, storefront, offer and capture time never change.
  type Kept = Pick<LeadSummary, 'leadId' | 'storefront' | 'campaign' | 'offerId' | 'offerTitle' | 'offerKeys' | 'offerKind' | 'isTest' | 'capturedAt'>
  const stored: Kept[] = []
  let rows = 0
  let ns = 0n
  while (rows < options.total) {
    const batch: LeadRow[] = []
    const n = Math.min(options.batch, options.total - rows)
    const captures = history.next(n)
    for (let i = 0; i < n; i++) {
      const req = captures[i]
      if (req === undefined) break
      const s = summaryOf(req, rows + i + 1)
      const old = stored.length > 0 && !r.chance(options.captureShare) ? stored[r.int(stored.length)] : undefined
      if (old === undefined) {
        const { leadId, storefront, campaign, offerId, offerTitle, offerKeys, offerKind, isTest, capturedAt } = s
        stored.push({ leadId, storefront, campaign, offerId, offerTitle, offerKeys, offerKind, isTest, capturedAt })
        batch.push(leadRow(s))
      } else {
        const h = s.history[0]
        const history = h === undefined ? [] : [h, { ...h, type: 'LeadContacted', by: 'ana@publisher.example', detail: { note: null } }]
        batch.push(leadRow({ ...s, ...old, revision: 1, state: 'contacted', history }))
      }
    }
    const t0 = process.hrtime.bigint()
    tx.immediate(batch)
    ns += process.hrtime.bigint() - t0
    rows += batch.length
  }
  await views.close()
  const seconds = Number(ns) / 1e9
  return { rows, seconds, rowsPerSecond: rows / seconds }
}
