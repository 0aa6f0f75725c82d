// The durability checks: what a workload was told was written is in the event store and the views, nothing is
// in the store twice, and the views equal a fold of the whole store from empty.
import { join } from 'node:path'
import { streamOfLead } from '@leadstream/domain'
import { diffCounters, foldCounters, readEvents, viewCounters } from '../support/fold.js'
import { eachLimited, foldOf, getJson, servedCountFailures, servedLeadFailures } from '../support/served.js'
import { indexStore } from '../support/store.js'
import type { Workload } from './workload.js'

// ---------------------------------------------------------------------------------------------------------
// the checks
// ---------------------------------------------------------------------------------------------------------

export interface Verdict {
  /** Each failed check, named; empty when durability held. */
  readonly failures: ReadonlyArray<string>
  readonly events: number
  readonly leads: number
  /** Pairs whose delivery got no answer before a kill, yet were written (their re-delivery answered duplicate). */
  readonly writtenButUnanswered: number
}

/**
 * Checks a workload's acknowledgements against a running server (`url`) and its event store (`dataDir`).
 * Call it once every pair has been acknowledged and nothing else writes.
 */
export const verify = async (url: string, dataDir: string, w: Workload): Promise<Verdict> => {
  const failures: string[] = []
  const fail = (m: string) => {
    if (failures.length < 40) failures.push(m)
  }
  for (const a of w.anomalies) fail(`during the run: ${a}`)

  // --- the event store --------------------------------------------------------------------------------
  const events = readEvents(dataDir)
  const head = events.reduce((p, e) => Math.max(p, e.position), 0)
  const byEventId = new Map(events.map((e) => [e.eventId, e]))

  // Streams gapless from revision 0; (c) one LeadCaptured per lead, at revision 0, and one event per
  // (lead, action) pair however often it was sent.
  const { captured, perPair, commandEvents } = indexStore(events, fail)

  const ackedLeadIds = new Set<string>()
  for (const lead of w.leads) if (lead.leadId !== undefined) ackedLeadIds.add(lead.leadId)
  const capturedIds = new Set(captured.keys())
  const notCaptured = [...ackedLeadIds].filter((id) => !capturedIds.has(id))
  const neverAcked = [...capturedIds].filter((id) => !ackedLeadIds.has(id))
  if (notCaptured.length > 0) fail(`${notCaptured.length} acknowledged leads have no LeadCaptured, e.g. ${notCaptured.slice(0, 3).join(', ')}`)
  if (neverAcked.length > 0) fail(`${neverAcked.length} captured leads were never acknowledged, e.g. ${neverAcked.slice(0, 3).join(', ')}`)
  if (captured.size !== ackedLeadIds.size) fail(`${captured.size} leads captured, ${ackedLeadIds.size} distinct lead ids acknowledged`)

  let writtenButUnanswered = 0
  for (const p of w.pairs.values()) {
    const leadId = p.lead.leadId
    if (!p.acked || leadId === undefined) {
      fail(`pair ${p.key} was never acknowledged (the test must re-deliver until it is)`)
      continue
    }
    const stored = perPair.get(`${leadId}|${p.action}`) ?? []
    if (stored.length !== 1) fail(`pair ${p.key} (${leadId}) has ${stored.length} events, expected exactly 1`)
    if (p.accepted.length > 1) fail(`pair ${p.key} acknowledged as accepted ${p.accepted.length} times`)
    for (const a of p.accepted) {
      // (a) in the store: the acknowledged event, at the acknowledged position, in the lead's stream.
      const e = byEventId.get(a.eventId)
      if (e === undefined) fail(`acknowledged event ${a.eventId} of ${p.key} (position ${a.position}) is not in the store`)
      else if (e.position !== a.position || e.streamId !== streamOfLead(leadId))
        fail(`acknowledged event ${a.eventId} of ${p.key}: stored at ${e.position} in ${e.streamId}, acknowledged at ${a.position} in ${streamOfLead(leadId)}`)
    }
    if (p.accepted.length === 0 && w.redelivered.has(p.key)) writtenButUnanswered++
  }
  const pairEvents = [...perPair.values()].reduce((n, es) => n + es.length, 0)
  if (pairEvents !== w.pairs.size) fail(`${pairEvents} capture/action events in the store for ${w.pairs.size} distinct (lead, action) pairs sent`)

  // Commands: every acknowledged one is stored; no more are stored than were sent.
  let commandsAcked = 0
  for (const lead of w.leads)
    for (const c of lead.commands) {
      commandsAcked += c.eventIds.length
      for (const id of c.eventIds) {
        const e = byEventId.get(id)
        if (e === undefined) fail(`acknowledged ${c.type} event ${id} on ${lead.leadId} is not in the store`)
        else if (e.streamId !== streamOfLead(lead.leadId ?? '')) fail(`acknowledged ${c.type} event ${id} is in ${e.streamId}`)
      }
      const last = byEventId.get(c.eventIds[c.eventIds.length - 1] ?? '')
      if (last !== undefined && last.position !== c.position)
        fail(`acknowledged ${c.type} on ${lead.leadId}: stored at ${last.position}, acknowledged at ${c.position}`)
    }
  if (commandEvents < commandsAcked || commandEvents > commandsAcked + w.stats.commandsUnacked)
    fail(`${commandEvents} command events stored; ${commandsAcked} acknowledged, ${w.stats.commandsUnacked} unanswered`)

  // --- the views: (a) every acknowledged lead readable once the projector reached the highest acknowledged position.
  // One wait for that position first; if the views never get there, read them as they are (and fail fast).
  const reached = await getJson<{ position?: number }>(`${url}/v1/views/qualification?minPosition=${w.maxAckedPosition}&waitMs=10000`)
  if (reached.status !== 200) fail(`the views never reached the highest acknowledged position ${w.maxAckedPosition} (store head ${head}): ${reached.status}`)
  const freshLead = reached.status === 200 ? `minPosition=${w.maxAckedPosition}&waitMs=10000` : 'waitMs=0'
  await eachLimited(
    w.leads.filter((l) => l.leadId !== undefined),
    8,
    async (lead) => {
      const { status, body } = await getJson<{
        lead?: { state: string; actions: ReadonlyArray<string> }
        history?: ReadonlyArray<{ position: number; type: string }>
      }>(`${url}/v1/leads/${lead.leadId}?${freshLead}`)
      if (status !== 200 || body.lead === undefined || body.history === undefined) return fail(`GET lead ${lead.leadId} (${lead.key}) answered ${status}`)
      const positions = new Set(body.history.map((h) => h.position))
      for (const a of [...lead.actions].flatMap((action) => w.pairs.get(`${lead.key}|${action}`)?.accepted ?? []))
        if (!positions.has(a.position)) fail(`lead ${lead.leadId}: history lacks the acknowledged event at ${a.position}`)
      for (const c of lead.commands) if (!positions.has(c.position)) fail(`lead ${lead.leadId}: history lacks the acknowledged ${c.type} at ${c.position}`)
      const missing = [...lead.actions].filter((a) => !body.lead!.actions.includes(a))
      if (missing.length > 0) fail(`lead ${lead.leadId}: view lacks actions ${missing.join(', ')}`)
      if (!lead.uncertain && body.lead.state !== lead.state) fail(`lead ${lead.leadId}: state ${body.lead.state}, acknowledged commands leave it ${lead.state}`)
    },
  )

  // --- (b) the views equal a fold of the whole store, projected in one batch from empty
  const folded = foldOf(events)
  if (!folded.ok) {
    fail(folded.reason)
    return { failures, events: events.length, leads: captured.size, writtenButUnanswered }
  }
  const atHead = await getJson<{ position?: number }>(`${url}/v1/views/qualification?minPosition=${head}&waitMs=10000`)
  if (atHead.status !== 200) fail(`the views never reached the store head ${head}: ${atHead.status}`)
  const fresh = atHead.status === 200 ? `minPosition=${head}&waitMs=10000` : 'waitMs=0'
  for (const f of await servedCountFailures(url, folded.fold, head, fresh)) fail(f)

  // The counter rows as stored (every dimension and metric, the test flag kept apart), read beside the server.
  const storedCounters = diffCounters(foldCounters(events), viewCounters(join(dataDir, 'views.db')))
  if (storedCounters !== '') fail(`views.db counters differ from the fold of the store:\n${storedCounters}`)

  // The lead rows too: every lead of the fold is listed once, at the fold's revision and state.
  for (const f of await servedLeadFailures(url, folded.fold, fresh)) fail(f)

  return { failures, events: events.length, leads: captured.size, writtenButUnanswered }
}
