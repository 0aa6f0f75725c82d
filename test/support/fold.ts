// The reference answer for any view: fold the whole event store from empty with the domain's projection,
// and read what a view store actually holds, both as counter maps keyed the same way.
import Database from 'better-sqlite3'
import * as E from 'fp-ts/lib/Either.js'
import { join } from 'node:path'
import { cellsOf, decodeEvent, factsOf, projectBatch, type LeadFacts, type LeadSummary, type RecordedEvent } from '@leadstream/domain'

export type Counters = Map<string, number>

const key = (dimension: string, k: string, metric: string, bucket: string, test: boolean | number) => `${dimension}|${k}|${metric}|${bucket}|${test ? 1 : 0}`

interface Row {
  position: number
  event_id: string
  stream_id: string
  revision: number
  type: string
  version: number
  data: string
  metadata: string
  recorded_at: string
}

/** Every event of `<dataDir>/events.db`, decoded, in log order (read-only; safe beside running writers). */
export const readEvents = (dataDir: string): ReadonlyArray<RecordedEvent> => {
  const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true })
  try {
    return db
      .prepare<[], Row>('SELECT * FROM events ORDER BY position')
      .all()
      .map((row) => {
        const d = decodeEvent(row.type, row.version, JSON.parse(row.data))
        if (E.isLeft(d)) throw new Error(`event ${row.position} does not decode`)
        return {
          eventId: row.event_id,
          streamId: row.stream_id,
          revision: row.revision,
          position: row.position,
          event: d.right,
          metadata: JSON.parse(row.metadata) as RecordedEvent['metadata'],
          recordedAt: row.recorded_at,
        }
      })
  } finally {
    db.close()
  }
}

/** The lead summaries a correct projection of these events holds. */
export const foldLeads = (events: ReadonlyArray<RecordedEvent>): ReadonlyArray<LeadSummary> => {
  const projected = projectBatch(events, { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() })
  if (E.isLeft(projected)) throw new Error(projected.left.reason)
  return projected.right.leads
}

/** The analytics facts a correct projection holds, in a stable order (compare with `sortFacts` of a store's). */
export const foldFacts = (events: ReadonlyArray<RecordedEvent>): ReadonlyArray<string> => sortFacts(foldLeads(events).map(factsOf))

export const sortFacts = (facts: ReadonlyArray<LeadFacts>): ReadonlyArray<string> => facts.map((f) => JSON.stringify(f)).sort()

/** The counters a correct projection of these events holds. */
export const foldCounters = (events: ReadonlyArray<RecordedEvent>): Counters => {
  const out: Counters = new Map()
  for (const s of foldLeads(events))
    for (const c of cellsOf(s)) {
      const k = key(c.dimension, c.key, c.metric, c.bucket, c.test)
      out.set(k, (out.get(k) ?? 0) + 1)
    }
  return out
}

/** The counters a SQLite view store holds (zero rows are dropped by the store, so none appear here). */
export const viewCounters = (viewsDb: string): Counters => {
  const db = new Database(viewsDb, { readonly: true, fileMustExist: true })
  try {
    const rows = db
      .prepare<[], { dimension: string; key: string; metric: string; bucket: string; test: number; n: number }>('SELECT * FROM counts WHERE n <> 0')
      .all()
    return new Map(rows.map((r) => [key(r.dimension, r.key, r.metric, r.bucket, r.test), r.n]))
  } finally {
    db.close()
  }
}

/** Differences between two counter maps, for a readable assertion message ('' when equal). */
export const diffCounters = (expected: Counters, actual: Counters): string => {
  const keys = new Set([...expected.keys(), ...actual.keys()])
  const diffs = [...keys]
    .filter((k) => (expected.get(k) ?? 0) !== (actual.get(k) ?? 0))
    .map((k) => `${k}: expected ${expected.get(k) ?? 0}, got ${actual.get(k) ?? 0}`)
  return diffs.slice(0, 20).join('\n')
}

/** The counters any view store holds, read through its port (so one comparison serves SQLite and PostgreSQL). */
export const portCounters = async (store: {
  counts(
    d: 'storefront' | 'campaign' | 'all',
  ): Promise<ReadonlyArray<{ dimension: string; key: string; metric: string; bucket: string; test: boolean; n: number }>>
}): Promise<Counters> => {
  const out: Counters = new Map()
  for (const d of ['storefront', 'campaign', 'all'] as const)
    for (const r of await store.counts(d)) if (r.n !== 0) out.set(key(r.dimension, r.key, r.metric, r.bucket, r.test), r.n)
  return out
}
