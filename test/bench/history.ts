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
  actionTextOf,
  noteTextOf,
} from '@leadstream/domain'
import type { AppendRequest } from '@leadstream/event-store'
import { actionCodesOf, capturedOf, catalogue, kindsOf, newLeadSpec, type CatalogueOffer, type LeadSpec } from './leads.js'
import { rng } from './random.js'

export interface HistoryOptions {
  readonly seed: number
  /** Share of events that capture a new lead; the rest act on leads already captured. */
  readonly captureShare: number
  /** How many OfferClassified events to spread evenly over `total` events. */
  readonly classifications: number
  readonly total: number
}

interface Tracked {
  readonly id: string
  readonly spec: LeadSpec
  revision: number
  state: QualificationState
  beforeFinal: QualificationState | null
  actions: string[]
}

export interface History {
  /** The next requests, at most `n`, one event each; empty when `total` events have been produced. */
  next(n: number): ReadonlyArray<AppendRequest>
  readonly produced: () => number
  /** Ids of every lead captured so far. */
  readonly leadIds: ReadonlyArray<string>
  /** Events produced by type. */
  readonly byType: Readonly<Record<string, number>>
}

const staff = ['ana@publisher.example', 'ben@publisher.example', 'chloe@publisher.example', 'dev@publisher.example']
const reasons: ReadonlyArray<DisqualificationReason> = ['lost', 'cannot-contact', 'not-interested', 'canceled', 'duplicate']
const T0 = Date.parse('2025-01-01T00:00:00Z')

export const leadHistory = (options: HistoryOptions): History => {
  const r = rng(options.seed)
  const offers = catalogue(rng(options.seed ^ 0x5eed))
  const leads: Tracked[] = []
  const leadIds: string[] = []
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

  const capture = (): AppendRequest => {
    const spec = newLeadSpec(r, offers, leads.length)
    const id = `mk-${r.hex(32)}`
    leads.push({ id, spec, revision: 0, state: 'captured', beforeFinal: null, actions: [spec.action] })
    leadIds.push(id)
    count('LeadCaptured')
    return { streamId: streamOfLead(id), expectedRevision: 'no-stream', events: [newEvent(capturedOf(spec, id, at()))] }
  }

  /** Recent leads are worked more than old ones: half the picks come from the last 20,000 captured. */
  const pickLead = (): Tracked => {
    const recent = r.chance(0.5)
    const i = recent ? Math.max(0, leads.length - 1 - r.int(Math.min(20_000, leads.length))) : r.int(leads.length)
    const l = leads[i]
    if (l === undefined) throw new Error('no lead to act on')
    return l
  }

  const move = (l: Tracked): LeadEvent => {
    const base = { leadId: l.id, by: r.pick(staff), at: at(), personal: noteTextOf(r.chance(0.2) ? 'called back' : null) }
    /** Moves the tracked lead to `s` and returns the event that says so. */
    const to = (s: QualificationState, ev: LeadEvent): LeadEvent => {
      if (s === 'converted' || s === 'disqualified') l.beforeFinal = l.state
      l.state = s
      return ev
    }
    const disqualify = () => to('disqualified', event('LeadDisqualified', { ...base, reason: r.pick(reasons) }))
    const newAction = actionCodesOf(l.spec.storefront).find((a) => !l.actions.includes(a) && a !== 'DNC')
    const recordAction = (action: string): LeadEvent => {
      l.actions.push(action)
      return event('LeadActionRecorded', {
        leadId: l.id,
        leadSource: l.spec.leadSource,
        action,
        personal: actionTextOf(l.spec.description),
        campaigns: [],
        doNotContact: false,
        occurredAt: base.at,
      })
    }
    const dnc = l.actions.includes('DNC')
    const x = r.next()
    if (newAction !== undefined && x < 0.2) return recordAction(newAction)
    switch (l.state) {
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
        const back = l.beforeFinal ?? 'captured'
        l.state = back
        l.beforeFinal = null
        return event('LeadReopened', { ...base, to: back })
      }
    }
  }

  const act = (): AppendRequest => {
    const l = pickLead()
    const ev = move(l)
    const request: AppendRequest = {
      streamId: streamOfLead(l.id),
      expectedRevision: l.revision,
      events: [newEvent(ev, 'by' in ev.data ? { by: ev.data.by } : {})],
    }
    l.revision += 1
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
        else if (leads.length < 100 || r.chance(options.captureShare)) out.push(capture())
        else out.push(act())
      }
      return out
    },
    produced: () => produced,
    leadIds,
    byType,
  }
}
