// The parked table's row, as both stores (SQLite and PostgreSQL) write and read it: one mapping, so a column added
// to one store cannot be forgotten in the other's insert or read.
import type { NewParkedEvent, ParkedEvent } from './port.js'

/** The columns an insert writes, in the order `parkedValues` gives them. */
export const parkedColumns = ['lead_id', 'event_id', 'source', 'format', 'payload', 'occurred_at', 'parked_at', 'until'] as const

/** One entry's values for an insert, in `parkedColumns` order. */
export const parkedValues = (e: NewParkedEvent): ReadonlyArray<string> => [
  e.leadId,
  e.eventId,
  e.source,
  e.format,
  e.payload,
  e.occurredAt,
  e.parkedAt,
  e.until,
]

/** A row as read back; PostgreSQL answers a bigserial as text. */
export interface ParkedRow {
  readonly id: number | string
  readonly lead_id: string
  readonly event_id: string
  readonly source: string
  readonly format: string
  readonly payload: string
  readonly occurred_at: string
  readonly parked_at: string
  readonly until: string
  readonly claimed_until: string | null
}

export const toParked = (r: ParkedRow): ParkedEvent => ({
  id: Number(r.id),
  leadId: r.lead_id,
  eventId: r.event_id,
  source: r.source,
  format: r.format,
  payload: r.payload,
  occurredAt: r.occurred_at,
  parkedAt: r.parked_at,
  until: r.until,
  claimedUntil: r.claimed_until ?? null,
})
