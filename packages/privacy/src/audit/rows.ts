// The audit row as both engines store it, and its decoding (a codec at the store boundary).
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { ErasureEntry } from './port.js'

const Counts = t.type({ leads: t.number, events: t.number, keys: t.number, deadLetters: t.number, answers: t.number })

export const ErasureRow = t.type({
  erasure_id: t.string,
  subject: t.string,
  email_digest: t.string,
  reason: t.keyof({ request: null, retention: null }),
  by: t.string,
  note: t.union([t.string, t.null]),
  requested_at: t.string,
  lead_ids: t.string,
  status: t.keyof({ pending: null, done: null }),
  completed_at: t.union([t.string, t.null]),
  outcome: t.union([t.keyof({ erased: null, alreadyErased: null, unknownSubject: null }), t.null]),
  counts: t.union([t.string, t.null]),
})

const LeadIds = t.array(t.string)

/** A row this store wrote that does not decode is a defect (a missed migration), not a caller error: it throws. */
export const entryOfRow = (u: unknown): ErasureEntry => {
  const r = ErasureRow.decode(u)
  if (E.isLeft(r)) throw new Error('an erasure audit row does not have the shape of an entry')
  const row = r.right
  const leadIds = LeadIds.decode(JSON.parse(row.lead_ids))
  const counts = row.counts === null ? E.right(null) : Counts.decode(JSON.parse(row.counts))
  if (E.isLeft(leadIds) || E.isLeft(counts)) throw new Error(`erasure ${row.erasure_id}: its lead ids or counts do not decode`)
  return {
    erasureId: row.erasure_id,
    subject: row.subject,
    emailDigest: row.email_digest,
    reason: row.reason,
    by: row.by,
    note: row.note,
    requestedAt: row.requested_at,
    leadIds: leadIds.right,
    status: row.status,
    completedAt: row.completed_at,
    outcome: row.outcome,
    counts: counts.right,
  }
}
