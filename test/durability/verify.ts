// The durability checks: what a workload was told was written is in the event store and the views, nothing is
// in the store twice, and the views equal a fold of the whole store from empty.
import { join } from 'node:path'
import { cellsOf, projectBatch, streamOfLead, type CountDelta, type LeadSummary, type RecordedEvent } from '@leadstream/domain'
import { diffCounters, foldCounters, readEvents, viewCounters } from '../support/fold.js'
import type { Workload } from './workload.js'

// ---------------------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------------------

export const getJson = async <A>(url: string): Promise<{ status: number; body: A }> => {
  const res = await fetch(url, { signal: AbortSignal.timeout(20000) })
  const text = await res.text()
  return { status: res.status, body: JSON.parse(text) as A }
}

/** Runs `f` over `items` with at most `width` in flight. */
const eachLimited = async <A>(items: ReadonlyArray<A>, width: number, f: (a: A) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await f(items[next++]!)
    }),
  )
}

// ---------------------------------------------------------------------------------------------------------
// counters as cells
// ---------------------------------------------------------------------------------------------------------

/** `dimension/key/metric/bucket` → count, zero cells left out, so two sources compare cell by cell. */
export type Cells = Record<string, number>

const cellName = (dimension: string, key: string, metric: string, bucket: string) => `${dimension}/${key}/${metric}/${bucket}`

const sumCells = (deltas: ReadonlyArray<CountDelta>, keep: (d: CountDelta) => boolean): Cells => {
  const out: Cells = {}
  for (const d of deltas) {
    if (!keep(d)) continue
    const name = cellName(d.dimension, d.key, d.metric, d.bucket)
    out[name] = (out[name] ?? 0) + d.delta
  }
  for (const [k, n] of Object.entries(out)) if (n === 0) delete out[k]
  return out
}

/** The cells every final lead contributes to, each +1: the fold's totals computed the other way round. */
const cellsOfLeads = (leads: ReadonlyArray<LeadSummary>): ReadonlyArray<CountDelta> => leads.flatMap((s) => cellsOf(s).map((c) => ({ ...c, delta: 1 })))

interface CountsEntry {
  readonly total: number
  readonly byState: Record<string, number>
  readonly byOfferKind: Record<string, number>
  readonly byAction: Record<string, number>
  readonly otherActions: Record<string, number>
}

const cellsOfView = (dimension: string, view: Readonly<Record<string, CountsEntry>>): Cells => {
  const out: Cells = {}
  const put = (key: string, metric: string, bucket: string, n: number) => {
    if (n !== 0) out[cellName(dimension, key, metric, bucket)] = n
  }
  for (const [key, e] of Object.entries(view)) {
    put(key, 'leads', 'total', e.total)
    for (const [b, n] of Object.entries(e.byState)) put(key, 'state', b, n)
    for (const [b, n] of Object.entries(e.byOfferKind)) put(key, 'offerKind', b, n)
    for (const [b, n] of Object.entries(e.byAction)) put(key, 'action', b, n)
    for (const [b, n] of Object.entries(e.otherActions)) put(key, 'otherAction', b, n)
  }
  return out
}

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

  // Streams are gapless from revision 0.
  const lastRevision = new Map<string, number>()
  for (const e of events) {
    const prev = lastRevision.get(e.streamId) ?? -1
    if (e.revision !== prev + 1) fail(`stream ${e.streamId}: revision ${e.revision} follows ${prev}`)
    lastRevision.set(e.streamId, e.revision)
  }

  // (c) One LeadCaptured per lead, at revision 0, and one event per (lead, action) pair however often it was sent.
  const captured = new Map<string, number>()
  const perPair = new Map<string, RecordedEvent[]>()
  let commandEvents = 0
  for (const e of events) {
    const ev = e.event
    if (ev.type === 'LeadCaptured') {
      captured.set(ev.data.leadId, (captured.get(ev.data.leadId) ?? 0) + 1)
      if (e.revision !== 0) fail(`lead ${ev.data.leadId} captured at revision ${e.revision}`)
    }
    if (ev.type === 'LeadCaptured' || ev.type === 'LeadActionRecorded') {
      const k = `${ev.data.leadId}|${ev.data.action}`
      perPair.set(k, [...(perPair.get(k) ?? []), e])
    } else if (ev.type !== 'OfferClassified') commandEvents++
  }
  for (const [id, n] of captured) if (n > 1) fail(`lead ${id} captured ${n} times`)

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
      if (last !== undefined && last.position !== c.position) fail(`acknowledged ${c.type} on ${lead.leadId}: stored at ${last.position}, acknowledged at ${c.position}`)
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
      const { status, body } = await getJson<{ lead?: { state: string; actions: ReadonlyArray<string> }; history?: ReadonlyArray<{ position: number; type: string }> }>(
        `${url}/v1/leads/${lead.leadId}?${freshLead}`,
      )
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
  const folded = projectBatch(events, { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() })
  if (folded._tag === 'Left') {
    fail(`the store does not fold: ${JSON.stringify(folded.left)}`)
    return { failures, events: events.length, leads: captured.size, writtenButUnanswered }
  }
  const fold = folded.right
  const fromDeltas = sumCells(fold.counts, () => true)
  const fromLeads = sumCells(cellsOfLeads(fold.leads), () => true)
  if (JSON.stringify(Object.entries(fromDeltas).sort()) !== JSON.stringify(Object.entries(fromLeads).sort()))
    fail('the fold disagrees with itself: summed deltas differ from cellsOf over its final leads')

  const atHead = await getJson<{ position?: number }>(`${url}/v1/views/qualification?minPosition=${head}&waitMs=10000`)
  if (atHead.status !== 200) fail(`the views never reached the store head ${head}: ${atHead.status}`)
  const fresh = atHead.status === 200 ? `minPosition=${head}&waitMs=10000` : 'waitMs=0'
  for (const includeTest of [true, false]) {
    const expected = (dims: ReadonlyArray<string>, metrics?: ReadonlyArray<string>) =>
      sumCells(fold.counts, (d) => dims.includes(d.dimension) && (includeTest || !d.test) && (metrics === undefined || metrics.includes(d.metric)))
    const compare = (what: string, actual: Cells, want: Cells) => {
      const names = [...new Set([...Object.keys(actual), ...Object.keys(want)])].sort()
      const diff = names.filter((n) => actual[n] !== want[n]).map((n) => `${n}: view ${actual[n] ?? 0}, fold ${want[n] ?? 0}`)
      if (diff.length > 0) fail(`${what} (includeTest=${includeTest}) differs from the fold of the store: ${diff.slice(0, 8).join('; ')}`)
    }
    for (const [route, dimension] of [
      ['storefronts', 'storefront'],
      ['campaigns', 'campaign'],
    ] as const) {
      const { status, body } = await getJson<{ position: number } & Record<string, unknown>>(`${url}/v1/views/${route}?${fresh}&includeTest=${includeTest}`)
      if (status !== 200 || body.position !== head) fail(`GET /v1/views/${route} answered ${status} at position ${body.position}, store head ${head}`)
      else compare(`/v1/views/${route}`, cellsOfView(dimension, body[route] as Record<string, CountsEntry>), expected([dimension]))
    }
    const q = await getJson<{ position: number; total: number; states: Record<string, number> }>(`${url}/v1/views/qualification?${fresh}&includeTest=${includeTest}`)
    if (q.status !== 200 || q.body.position !== head) fail(`GET /v1/views/qualification answered ${q.status} at position ${q.body.position}, store head ${head}`)
    else {
      const actual: Cells = {}
      if (q.body.total !== 0) actual[cellName('all', 'all', 'leads', 'total')] = q.body.total
      for (const [b, n] of Object.entries(q.body.states)) if (n !== 0) actual[cellName('all', 'all', 'state', b)] = n
      compare('/v1/views/qualification', actual, expected(['all'], ['leads', 'state']))
    }
  }

  // The counter rows as stored (every dimension and metric, the test flag kept apart), read beside the server.
  const storedCounters = diffCounters(foldCounters(events), viewCounters(join(dataDir, 'views.db')))
  if (storedCounters !== '') fail(`views.db counters differ from the fold of the store:\n${storedCounters}`)

  // The lead rows too: every lead of the fold is listed once, at the fold's revision and state.
  const listed = new Map<string, { state: string; revision: number }>()
  for (let cursor: string | null = null, pages = 0; pages < 100; pages++) {
    const page: { status: number; body: { items: ReadonlyArray<{ leadId: string; state: string; revision: number }>; next: string | null } } = await getJson(
      `${url}/v1/leads?${fresh}&includeTest=true&limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    )
    if (page.status !== 200) {
      fail(`GET /v1/leads answered ${page.status}`)
      break
    }
    for (const it of page.body.items) {
      if (listed.has(it.leadId)) fail(`GET /v1/leads lists ${it.leadId} twice`)
      listed.set(it.leadId, { state: it.state, revision: it.revision })
    }
    cursor = page.body.next
    if (cursor === null) break
  }
  if (listed.size !== fold.leads.length) fail(`GET /v1/leads lists ${listed.size} leads, the fold has ${fold.leads.length}`)
  for (const s of fold.leads) {
    const l = listed.get(s.leadId)
    if (l === undefined) fail(`lead ${s.leadId} of the fold is not listed`)
    else if (l.state !== s.state || l.revision !== s.revision) fail(`lead ${s.leadId}: listed ${l.state}@${l.revision}, fold ${s.state}@${s.revision}`)
  }

  return { failures, events: events.length, leads: captured.size, writtenButUnanswered }
}
