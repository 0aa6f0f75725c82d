// A lead history to append straight to the event store: new leads, then work on them (qualification moves,
// follow-up actions, reopenings), and now and then an offer classified. Every request is valid for the
// stream it targets, with the exact expected revision, so appendMany accepts all of them.
import {
  event,
  streamOfLead,
  streamOfOffer,
  type DisqualificationReason,
  type LeadEvent,
  type NewEvent,
  type OfferClassified,
  type QualificationState,
  qualificationStates,
  actionTextOf,
  noteTextOf,
} from '@leadstream/domain'
import type { AppendRequest } from '@leadstream/event-store'
import { actionCodesOf, capturedOf, catalogue, kindsOf, newLeadSpec, type CatalogueOffer } from './leads.js'
import { rng } from './random.js'

export interface HistoryOptions {
  readonly seed: number
  /** Share of events that capture a new lead; the rest act on leads already captured. */
  readonly captureShare: number
  /** How many OfferClassified events to spread evenly over `total` events. */
  readonly classifications: number
  readonly total: number
}

/**
 * What the generator remembers of each lead, in typed arrays (17 bytes a lead, so a store of 10M events fits
 * the benchmark's heap): its id is derived from its index, its texts are interned.
 */
interface Leads {
  readonly offer: Uint16Array
  /** Index into the interned lead sources. */
  readonly source: Uint32Array
  /** Index into the interned descriptions; 0 is none. */
  readonly description: Uint32Array
  readonly revision: Uint32Array
  /** Index into qualificationStates. */
  readonly state: Uint8Array
  /** The state before the last conversion or disqualification; 255: none. */
  readonly beforeFinal: Uint8Array
  /** Action codes recorded, one bit per index into the storefront's action codes. */
  readonly actions: Uint8Array
}

const NONE = 255

/** Strings seen once each, numbered in order of first sight. */
const interned = <A>(first: A) => {
  const all: A[] = [first]
  const index = new Map<A, number>([[first, 0]])
  return {
    of: (x: A): number => {
      const known = index.get(x)
      if (known !== undefined) return known
      all.push(x)
      index.set(x, all.length - 1)
      return all.length - 1
    },
    at: (i: number): A => all[i] ?? first,
  }
}

export interface History {
  /** The next requests, at most `n`, one event each; empty when `total` events have been produced. */
  next(n: number): ReadonlyArray<AppendRequest>
  readonly produced: () => number
  /** Leads captured so far. */
  readonly leads: () => number
  /** The id of the `i`-th lead captured (0-based). */
  readonly leadId: (i: number) => string
  /** Events produced by type. */
  readonly byType: Readonly<Record<string, number>>
}

const staff = ['ana@publisher.example', 'ben@publisher.example', 'chloe@publisher.example', 'dev@publisher.example']
const reasons: ReadonlyArray<DisqualificationReason> = ['lost', 'cannot-contact', 'not-interested', 'canceled', 'duplicate']
const T0 = Date.parse('2025-01-01T00:00:00Z')

export const leadHistory = (options: HistoryOptions): History => {
  const r = rng(options.seed)
  const offers = catalogue(rng(options.seed ^ 0x5eed))
  // At most one lead per event; sized once, so the generator's memory is known before the first event.
  const capacity = Math.max(100, options.total)
  const tracked: Leads = {
    offer: new Uint16Array(capacity),
    source: new Uint32Array(capacity),
    description: new Uint32Array(capacity),
    revision: new Uint32Array(capacity),
    state: new Uint8Array(capacity),
    beforeFinal: new Uint8Array(capacity),
    actions: new Uint8Array(capacity),
  }
  const sources = interned('')
  const descriptions = interned<string | null>(null)
  const idSeed = (options.seed ^ 0x1d5) >>> 0
  /** A lead's id from its index: the same hashed-looking id every time, none of them kept. */
  const leadId = (i: number): string => `mk-${rng((idSeed + Math.imul(i, 0x9e3779b1)) >>> 0).hex(32)}`
  let leads = 0
  const offerRevision = new Map<string, number>()
  const byType: Record<string, number> = {}
  const classifyEvery = options.classifications > 0 ? Math.floor(options.total / (options.classifications + 1)) : 0
  let produced = 0

  const at = (): string => new Date(T0 + produced * 30_000 + r.int(30_000)).toISOString()
  const count = (type: string) => (byType[type] = (byType[type] ?? 0) + 1)
  const newEvent = (ev: LeadEvent | OfferClassified, metadata: NewEvent['metadata'] = {}): NewEvent => {
    const eventId = r.uuid()
    return { eventId, event: ev, metadata: Object.keys(metadata).length === 0 ? { causationId: eventId } : metadata }
  }
  const storefrontOf = (i: number) => offers[tracked.offer[i] ?? 0]?.storefront ?? 'AppSource'

  const capture = (): AppendRequest => {
    const i = leads
    const spec = newLeadSpec(r, offers, i)
    const id = leadId(i)
    tracked.offer[i] = offers.indexOf(spec.offer)
    tracked.source[i] = sources.of(spec.leadSource)
    tracked.description[i] = descriptions.of(spec.description)
    tracked.revision[i] = 0
    tracked.state[i] = qualificationStates.indexOf('captured')
    tracked.beforeFinal[i] = NONE
    tracked.actions[i] = 1 << actionCodesOf(spec.storefront).indexOf(spec.action)
    leads += 1
    count('LeadCaptured')
    return { streamId: streamOfLead(id), expectedRevision: 'no-stream', events: [newEvent(capturedOf(spec, id, at()))] }
  }

  /** Recent leads are worked more than old ones: half the picks come from the last 20,000 captured. */
  const pickLead = (): number => {
    const recent = r.chance(0.5)
    return recent ? Math.max(0, leads - 1 - r.int(Math.min(20_000, leads))) : r.int(leads)
  }

  const move = (i: number): LeadEvent => {
    const id = leadId(i)
    const base = { leadId: id, by: r.pick(staff), at: at(), personal: noteTextOf(r.chance(0.2) ? 'called back' : null) }
    const codes = actionCodesOf(storefrontOf(i))
    const has = (action: string) => ((tracked.actions[i] ?? 0) & (1 << codes.indexOf(action))) !== 0
    const state = qualificationStates[tracked.state[i] ?? 0] ?? 'captured'
    /** Moves the tracked lead to `s` and returns the event that says so. */
    const to = (s: QualificationState, ev: LeadEvent): LeadEvent => {
      if (s === 'converted' || s === 'disqualified') tracked.beforeFinal[i] = tracked.state[i] ?? 0
      tracked.state[i] = qualificationStates.indexOf(s)
      return ev
    }
    const disqualify = () => to('disqualified', event('LeadDisqualified', { ...base, reason: r.pick(reasons) }))
    const newAction = codes.find((a) => !has(a) && a !== 'DNC')
    const recordAction = (action: string): LeadEvent => {
      tracked.actions[i] = (tracked.actions[i] ?? 0) | (1 << codes.indexOf(action))
      return event('LeadActionRecorded', {
        leadId: id,
        leadSource: sources.at(tracked.source[i] ?? 0),
        action,
        personal: actionTextOf(descriptions.at(tracked.description[i] ?? 0)),
        campaigns: [],
        doNotContact: false,
        occurredAt: base.at,
      })
    }
    const dnc = has('DNC')
    const x = r.next()
    if (newAction !== undefined && x < 0.2) return recordAction(newAction)
    switch (state) {
      case 'captured':
        return x < 0.75 && !dnc ? to('contacted', event('LeadContacted', { ...base, channel: null })) : disqualify()
      case 'contacted':
        if (x < 0.5) return to('nurturing', event('LeadNurturingStarted', base))
        return x < 0.8 ? to('qualified', event('LeadQualified', base)) : disqualify()
      case 'nurturing':
        return x < 0.6 ? to('qualified', event('LeadQualified', base)) : disqualify()
      case 'qualified':
        return x < 0.7 ? to('converted', event('LeadConverted', base)) : disqualify()
      case 'converted':
      case 'disqualified': {
        const before = tracked.beforeFinal[i] ?? NONE
        const back = before === NONE ? 'captured' : (qualificationStates[before] ?? 'captured')
        tracked.state[i] = qualificationStates.indexOf(back)
        tracked.beforeFinal[i] = NONE
        return event('LeadReopened', { ...base, to: back })
      }
    }
  }

  const act = (): AppendRequest => {
    const i = pickLead()
    const revision = tracked.revision[i] ?? 0
    const ev = move(i)
    const request: AppendRequest = {
      streamId: streamOfLead(leadId(i)),
      expectedRevision: revision,
      events: [newEvent(ev, 'by' in ev.data ? { by: ev.data.by } : {})],
    }
    tracked.revision[i] = revision + 1
    count(ev.type)
    return request
  }

  const classify = (): AppendRequest => {
    const o: CatalogueOffer = r.pick(offers)
    // Mostly by title (every lead of the offer carries it); sometimes by id (only leads whose source named it).
    const key = r.chance(0.8) ? (o.keys[1] ?? '') : (o.keys[0] ?? '')
    const revision = offerRevision.get(key) ?? -1
    offerRevision.set(key, revision + 1)
    count('OfferClassified')
    const by = r.pick(staff)
    const ev = event('OfferClassified', {
      offerKey: key,
      offerId: key.startsWith('id:') ? o.id : null,
      offerTitle: o.title,
      kind: r.pick(kindsOf[o.storefront]),
      by,
      at: at(),
    })
    return { streamId: streamOfOffer(key), expectedRevision: revision < 0 ? 'no-stream' : revision, events: [newEvent(ev, { by })] }
  }

  return {
    next: (n) => {
      const out: AppendRequest[] = []
      while (out.length < n && produced < options.total) {
        produced += 1
        if (classifyEvery > 0 && produced % classifyEvery === 0 && produced / classifyEvery <= options.classifications) out.push(classify())
        else if (leads < 100 || r.chance(options.captureShare)) out.push(capture())
        else out.push(act())
      }
      return out
    },
    produced: () => produced,
    leads: () => leads,
    leadId,
    byType,
  }
}
