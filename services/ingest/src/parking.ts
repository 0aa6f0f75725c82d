// Out-of-order upstream events: a lifecycle event (a CRM's "qualified") whose lead has not been captured yet is
// parked, durably, for LEADSTREAM_PARK_FOR_SECONDS. Whenever an event is written to that lead (its capture, then
// anything else), its parked events are tried again in occurredAt order, each decided like any other; one the
// lead's state does not allow yet (qualified before contacted arrived) keeps waiting. One that waits past its
// bound is dead-lettered with the reason by the sweeper; replaying that dead letter applies it once it can.
// Parking is idempotent per (lead, eventId): a re-delivery while parked keeps one copy.
import * as E from 'fp-ts/lib/Either.js'
import { decodeNativeLead, problem, readJson, streamOfLead, type FieldProblem } from '@leadstream/domain'
import type { ParkedEvent } from '@leadstream/dead-letters'
import { inSlices, loopTurns } from '@leadstream/runtime'
import { ingestLeads, RECORD_SLICES, type InboundItem, type ItemResult } from './leads.js'
import type { IngestPorts } from './ports.js'

type Parked = Extract<ItemResult, { readonly status: 'parked' }>

const occurredAtOf = (item: InboundItem): string => {
  if (E.isLeft(item.decoded)) return ''
  const c = item.decoded.right.command
  return c.type === 'CaptureLead' || c.type === 'RecordAction' ? c.occurredAt : c.at
}

/**
 * Parks lifecycle events whose lead is unknown, in the items' order, in slices with loop turns between (10,000 in
 * one transaction held the loop for 0.2 to 0.6 s); every slice is committed before the answer is sent. Then, unless
 * these came from parking, looks once more at each lead: a capture written by a concurrent request after this one
 * decided, but before it parked, would otherwise leave them waiting until their bound.
 */
export const parkUnknown = async (
  ports: IngestPorts,
  items: ReadonlyArray<InboundItem>,
  source: string,
  format: string,
  fromParking: boolean,
  turn = loopTurns(),
): Promise<ReadonlyArray<Parked>> => {
  const now = ports.now()
  const until = new Date(now.getTime() + ports.parkForMs).toISOString()
  const leadOf = (item: InboundItem) => (E.isRight(item.decoded) ? item.decoded.right : null)
  const held = await inSlices(
    items,
    (slice) =>
      ports.parked.park(
        slice.map((item) => ({
          leadId: leadOf(item)?.command.leadId ?? '',
          eventId: leadOf(item)?.eventId ?? '',
          source,
          format,
          payload: item.payload,
          occurredAt: occurredAtOf(item),
          parkedAt: now.toISOString(),
          until,
        })),
      ),
    turn,
    RECORD_SLICES,
  )
  const answers = items.map(
    (item, i): Parked => ({
      index: item.index,
      status: 'parked',
      leadId: leadOf(item)?.command.leadId ?? '',
      eventId: leadOf(item)?.eventId ?? '',
      until: held[i]?.until ?? until,
    }),
  )
  if (!fromParking) {
    const leads = [...new Set(answers.map((a) => a.leadId))]
    const known: string[] = []
    for (const leadId of leads) {
      await turn()
      const read = await ports.store.readStream(streamOfLead(leadId))()
      if (E.isRight(read) && read.right.revision >= 0) known.push(leadId)
    }
    if (known.length > 0) await applyParked(ports, known)
  }
  return answers
}

const expiryProblem = (e: ParkedEvent, parkForMs: number, leadExists: boolean): FieldProblem =>
  leadExists
    ? problem(
        'type',
        `lead ${e.leadId} did not reach a state that allows this event within ${Math.round(parkForMs / 1000)} s (parked ${e.parkedAt}, until ${e.until}); replay this dead letter once it does`,
      )
    : problem(
        'leadId',
        `lead ${e.leadId} was not captured within ${Math.round(parkForMs / 1000)} s of this event (parked ${e.parkedAt}, until ${e.until}); replay this dead letter once the lead exists`,
      )

/**
 * How long an expirer's claim on parked events holds: long enough to read the leads and record the dead letters
 * (milliseconds), short enough that events claimed by a process that died are swept again within a minute.
 */
export const PARK_CLAIM_LEASE_MS = 60_000

/**
 * Dead-letters parked events past their bound, with the reason. The parked and dead-letter stores share no
 * transaction, so this goes claim, record, remove:
 * 1. claim: one atomic statement marks the entries claimed for PARK_CLAIM_LEASE_MS and answers the ids this call
 *    claimed. A sweeper and an applyParked expiring the same entry at once (or two ingest replicas sweeping) get
 *    it once between them, so without a crash each expired event gets one dead letter, not two.
 * 2. record the dead letters of the claimed entries;
 * 3. remove them from parking.
 * A process killed after 1 leaves the entries claimed, not gone: once the lease lapses the next sweep claims them
 * again and records them, so nothing is lost. Killed between 2 and 3 (or stalled past the lease between 1 and 3),
 * an event gets a second dead letter when it is swept again. That is the trade: at-least-once, never a loss
 * (removing first, as before, lost the events of a crash in that window). A duplicate dead letter is harmless to
 * replay: the event's id makes the second application a duplicate. Should recording fail, the error is thrown
 * and the entries stay claimed until the lease lapses, then are tried again.
 */
const expire = async (ports: IngestPorts, entries: ReadonlyArray<ParkedEvent>): Promise<number> => {
  if (entries.length === 0) return 0
  const now = ports.now()
  const leaseUntil = new Date(now.getTime() + PARK_CLAIM_LEASE_MS).toISOString()
  const claimed = new Set(
    await ports.parked.claim(
      entries.map((e) => e.id),
      now.toISOString(),
      leaseUntil,
    ),
  )
  const mine = entries.filter((e) => claimed.has(e.id))
  if (mine.length === 0) return 0
  const receivedAt = now.toISOString()
  const exists = new Map<string, boolean>()
  for (const leadId of new Set(mine.map((e) => e.leadId))) {
    const read = await ports.store.readStream(streamOfLead(leadId))()
    exists.set(leadId, E.isRight(read) && read.right.revision >= 0)
  }
  await ports.deadLetters.record(
    mine.map((e) => ({
      source: e.source,
      format: e.format,
      problems: [expiryProblem(e, ports.parkForMs, exists.get(e.leadId) === true)],
      payload: e.payload,
      receivedAt,
    })),
  )
  await ports.parked.remove(mine.map((e) => e.id))
  for (const e of mine) ports.metrics.deadLetters.inc({ source: e.source })
  ports.logger.info({ expired: mine.length }, 'parked events expired into dead letters')
  return mine.length
}

/**
 * Runs of consecutive entries with the same source and format, in the entries' order: each run is ingested as one
 * batch (ingest takes one source and format per call) without reordering anything across sources.
 */
const runsOf = (entries: ReadonlyArray<ParkedEvent>): ReadonlyArray<ReadonlyArray<ParkedEvent>> => {
  const runs: ParkedEvent[][] = []
  for (const e of entries) {
    const last = runs[runs.length - 1]
    if (last !== undefined && last[0]!.source === e.source && last[0]!.format === e.format) last.push(e)
    else runs.push([e])
  }
  return runs
}

/**
 * Tries the parked events of these leads (just written to) again, in occurredAt order, as long as each pass
 * applies some: a capture lets the events wait for it follow, a contacted event lets a parked qualification
 * follow. An event past its bound is dead-lettered instead; one the lead's state does not allow yet stays
 * parked. Each applied event leaves parking whatever its outcome: accepted, duplicate, or rejected into dead
 * letters with its reason.
 */
export const applyParked = async (ports: IngestPorts, leadIds: ReadonlyArray<string>): Promise<void> => {
  // Nothing parked at all (the usual case): no look-up per lead.
  if ((await ports.parked.count()) === 0) return
  for (let progress = true; progress; ) {
    progress = false
    const entries = await ports.parked.forLeads(leadIds)
    if (entries.length === 0) return
    const now = ports.now().toISOString()
    await expire(
      ports,
      entries.filter((e) => e.until <= now),
    )
    // A claimed entry is on its way to dead letters (its claimer's clock may run ahead of this one's): never
    // applied, even when its lease has lapsed; the sweep claims it again.
    const live = entries.filter((e) => e.until > now && e.claimedUntil === null)
    // forLeads answers them by (occurredAt, id) over every source: a lead's events are applied in that order,
    // whichever source parked each (a CRM's contacted, another's qualified, the first one's disqualified).
    for (const run of runsOf(live)) {
      const items: InboundItem[] = run.map((e, index) => {
        const read = readJson(e.payload)
        return {
          index,
          payload: e.payload,
          decoded:
            read._tag === 'One'
              ? decodeNativeLead(read.value)
              : E.left({ _tag: 'Invalid', problems: [problem('(body)', 'the parked payload is not one JSON value')] }),
        }
      })
      const summary = await ingestLeads(ports)(items, run[0]!.source, run[0]!.format, { fromParking: true })
      const done = run.filter((_, i) => summary.results[i]?.status !== 'parked').map((e) => e.id)
      await ports.parked.remove(done)
      progress ||= summary.accepted > 0
    }
  }
}

/** One sweep: dead-letters every parked event past its bound (in pages). Answers how many. */
export const expireParked = async (ports: IngestPorts): Promise<number> => {
  let total = 0
  for (;;) {
    const due = await ports.parked.expired(ports.now().toISOString(), 500)
    total += await expire(ports, due)
    if (due.length < 500) return total
  }
}

/** Sweeps every `everyMs` until stopped; a failed sweep is logged and tried again at the next tick. */
export const parkingSweeper = (ports: IngestPorts, everyMs: number): { readonly stop: () => Promise<void> } => {
  let running: Promise<unknown> = Promise.resolve()
  let stopped = false
  const timer = setInterval(() => {
    if (stopped) return
    running = running.then(() =>
      expireParked(ports).catch((e: unknown) => ports.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'sweeping parked events failed')),
    )
  }, everyMs)
  timer.unref()
  return {
    stop: async () => {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
