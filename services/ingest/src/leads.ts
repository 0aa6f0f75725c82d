// Ingesting leads: decode each item, decide against its lead's stream, append a batch in slices of transactions.
import * as E from 'fp-ts/lib/Either.js'
import {
  decide,
  evolve,
  fold,
  invalid,
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
import { applyParked, parkUnknown } from './parking.js'
import type { IngestPorts } from './ports.js'

export type ItemResult =
  | { readonly index: number; readonly status: 'accepted'; readonly leadId: string; readonly eventId: string; readonly position: number }
  | { readonly index: number; readonly status: 'duplicate'; readonly leadId: string }
  /** A lifecycle event of a lead not captured yet: held (parking.ts) until `until`, applied when the capture comes. */
  | { readonly index: number; readonly status: 'parked'; readonly leadId: string; readonly eventId: string; readonly until: string }
  /** `code`: the error's tag (`Invalid`, `TransitionNotAllowed`…), which chooses the HTTP status of a single item. */
  | { readonly index: number; readonly status: 'rejected'; readonly code: LeadError['_tag']; readonly problems: ReadonlyArray<FieldProblem>; readonly deadLetterId: number }

export interface InboundItem {
  readonly index: number
  /** The item's text as received, kept in dead letters if it is rejected (never re-serialised from a parsed value). */
  readonly payload: string
  readonly decoded: E.Either<LeadError, InboundLead>
}

export interface IngestSummary {
  readonly accepted: number
  readonly duplicates: number
  readonly parked: number
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
  readonly problems: ReadonlyArray<FieldProblem>
  constructor(
    readonly item: InboundItem,
    readonly error: LeadError,
  ) {
    this.problems = problemsOf(error)
  }
}

export interface IngestOptions {
  /** false: a replay of a dead letter keeps the original instead of adding a copy. */
  readonly keepRejected?: boolean
  /** Set when the items are parked events being applied: one whose lead is still unknown stays parked as it is. */
  readonly fromParking?: boolean
}

/**
 * Ingests a batch. Guarantees: every item is answered accepted, duplicate or rejected; every rejected item
 * is in dead letters before the answer is sent; a re-delivery (same lead and action, or same event id)
 * writes no event. Concurrent writers to the same lead are detected by expected revision and retried.
 * A store failure rejects the whole call (nothing is acknowledged).
 */
export const ingestLeads =
  (ports: IngestPorts) =>
  async (items: ReadonlyArray<InboundItem>, source: string, format: string, options: IngestOptions = {}): Promise<IngestSummary> => {
    // Reading, deciding and appending 10,000 leads takes seconds of CPU: other requests get turns meanwhile.
    const turn = loopTurns()
    const results = new Map<number, ItemResult>()
    const failed: Unresolved[] = []
    /** Lifecycle events of leads that do not exist yet: parked (or, from parking, left there). */
    const unknownLead: InboundItem[] = []
    /** Leads this call wrote to: their parked events (if any) are tried again once the writes are in. */
    const touched = new Set<string>()
    /** Items answered by the decider (refused or parked): a retry after a concurrent change leaves them be. */
    const settled = new Set<InboundItem>()
    let pending: InboundLead[] = []
    const itemOf = new Map<InboundLead, InboundItem>()
    for (const item of items) {
      if (E.isLeft(item.decoded)) failed.push(new Unresolved(item, item.decoded.left))
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
        // An upstream lifecycle event is decided against the state it finds, so its re-delivery (already applied)
        // is recognised by its event id before deciding, or it would read as an impossible transition.
        const seen = new Set(read.right.events.map((r) => r.eventId))
        const events: NewEvent[] = []
        const written: InboundLead[] = []
        for (const lead of leads) {
          const item = itemOf.get(lead)!
          if (lead.command.type !== 'CaptureLead' && seen.has(lead.eventId)) {
            results.set(item.index, { index: item.index, status: 'duplicate', leadId })
            continue
          }
          const decided = decide(lead.command, state)
          if (E.isLeft(decided)) {
            // A lifecycle event waits (parked) for its lead; one already parked also waits for a state that allows it.
            const waits = decided.left._tag === 'LeadNotFound' || (options.fromParking === true && decided.left._tag === 'TransitionNotAllowed')
            if (waits && lead.command.type !== 'CaptureLead') unknownLead.push(item)
            else failed.push(new Unresolved(item, decided.left))
            settled.add(item)
            continue
          }
          if (decided.right.length === 0) {
            results.set(item.index, { index: item.index, status: 'duplicate', leadId })
            continue
          }
          for (const ev of decided.right) {
            events.push({ eventId: lead.eventId, event: ev, metadata: { causationId: lead.eventId } })
            state = evolve(state, ev)
            touched.add(leadId)
          }
          seen.add(lead.eventId)
          written.push(lead)
        }
        if (events.length > 0)
          requests.push({
            request: { streamId: streamOfLead(leadId), expectedRevision: read.right.revision < 0 ? 'no-stream' : read.right.revision, events },
            leads,
            written,
          })
      }

      const outcomes = await appendInSlices(ports, requests.map((r) => r.request), turn)
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
        touched.delete(request.streamId.slice('lead-'.length))
        const open = leads.filter((l) => !results.has(itemOf.get(l)!.index) && !settled.has(itemOf.get(l)!))
        if (attempt < MAX_ATTEMPTS) retry.push(...open)
        else
          for (const l of open)
            failed.push(new Unresolved(itemOf.get(l)!, invalid([{ path: 'leadId', reason: `the lead kept changing concurrently (${err._tag}); send it again` }])))
      })
      pending = retry
    }

    // A replay of a dead letter keeps the original instead of adding a copy (keepRejected: false).
    if (unknownLead.length > 0) {
      const held = await parkUnknown(ports, unknownLead, source, format, options.fromParking === true)
      held.forEach((r) => results.set(r.index, r))
    }
    if (failed.length > 0 && options.keepRejected === false)
      failed.forEach((f) => results.set(f.item.index, { index: f.item.index, status: 'rejected', code: f.error._tag, problems: f.problems, deadLetterId: 0 }))
    else if (failed.length > 0) {
      const receivedAt = ports.now().toISOString()
      const ids = await ports.deadLetters.record(
        failed.map((f) => ({ source, format, problems: f.problems, payload: f.item.payload, receivedAt })),
      )
      failed.forEach((f, i) => results.set(f.item.index, { index: f.item.index, status: 'rejected', code: f.error._tag, problems: f.problems, deadLetterId: ids[i] ?? 0 }))
      ports.metrics.deadLetters.inc({ source }, failed.length)
    }

    const ordered = items.map((it) => results.get(it.index)!)
    const count = (s: ItemResult['status']) => ordered.filter((r) => r.status === s).length
    const accepted = count('accepted')
    ports.metrics.leadsReceived.inc({ format, outcome: 'accepted' }, accepted)
    ports.metrics.leadsReceived.inc({ format, outcome: 'duplicate' }, count('duplicate'))
    ports.metrics.leadsReceived.inc({ format, outcome: 'rejected' }, count('rejected'))
    ports.metrics.leadsReceived.inc({ format, outcome: 'parked' }, count('parked'))
    ports.metrics.eventsAppended.inc(accepted)
    // The leads written here may have lifecycle events waiting: they follow now, in their order, if they can.
    if (touched.size > 0 && options.fromParking !== true) await applyParked(ports, [...touched])
    return {
      accepted,
      duplicates: count('duplicate'),
      parked: count('parked'),
      rejected: count('rejected'),
      position: ordered.reduce((p, r) => (r.status === 'accepted' ? Math.max(p, r.position) : p), 0),
      results: ordered,
    }
  }
