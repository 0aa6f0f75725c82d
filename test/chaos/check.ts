// The chaos test's verdict: every acknowledged (lead, action) pair is one event in the store, under the event
// id it must carry; nothing is stored that was not sent; and the PostgreSQL views, read directly and through
// the query API, equal a fold of the whole store.
import { streamOfLead, type RecordedEvent } from '@leadstream/domain'
import type { ViewStore } from '@leadstream/view-store'
import { foldCounters, portCounters, type Counters } from '../support/fold.js'
import { foldOf, servedCountFailures, servedLeadFailures } from '../support/served.js'
import { indexStore } from '../support/store.js'
import type { Ledger } from './ledger.js'

export interface Verdict {
  /** Each failed check, named; empty when the guarantees held. */
  readonly failures: ReadonlyArray<string>
  readonly events: number
  readonly leads: number
  /** Acknowledged pairs with no event in the store. */
  readonly lost: number
  /** Pairs with more than one event in the store, or more than one event id answered accepted. */
  readonly doubleWritten: number
  /** Counter units the views hold beyond the fold (double-counted) and short of it (lost in the views). */
  readonly viewExcess: number
  readonly viewShortfall: number
}

/** How far `actual` is above and below `expected`, summed over every cell. */
const excessAndShortfall = (expected: Counters, actual: Counters): { excess: number; shortfall: number } => {
  let excess = 0
  let shortfall = 0
  for (const k of new Set([...expected.keys(), ...actual.keys()])) {
    const d = (actual.get(k) ?? 0) - (expected.get(k) ?? 0)
    if (d > 0) excess += d
    else shortfall -= d
  }
  return { excess, shortfall }
}

/** The event store against the ledger (call once every pair is acknowledged and nothing else writes). */
const storeFailures = (
  events: ReadonlyArray<RecordedEvent>,
  ledger: Ledger,
  fail: (m: string) => void,
): { lost: number; doubleWritten: number; leads: number } => {
  const { captured, perPair } = indexStore(events, fail)
  let lost = 0
  let doubleWritten = 0
  for (const p of ledger.all()) {
    if (p.ackedBy.size === 0) {
      fail(`pair ${p.key} was never acknowledged (the test must re-deliver until it is)`)
      continue
    }
    const stored = perPair.get(p.key) ?? []
    if (stored.length === 0) {
      lost++
      fail(`pair ${p.key} (acknowledged over ${[...p.ackedBy].join(' and ')}) has no event in the store`)
    } else if (stored.length > 1) {
      doubleWritten++
      fail(`pair ${p.key} has ${stored.length} events in the store (positions ${stored.map((e) => e.position).join(', ')})`)
    }
    const e = stored[0]
    if (e !== undefined && (e.eventId !== p.eventId || e.streamId !== streamOfLead(p.lead.leadId)))
      fail(`pair ${p.key}: stored as event ${e.eventId} in ${e.streamId}, expected ${p.eventId} in ${streamOfLead(p.lead.leadId)}`)
    if (p.accepted.size > 1) {
      doubleWritten++
      fail(`pair ${p.key}: ${p.accepted.size} different events answered accepted`)
    }
    for (const [eventId, position] of p.accepted)
      if (e === undefined || eventId !== e.eventId || position !== e.position)
        fail(`pair ${p.key}: answered accepted as ${eventId} at ${position}, stored as ${e?.eventId} at ${e?.position}`)
  }
  const unknown = [...perPair.keys()].filter((k) => !ledger.pairs.has(k))
  if (unknown.length > 0) fail(`${unknown.length} pairs in the store were never sent, e.g. ${unknown.slice(0, 3).join(', ')}`)
  return { lost, doubleWritten, leads: captured.size }
}

/** The whole verdict: the store against the ledger, then the views (PostgreSQL and the query API at `queryUrl`) against the fold. */
export const verdict = async (events: ReadonlyArray<RecordedEvent>, ledger: Ledger, views: ViewStore, queryUrl: string): Promise<Verdict> => {
  const failures: string[] = []
  const fail = (m: string) => {
    if (failures.length < 40) failures.push(m)
  }
  for (const a of ledger.anomalies) fail(`during the run: ${a}`)
  const { lost, doubleWritten, leads } = storeFailures(events, ledger, fail)

  const { excess, shortfall } = excessAndShortfall(foldCounters(events), await portCounters(views))
  if (excess + shortfall > 0) fail(`PostgreSQL counters differ from the fold of the store: ${excess} counted too many, ${shortfall} missing`)
  const folded = foldOf(events)
  if (!folded.ok) fail(folded.reason)
  else {
    const head = events.reduce((p, e) => Math.max(p, e.position), 0)
    const fresh = `minPosition=${head}&waitMs=10000`
    for (const f of await servedCountFailures(queryUrl, folded.fold, head, fresh)) fail(f)
    for (const f of await servedLeadFailures(queryUrl, folded.fold, fresh)) fail(f)
  }
  return { failures, events: events.length, leads, lost, doubleWritten, viewExcess: excess, viewShortfall: shortfall }
}
