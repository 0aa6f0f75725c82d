// The writes of the SQLite view store, shared by the store's own connection and the build's writer thread
// (writer.ts): the lead row of a summary, and the one function that puts rows, counters and checkpoints in.
import type { CountDelta, LeadSummary } from '@leadstream/domain'
import type { Sqlite } from '@leadstream/runtime'
import { analyticsColumnNames, analyticsUpdated, analyticsValues } from '../columns.js'

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

/** A partition's progress as a write carries it: the offset of the log, the global position of the views. */
export interface HeldCheckpoint {
  readonly projection: string
  readonly partition: number
  readonly offset: number
  readonly position: number
}

/** What one write puts in: lead rows (`leadRow`), offers as [key, JSON], counter deltas, checkpoints. */
export interface RowsWrite {
  readonly leads: ReadonlyArray<LeadRow>
  readonly offers: ReadonlyArray<readonly [string, string]>
  readonly counts: ReadonlyArray<CountDelta>
  readonly checkpoints: ReadonlyArray<HeldCheckpoint>
}

/**
 * The one place rows reach the tables, for a batch as it comes and for what a build held, on whichever
 * connection writes. The leads share one write sequence (port: `factsSince`); a counter whose deltas summed
 * to zero is left alone. The caller holds the transaction.
 */
export const rowWriter = (db: Sqlite): ((w: RowsWrite) => void) => {
  const q = {
    upsertLead: db.prepare(leadUpsertSql),
    nextSeq: db.prepare<[], { n: number }>('UPDATE write_seq SET n = n + 1 RETURNING n'),
    upsertOffer: db.prepare('INSERT INTO offers (offer_key, doc) VALUES (?, ?) ON CONFLICT (offer_key) DO UPDATE SET doc = excluded.doc'),
    addCount: db.prepare(
      `INSERT INTO counts (dimension, key, metric, bucket, test, n) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (dimension, key, metric, bucket, test) DO UPDATE SET n = n + excluded.n`,
    ),
    dropEmpty: db.prepare('DELETE FROM counts WHERE n = 0'),
    checkpoint: db.prepare(
      `INSERT INTO checkpoints (projection, partition, "offset", position) VALUES (?, ?, ?, ?)
       ON CONFLICT (projection, partition) DO UPDATE SET "offset" = excluded."offset", position = max(position, excluded.position)`,
    ),
  }
  return (w) => {
    const seq = w.leads.length > 0 ? (q.nextSeq.get()?.n ?? 0) : 0
    for (const row of w.leads) q.upsertLead.run(...row, seq)
    for (const [key, doc] of w.offers) q.upsertOffer.run(key, doc)
    let negative = false
    for (const c of w.counts) {
      if (c.delta === 0) continue
      negative ||= c.delta < 0
      q.addCount.run(c.dimension, c.key, c.metric, c.bucket, c.test ? 1 : 0, c.delta)
    }
    if (negative) q.dropEmpty.run()
    for (const c of w.checkpoints) q.checkpoint.run(c.projection, c.partition, c.offset, c.position)
  }
}
