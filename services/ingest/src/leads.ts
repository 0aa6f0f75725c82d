// Ingesting leads: decode each item, decide against its lead's stream, append a batch in slices of transactions.
import * as E from 'fp-ts/lib/Either.js'
import {
  decide,
  evolve,
  fold,
  problemsOf,
  streamOfLead,
  type FieldProblem,
  type InboundLead,
  type LeadError,
  type LeadEvent,
  type LeadState,
  type NewEvent,
} from '@leadstream/domain'
import { performance } from 'node:perf_hooks'
import type { AppendOutcome, AppendRequest, StoreError } from '@leadstream/event-store'
import { loopTurns } from '@leadstream/runtime'
import type { IngestPorts } from './ports.js'

export type ItemResult =
  | { readonly index: number; readonly status: 'accepted'; readonly leadId: string; readonly eventId: string; readonly position: number }
  | { readonly index: number; readonly status: 'duplicate'; readonly leadId: string }
  | { readonly index: number; readonly status: 'rejected'; readonly problems: ReadonlyArray<FieldProblem>; readonly deadLetterId: number }

export interface InboundItem {
  readonly index: number
  /** The item's text as received, kept in dead letters if it is rejected (never re-serialised from a parsed value). */
  readonly payload: string
  readonly decoded: E.Either<LeadError, InboundLead>
}

export interface IngestSummary {
  readonly accepted: number
  readonly duplicates: number
  readonly rejected: number
  /** The highest position written (0 when nothing was): wait for it to read your writes. */
  readonly position: number
  readonly results: ReadonlyArray<ItemResult>
}

const MAX_ATTEMPTS = 5
/**
 * Appends a batch's streams in several transactions, giving the event loop a turn between them, so a
 * 10,000-lead batch does not hold it for one long transaction. A slice starts at 64 streams and halves or
 * doubles (8 to 2,000) to take about 10 ms, so slices stay short on a busy disk and few on an idle one. Each
 * stream's events are still appended atomically; a crash between slices leaves the earlier slices written,
 * and a re-delivery answers those leads as duplicates.
 */
const appendInSlices = async (ports: IngestPorts, requests: ReadonlyArray<AppendRequest>, turn: () => Promise<void>) => {
  const outcomes: Array<E.Either<StoreError, AppendOutcome>> = []
  let size = 64
  for (let i = 0; i < requests.length; ) {
    await turn()
    const started = performance.now()
    outcomes.push(...(await ports.store.appendMany(requests.slice(i, i + size))()))
    i += size
    const took = performance.now() - started
    size = took > 20 ? Math.max(8, size >> 1) : took < 5 ? Math.min(2000, size << 1) : size
  }
  return outcomes
}

/** An event the store failed on for good: kept, with the reason, like any other rejected input. */
class Unresolved {
  constructor(
    readonly item: InboundItem,
    readonly problems: ReadonlyArray<FieldProblem>,
  ) {}
}

/**
 * Ingests a batch. Guarantees: every item is answered accepted, duplicate or rejected; every rejected item
 * is in dead letters before the answer is sent; a re-delivery (same lead and action, or same event id)
 * writes no event. Concurrent writers to the same lead are detected by expected revision and retried.
 * A store failure rejects the whole call (nothing is acknowledged).
 */
export const ingestLeads =
  (ports: IngestPorts) =>
  async (items: ReadonlyArray<InboundItem>, source: string, format: string, options: { readonly keepRejected?: boolean } = {}): Promise<IngestSummary> => {
    // Reading, deciding and appending 10,000 leads takes seconds of CPU: other requests get turns meanwhile.
    const turn = loopTurns()
    const results = new Map<number, ItemResult>()
    const failed: Unresolved[] = []
    let pending: InboundLead[] = []
    const itemOf = new Map<InboundLead, InboundItem>()
    for (const item of items) {
      if (E.isLeft(item.decoded)) failed.push(new Unresolved(item, problemsOf(item.decoded.left)))
      else {
        pending.push(item.decoded.right)
        itemOf.set(item.decoded.right, item)
      }
    }

    for (let attempt = 1; pending.length > 0; attempt++) {
      const byLead = new Map<string, InboundLead[]>()
      for (const lead of pending) {
        const group = byLead.get(lead.command.leadId)
        if (group === undefined) byLead.set(lead.command.leadId, [lead])
        else group.push(lead)
      }
      const requests: Array<{ request: AppendRequest; leads: ReadonlyArray<InboundLead>; written: ReadonlyArray<InboundLead> }> = []
      for (const [leadId, leads] of byLead) {
        await turn()
        const read = await ports.store.readStream(streamOfLead(leadId))()
        if (E.isLeft(read)) throw new Error(`reading lead ${leadId}: ${read.left._tag}`)
        let state: LeadState = fold(read.right.events.map((r) => r.event as LeadEvent))
        const events: NewEvent[] = []
        const written: InboundLead[] = []
        for (const lead of leads) {
          const decided = decide(lead.command, state)
          const item = itemOf.get(lead)!
          if (E.isLeft(decided)) {
            failed.push(new Unresolved(item, problemsOf(decided.left)))
            continue
          }
          if (decided.right.length === 0) {
            results.set(item.index, { index: item.index, status: 'duplicate', leadId })
            continue
          }
          for (const ev of decided.right) {
            events.push({ eventId: lead.eventId, event: ev, metadata: { causationId: lead.eventId } })
            state = evolve(state, ev)
          }
          written.push(lead)
        }
        if (events.length > 0)
          requests.push({
            request: { streamId: streamOfLead(leadId), expectedRevision: read.right.revision < 0 ? 'no-stream' : read.right.revision, events },
            leads,
            written,
          })
      }

      // Sealed once for the whole batch (one key-store transaction), however the appends are then sliced.
      const outcomes = await appendInSlices(ports, await ports.seal(requests.map((r) => r.request)), turn)
      const retry: InboundLead[] = []
      outcomes.forEach((outcome, i) => {
        const { request, leads, written } = requests[i]!
        if (E.isRight(outcome)) {
          const o = outcome.right
          written.forEach((lead, k) => {
            const item = itemOf.get(lead)!
            results.set(
              item.index,
              o._tag === 'Appended'
                ? { index: item.index, status: 'accepted', leadId: lead.command.leadId, eventId: lead.eventId, position: o.lastPosition - (written.length - 1 - k) }
                : { index: item.index, status: 'duplicate', leadId: lead.command.leadId },
            )
          })
          return
        }
        const err = outcome.left
        if (err._tag === 'StoreUnavailable' || err._tag === 'CorruptEvent') throw new Error(`appending ${request.streamId}: ${err._tag}`)
        // The lead changed under us (or the batch mixed stored and new event ids): decide again on fresh state.
        if (attempt < MAX_ATTEMPTS) retry.push(...leads.filter((l) => !results.has(itemOf.get(l)!.index)))
        else
          for (const l of leads)
            failed.push(new Unresolved(itemOf.get(l)!, [{ path: 'leadId', reason: `the lead kept changing concurrently (${err._tag}); send it again` }]))
      })
      pending = retry
    }

    // A replay of a dead letter keeps the original instead of adding a copy (keepRejected: false).
    if (failed.length > 0 && options.keepRejected === false)
      failed.forEach((f) => results.set(f.item.index, { index: f.item.index, status: 'rejected', problems: f.problems, deadLetterId: 0 }))
    else if (failed.length > 0) {
      const receivedAt = ports.now().toISOString()
      const ids = await ports.deadLetters.record(
        failed.map((f) => ({ source, format, problems: f.problems, payload: f.item.payload, receivedAt })),
      )
      failed.forEach((f, i) => results.set(f.item.index, { index: f.item.index, status: 'rejected', problems: f.problems, deadLetterId: ids[i] ?? 0 }))
      ports.metrics.deadLetters.inc({ source }, failed.length)
    }

    const ordered = items.map((it) => results.get(it.index)!)
    const count = (s: ItemResult['status']) => ordered.filter((r) => r.status === s).length
    const accepted = count('accepted')
    ports.metrics.leadsReceived.inc({ format, outcome: 'accepted' }, accepted)
    ports.metrics.leadsReceived.inc({ format, outcome: 'duplicate' }, count('duplicate'))
    ports.metrics.leadsReceived.inc({ format, outcome: 'rejected' }, count('rejected'))
    ports.metrics.eventsAppended.inc(accepted)
    return {
      accepted,
      duplicates: count('duplicate'),
      rejected: count('rejected'),
      position: ordered.reduce((p, r) => (r.status === 'accepted' ? Math.max(p, r.position) : p), 0),
      results: ordered,
    }
  }
