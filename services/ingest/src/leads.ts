// Ingesting leads: decode each item, decide against its lead's stream, append a batch in slices of transactions.
import * as E from 'fp-ts/lib/Either.js'
import {
  decide,
  deterministicEventId,
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
import type { AppendOutcome, AppendRequest, StoreError } from '@leadstream/event-store'
import { inSlices, loopTurns, type SliceSizes } from '@leadstream/runtime'
import { applyParked, parkUnknown } from './parking.js'
import type { IngestPorts } from './ports.js'

export type ItemResult =
  | { readonly index: number; readonly status: 'accepted'; readonly leadId: string; readonly eventId: string; readonly position: number }
  | { readonly index: number; readonly status: 'duplicate'; readonly leadId: string }
  /** A lifecycle event of a lead not captured yet: held (parking.ts) until `until`, applied when the capture comes. */
  | { readonly index: number; readonly status: 'parked'; readonly leadId: string; readonly eventId: string; readonly until: string }
  /** `code`: the error's tag (`Invalid`, `TransitionNotAllowed`…), which chooses the HTTP status of a single item. */
  | {
      readonly index: number
      readonly status: 'rejected'
      readonly code: LeadError['_tag']
      readonly problems: ReadonlyArray<FieldProblem>
      readonly deadLetterId: number
    }

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
 * Seals and appends a batch's streams in several transactions, giving the event loop a turn between them, so
 * a 10,000-lead batch does not hold it for one long transaction (slices of about 10 ms: runtime's inSlices).
 * Each stream's events are still appended atomically; a crash between slices leaves the earlier slices written,
 * and a re-delivery answers those leads as duplicates. Sealed slice by slice too: sealing 10,000 leads at once
 * (a key each, AES-GCM) held the loop for ~0.5 s.
 */
const appendInSlices = (ports: IngestPorts, requests: ReadonlyArray<AppendRequest>, turn: () => Promise<void>) =>
  inSlices(requests, async (slice) => ports.store.appendMany(await ports.seal(slice))(), turn)

/**
 * Slices for recording dead letters and parking events. Each slice is a commit, and each commit writes again the
 * index pages its random keys (subjects, leads) touch: slices shrunk to 8 made 10,000 dead letters take ~2 s where
 * one transaction took ~0.4 s (a loaded machine). Slices of 100 to 500 cost about twice one transaction in all.
 */
export const RECORD_SLICES: SliceSizes = { first: 500, min: 100, max: 2000 }

/** An item that will not be written (undecodable, refused by the rules, or a lead that kept changing). */
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
  /** Set when the items are parked events being applied: one that still cannot be applied stays parked as it is. */
  readonly fromParking?: boolean
}

/** The lead's rules ingest runs: the domain's; a test may pass others (a decision of two events). */
export interface LeadRules {
  readonly decide: (command: InboundLead['command'], state: LeadState) => E.Either<LeadError, ReadonlyArray<LeadEvent>>
  readonly evolve: (state: LeadState, event: LeadEvent) => LeadState
}

const domainRules: LeadRules = { decide, evolve }

/**
 * The ids of one decision's events. The first keeps the item's event id, by which a re-delivery is found; each
 * further one is derived from it by name (a UUID v5), so a re-delivery derives the same ids and writes nothing.
 */
export const eventIdsOf = (eventId: string, count: number): ReadonlyArray<string> =>
  Array.from({ length: count }, (_, k) => (k === 0 ? eventId : deterministicEventId(`${eventId}|${k}`)))

/** What one call has settled so far: an answer per item, and the items that go to dead letters. */
interface Settled {
  readonly results: Map<number, ItemResult>
  readonly failed: Unresolved[]
  readonly itemOf: ReadonlyMap<InboundLead, InboundItem>
  /** Events written, over every lead (a decision may write more than one). */
  events: number
  /** Lifecycle events whose lead does not exist yet: parked (from parking: also those its state does not allow yet). */
  readonly waiting: InboundItem[]
  /** Items the decider answered (refused or waiting): a retry after a concurrent change leaves them be. */
  readonly decided: Set<InboundItem>
  /** Leads written to: their parked events (if any) are tried again once the writes are in. */
  readonly touched: Set<string>
  readonly fromParking: boolean
}

/** One stream's append: the leads it was decided for, and those that wrote events (with how many each). */
interface StreamPlan {
  readonly request: AppendRequest
  readonly leads: ReadonlyArray<InboundLead>
  readonly written: ReadonlyArray<{ readonly lead: InboundLead; readonly events: number }>
}

const byLead = (leads: ReadonlyArray<InboundLead>): ReadonlyMap<string, ReadonlyArray<InboundLead>> => {
  const groups = new Map<string, InboundLead[]>()
  for (const lead of leads) {
    const group = groups.get(lead.command.leadId)
    if (group === undefined) groups.set(lead.command.leadId, [lead])
    else group.push(lead)
  }
  return groups
}

/**
 * Reads one lead's stream and decides its items in order, each on the state the previous ones left. Refused
 * items and duplicates are settled here; the plan (null when nothing is to be written) holds the new events.
 */
const planStream = async (
  ports: IngestPorts,
  rules: LeadRules,
  leadId: string,
  leads: ReadonlyArray<InboundLead>,
  settled: Settled,
): Promise<StreamPlan | null> => {
  const read = await ports.store.readStream(streamOfLead(leadId))()
  if (E.isLeft(read)) throw new Error(`reading lead ${leadId}: ${read.left._tag}`)
  let state: LeadState = fold(read.right.events.map((r) => r.event as LeadEvent))
  // An upstream lifecycle event is decided against the state it finds, so its re-delivery (already applied) is
  // recognised by its event id before deciding, or it would read as an impossible transition.
  const seen = new Set(read.right.events.map((r) => r.eventId))
  const events: NewEvent[] = []
  const written: Array<StreamPlan['written'][number]> = []
  for (const lead of leads) {
    const item = settled.itemOf.get(lead)!
    if (lead.command.type !== 'CaptureLead' && seen.has(lead.eventId)) {
      settled.results.set(item.index, { index: item.index, status: 'duplicate', leadId })
      continue
    }
    const decided = rules.decide(lead.command, state)
    if (E.isLeft(decided)) {
      // A lifecycle event waits (parked) for its lead; one already parked also waits for a state that allows it.
      const waits = decided.left._tag === 'LeadNotFound' || (settled.fromParking && decided.left._tag === 'TransitionNotAllowed')
      if (waits && lead.command.type !== 'CaptureLead') settled.waiting.push(item)
      else settled.failed.push(new Unresolved(item, decided.left))
      settled.decided.add(item)
      continue
    }
    if (decided.right.length === 0) {
      settled.results.set(item.index, { index: item.index, status: 'duplicate', leadId })
      continue
    }
    const ids = eventIdsOf(lead.eventId, decided.right.length)
    decided.right.forEach((event, k) => {
      events.push({ eventId: ids[k]!, event, metadata: { causationId: lead.eventId } })
      state = rules.evolve(state, event)
    })
    seen.add(lead.eventId)
    settled.touched.add(leadId)
    written.push({ lead, events: decided.right.length })
  }
  if (events.length === 0) return null
  return { request: { streamId: streamOfLead(leadId), expectedRevision: read.right.revision < 0 ? 'no-stream' : read.right.revision, events }, leads, written }
}

/**
 * Answers the leads of appended streams; returns those to decide again (their lead changed under us). Each
 * accepted lead's position is that of its last event: the events after it in the stream's append come off
 * the append's last position.
 */
const settleAppends = (
  plans: ReadonlyArray<StreamPlan>,
  outcomes: ReadonlyArray<E.Either<StoreError, AppendOutcome>>,
  attempt: number,
  settled: Settled,
): InboundLead[] => {
  const retry: InboundLead[] = []
  outcomes.forEach((outcome, i) => {
    const { request, leads, written } = plans[i]!
    if (E.isRight(outcome)) {
      const o = outcome.right
      let after = 0
      for (let k = written.length - 1; k >= 0; k--) {
        const { lead, events } = written[k]!
        const item = settled.itemOf.get(lead)!
        settled.results.set(
          item.index,
          o._tag === 'Appended'
            ? { index: item.index, status: 'accepted', leadId: lead.command.leadId, eventId: lead.eventId, position: o.lastPosition - after }
            : { index: item.index, status: 'duplicate', leadId: lead.command.leadId },
        )
        after += events
      }
      if (o._tag === 'Appended') settled.events += request.events.length
      return
    }
    const err = outcome.left
    // The message says why (a failed fsync names its file: nothing is acknowledged after it until a restart).
    if (err._tag === 'StoreUnavailable') throw new Error(`appending ${request.streamId}: StoreUnavailable: ${err.message}`)
    if (err._tag === 'CorruptEvent') throw new Error(`appending ${request.streamId}: ${err._tag}`)
    // The lead changed under us (or the batch mixed stored and new event ids): decide again on fresh state.
    settled.touched.delete(request.streamId.slice('lead-'.length))
    const open = leads.filter((l) => !settled.results.has(settled.itemOf.get(l)!.index) && !settled.decided.has(settled.itemOf.get(l)!))
    if (attempt < MAX_ATTEMPTS) retry.push(...open)
    else
      for (const l of open)
        settled.failed.push(
          new Unresolved(settled.itemOf.get(l)!, invalid([{ path: 'leadId', reason: `the lead kept changing concurrently (${err._tag}); send it again` }])),
        )
  })
  return retry
}

/**
 * Rejected items go to dead letters (a replay of a dead letter keeps the original instead: keepRejected false), in
 * the items' order, in slices with loop turns between: 10,000 at once (each payload scanned for the people it
 * names, three rows each) held the loop for 0.2 to 1 s, as the machine's load goes. Every slice is committed before the answer is sent.
 */
const recordRejected = async (
  ports: IngestPorts,
  settled: Settled,
  source: string,
  format: string,
  keepRejected: boolean,
  turn: () => Promise<void>,
): Promise<void> => {
  const { failed, results } = settled
  if (failed.length === 0) return
  if (!keepRejected) {
    for (const f of failed) results.set(f.item.index, { index: f.item.index, status: 'rejected', code: f.error._tag, problems: f.problems, deadLetterId: 0 })
    return
  }
  const receivedAt = ports.now().toISOString()
  const ids = await inSlices(
    failed,
    (slice) => ports.deadLetters.record(slice.map((f) => ({ source, format, problems: f.problems, payload: f.item.payload, receivedAt }))),
    turn,
    RECORD_SLICES,
  )
  failed.forEach((f, i) =>
    results.set(f.item.index, { index: f.item.index, status: 'rejected', code: f.error._tag, problems: f.problems, deadLetterId: ids[i] ?? 0 }),
  )
  ports.metrics.deadLetters.inc({ source }, failed.length)
}

const summarize = (ports: IngestPorts, items: ReadonlyArray<InboundItem>, settled: Settled, format: string): IngestSummary => {
  const ordered = items.map((it) => settled.results.get(it.index)!)
  const count = (s: ItemResult['status']) => ordered.filter((r) => r.status === s).length
  const [accepted, duplicates, parked, rejected] = [count('accepted'), count('duplicate'), count('parked'), count('rejected')]
  ports.metrics.leadsReceived.inc({ format, outcome: 'accepted' }, accepted)
  ports.metrics.leadsReceived.inc({ format, outcome: 'duplicate' }, duplicates)
  ports.metrics.leadsReceived.inc({ format, outcome: 'parked' }, parked)
  ports.metrics.leadsReceived.inc({ format, outcome: 'rejected' }, rejected)
  ports.metrics.eventsAppended.inc(settled.events)
  return {
    accepted,
    duplicates,
    parked,
    rejected,
    position: ordered.reduce((p, r) => (r.status === 'accepted' ? Math.max(p, r.position) : p), 0),
    results: ordered,
  }
}

/**
 * Ingests a batch. Guarantees: every item is answered accepted, duplicate, parked or rejected; every rejected
 * item is in dead letters, and every parked one in parking, before the answer is sent; a re-delivery (same
 * lead and action, or same event id) writes no event. Concurrent writers to the same lead are detected by
 * expected revision and retried. A store failure rejects the whole call (nothing is acknowledged). Then the
 * parked events of the leads written to are tried again (parking.ts).
 */
export const ingestLeads =
  (ports: IngestPorts, rules: LeadRules = domainRules) =>
  async (items: ReadonlyArray<InboundItem>, source: string, format: string, options: IngestOptions = {}): Promise<IngestSummary> => {
    // Reading, deciding and appending 10,000 leads takes seconds of CPU: other requests get turns meanwhile.
    const turn = loopTurns()
    const itemOf = new Map<InboundLead, InboundItem>()
    const settled: Settled = {
      results: new Map(),
      failed: [],
      itemOf,
      events: 0,
      waiting: [],
      decided: new Set(),
      touched: new Set(),
      fromParking: options.fromParking === true,
    }
    let pending: InboundLead[] = []
    for (const item of items) {
      if (E.isLeft(item.decoded)) settled.failed.push(new Unresolved(item, item.decoded.left))
      else {
        pending.push(item.decoded.right)
        itemOf.set(item.decoded.right, item)
      }
    }
    for (let attempt = 1; pending.length > 0; attempt++) {
      const plans: StreamPlan[] = []
      for (const [leadId, leads] of byLead(pending)) {
        await turn()
        const plan = await planStream(ports, rules, leadId, leads, settled)
        if (plan !== null) plans.push(plan)
      }
      const outcomes = await appendInSlices(
        ports,
        plans.map((p) => p.request),
        turn,
      )
      pending = settleAppends(plans, outcomes, attempt, settled)
    }
    if (settled.waiting.length > 0)
      for (const r of await parkUnknown(ports, settled.waiting, source, format, settled.fromParking, turn)) settled.results.set(r.index, r)
    await recordRejected(ports, settled, source, format, options.keepRejected !== false, turn)
    const summary = summarize(ports, items, settled, format)
    // The leads written here may have lifecycle events waiting: they follow now, in their order, if they can.
    if (settled.touched.size > 0 && !settled.fromParking) await applyParked(ports, [...settled.touched])
    return summary
  }
