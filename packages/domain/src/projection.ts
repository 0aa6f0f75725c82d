// The views' pure projection: a batch of recorded events plus the rows it touches → the rows to write.
import * as E from 'fp-ts/lib/Either.js'
import { contactOf, customerOf, noteOf, type RecordedEvent } from './events.js'
import { moveCells, type Deltas } from './cells.js'
import { normaliseCountry } from './countries.js'
import {
  offerKeyOfTitle,
  type CampaignType,
  type Customer,
  type DisqualificationReason,
  type OfferKind,
  type QualificationState,
  type Storefront,
} from './model.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface HistoryEntry {
  readonly revision: number
  readonly position: number
  readonly type: string
  readonly at: string
  readonly by: string | null
  /**
   * What changed. Its only personal data is a transition's `note` (opened by the projector; null once erased):
   * history is shown to every analyst who may read the lead.
   */
  readonly detail: Readonly<Record<string, string | boolean | null>>
}

/** One lead as the views see it: its current state, its offer's kind, and its history. */
export interface LeadSummary {
  readonly leadId: string
  readonly revision: number
  readonly position: number
  readonly storefront: Storefront
  readonly campaign: CampaignType
  readonly leadSource: string
  readonly offerId: string | null
  readonly offerTitle: string | null
  /** The catalogue keys that name this lead's offer; the first is the lead's own offer key. */
  readonly offerKeys: ReadonlyArray<string>
  readonly offerKind: OfferKind
  readonly state: QualificationState
  readonly isTest: boolean
  readonly doNotContact: boolean
  readonly actions: ReadonlyArray<string>
  readonly customer: Customer
  readonly description: string | null
  readonly campaigns: ReadonlyArray<string>
  readonly capturedAt: string
  readonly updatedAt: string
  readonly history: ReadonlyArray<HistoryEntry>
  /** ISO 3166-1 alpha-2 of `customer.country`, or `unknown` (countries.ts). */
  readonly country: string
  /**
   * When the lead first reached each stage (the transition's own `at`, not when it was recorded); null: never.
   * A reopened lead keeps these: reaching a stage is history, its current state is `state`.
   */
  readonly reached: Readonly<Record<ReachedStage, string | null>>
  /** Why the lead is disqualified; null unless `state` is disqualified. */
  readonly disqualificationReason: DisqualificationReason | null
  /** When the lead's personal data was erased (PersonalDataErased); null: it was not. Its contact fields are then redacted. */
  readonly erasedAt: string | null
}

/**
 * What an erased lead's customer reads as: every contact field empty. The country stays: analysts count by it,
 * and a country alone does not identify a person.
 */
export const redactedCustomer = (c: Customer): Customer => ({ firstName: '', lastName: '', email: '', phone: '', country: c.country, company: '', title: '' })

/** The stages a lead reaches after capture (its capture time is `capturedAt`). */
export const reachedStages = ['contacted', 'nurturing', 'qualified', 'converted', 'disqualified'] as const
export type ReachedStage = (typeof reachedStages)[number]

export const notReached: LeadSummary['reached'] = { contacted: null, nurturing: null, qualified: null, converted: null, disqualified: null }

export interface OfferEntry {
  readonly offerKey: string
  readonly kind: OfferKind
  readonly revision: number
  readonly position: number
}

/** A change to one counter of an aggregate view: `dimension`/`key` pick the view row, `metric`/`bucket` the cell. */
export interface CountDelta {
  readonly dimension: 'storefront' | 'campaign' | 'all'
  readonly key: string
  readonly metric: 'leads' | 'state' | 'offerKind' | 'action' | 'otherAction'
  readonly bucket: string
  readonly test: boolean
  readonly delta: number
}

/** The rows a batch reads before projecting: summaries of its leads, catalogue entries, leads of reclassified offers. */
export interface Loaded {
  readonly leads: ReadonlyMap<string, LeadSummary>
  readonly offers: ReadonlyMap<string, OfferEntry>
  /** For each offer key classified in the batch: the ids of the stored leads with that key. */
  readonly leadsOfOffer: ReadonlyMap<string, ReadonlyArray<string>>
}

export interface Changes {
  readonly leads: ReadonlyArray<LeadSummary>
  readonly offers: ReadonlyArray<OfferEntry>
  readonly counts: ReadonlyArray<CountDelta>
  /** The last position the batch covered: the checkpoint to commit with these changes. */
  readonly position: number
}

export interface ProjectionError {
  readonly _tag: 'ProjectionError'
  readonly position: number
  readonly eventId: string
  readonly reason: string
}

// ---------------------------------------------------------------------------------------------------------
// one event
// ---------------------------------------------------------------------------------------------------------

const kindOf = (keys: ReadonlyArray<string>, offers: (key: string) => OfferEntry | undefined): OfferKind => {
  for (const k of keys) {
    const o = offers(k)
    if (o !== undefined) return o.kind
  }
  return 'unclassified'
}

/** A history entry without its transition's note (free text about the person), after an erasure. */
const redactedNote = (h: HistoryEntry): HistoryEntry => (typeof h.detail['note'] === 'string' ? { ...h, detail: { ...h.detail, note: null } } : h)

const historyEntry = (r: RecordedEvent, at: string, by: string | null, detail: HistoryEntry['detail']): HistoryEntry => ({
  revision: r.revision,
  position: r.position,
  type: r.event.type,
  at,
  by,
  detail,
})

const applyLeadEvent = (prev: LeadSummary | undefined, r: RecordedEvent, offers: (key: string) => OfferEntry | undefined): E.Either<string, LeadSummary> => {
  const ev = r.event
  if (ev.type === 'OfferClassified') return E.left('not a lead event')
  if (ev.type === 'LeadCaptured') {
    const d = ev.data
    const offerKeys = d.offer.id !== null && d.offer.title !== null ? [d.offer.key, offerKeyOfTitle(d.offer.title)] : [d.offer.key]
    return E.right({
      leadId: d.leadId,
      revision: r.revision,
      position: r.position,
      storefront: d.storefront,
      campaign: d.campaign,
      leadSource: d.leadSource,
      offerId: d.offer.id,
      offerTitle: d.offer.title,
      offerKeys,
      offerKind: kindOf(offerKeys, offers),
      state: 'captured',
      isTest: d.isTest,
      doNotContact: d.doNotContact,
      actions: [d.action],
      // Sealed (never opened) or erased personal data shows as empty contact fields: a rebuild without the key
      // gives the same redacted view every time.
      customer: customerOf(d.personal, d.country),
      description: contactOf(d.personal).description,
      campaigns: d.campaigns,
      capturedAt: d.occurredAt,
      updatedAt: d.occurredAt,
      history: [historyEntry(r, d.occurredAt, null, { action: d.action, leadSource: d.leadSource, format: d.format, isTest: d.isTest })],
      country: normaliseCountry(d.country),
      reached: notReached,
      disqualificationReason: null,
      erasedAt: null,
    })
  }
  if (prev === undefined) return E.left(`${ev.type} for lead ${ev.data.leadId}, which has no LeadCaptured before it`)
  const base = { ...prev, revision: r.revision, position: r.position }
  /** A qualification transition: the lead moves to `state`, and its history says who, when and `detail`. */
  const moved = (state: QualificationState, t: { readonly at: string; readonly by: string }, detail: HistoryEntry['detail']): E.Either<string, LeadSummary> =>
    E.right({
      ...base,
      state,
      updatedAt: t.at,
      history: [...prev.history, historyEntry(r, t.at, t.by, detail)],
      reached: state === 'captured' || prev.reached[state] !== null ? prev.reached : { ...prev.reached, [state]: t.at },
      disqualificationReason: ev.type === 'LeadDisqualified' ? ev.data.reason : null,
    })
  switch (ev.type) {
    case 'LeadActionRecorded': {
      const d = ev.data
      return E.right({
        ...base,
        actions: prev.actions.includes(d.action) ? prev.actions : [...prev.actions, d.action],
        doNotContact: prev.doNotContact || d.doNotContact,
        campaigns: [...new Set([...prev.campaigns, ...d.campaigns])],
        updatedAt: d.occurredAt,
        history: [...prev.history, historyEntry(r, d.occurredAt, null, { action: d.action, leadSource: d.leadSource })],
      })
    }
    case 'LeadReopened':
      return moved(ev.data.to, ev.data, { to: ev.data.to, note: noteOf(ev.data.personal) })
    case 'LeadDisqualified':
      return moved('disqualified', ev.data, { reason: ev.data.reason, note: noteOf(ev.data.personal) })
    case 'LeadContacted':
      return moved('contacted', ev.data, { note: noteOf(ev.data.personal), channel: ev.data.channel })
    case 'LeadNurturingStarted':
      return moved('nurturing', ev.data, { note: noteOf(ev.data.personal) })
    case 'LeadQualified':
      return moved('qualified', ev.data, { note: noteOf(ev.data.personal) })
    case 'LeadConverted':
      return moved('converted', ev.data, { note: noteOf(ev.data.personal) })
    case 'PersonalDataErased':
      // Counts, state, times and the analytics facts stay; only the contact fields and free text go. The note is
      // left out of the history: it is free text an operator typed about a person.
      return E.right({
        ...base,
        customer: redactedCustomer(prev.customer),
        description: null,
        erasedAt: prev.erasedAt ?? ev.data.at,
        // The transitions' notes were sealed with the shredded key: a rebuild reads them as null, so do the live views.
        history: [...prev.history.map(redactedNote), historyEntry(r, ev.data.at, ev.data.by, { reason: ev.data.reason })],
      })
    default: {
      const never: never = ev
      return never
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// a batch
// ---------------------------------------------------------------------------------------------------------

/**
 * Projects a batch of events in log order. Idempotent per lead revision and per offer revision: an event
 * at or below the revision a row already reflects is skipped, so an at-least-once log never double-counts.
 */
export const projectBatch = (events: ReadonlyArray<RecordedEvent>, loaded: Loaded): E.Either<ProjectionError, Changes> => {
  const leads = new Map<string, LeadSummary>()
  const offers = new Map<string, OfferEntry>()
  const counts: Deltas = new Map()
  const leadOf = (id: string) => leads.get(id) ?? loaded.leads.get(id)
  const offerOf = (key: string) => offers.get(key) ?? loaded.offers.get(key)
  let position = 0

  for (const r of events) {
    position = Math.max(position, r.position)
    const ev = r.event
    if (ev.type === 'OfferClassified') {
      const prev = offerOf(ev.data.offerKey)
      if (prev !== undefined && prev.revision >= r.revision) continue
      offers.set(ev.data.offerKey, { offerKey: ev.data.offerKey, kind: ev.data.kind, revision: r.revision, position: r.position })
      // Every lead with this offer key moves to the new kind: stored ones and ones captured earlier in the batch.
      const affected = new Set(loaded.leadsOfOffer.get(ev.data.offerKey) ?? [])
      for (const s of leads.values()) if (s.offerKeys.includes(ev.data.offerKey)) affected.add(s.leadId)
      for (const id of affected) {
        const s = leadOf(id)
        if (s === undefined) continue
        const kind = kindOf(s.offerKeys, offerOf)
        if (kind === s.offerKind) continue
        const next = { ...s, offerKind: kind }
        moveCells(counts, s, next)
        leads.set(id, next)
      }
      continue
    }
    const prev = leadOf(ev.data.leadId)
    if (prev !== undefined && prev.revision >= r.revision) continue
    const applied = applyLeadEvent(prev, r, offerOf)
    if (E.isLeft(applied)) return E.left({ _tag: 'ProjectionError', position: r.position, eventId: r.eventId, reason: applied.left })
    moveCells(counts, prev, applied.right)
    leads.set(ev.data.leadId, applied.right)
  }
  return E.right({
    leads: [...leads.values()],
    offers: [...offers.values()],
    counts: [...counts.values()].filter((c) => c.delta !== 0).map((c) => ({ ...c.cell, delta: c.delta })),
    position,
  })
}

/** What a batch must load before it is projected: its leads, and the catalogue keys it reads or changes. */
export const needsOf = (
  events: ReadonlyArray<RecordedEvent>,
): { leadIds: ReadonlyArray<string>; offerKeys: ReadonlyArray<string>; classified: ReadonlyArray<string> } => {
  const leadIds = new Set<string>()
  const offerKeys = new Set<string>()
  const classified = new Set<string>()
  for (const r of events) {
    const ev = r.event
    if (ev.type === 'OfferClassified') {
      offerKeys.add(ev.data.offerKey)
      classified.add(ev.data.offerKey)
    } else {
      leadIds.add(ev.data.leadId)
      if (ev.type === 'LeadCaptured') {
        offerKeys.add(ev.data.offer.key)
        if (ev.data.offer.id !== null && ev.data.offer.title !== null) offerKeys.add(offerKeyOfTitle(ev.data.offer.title))
      }
    }
  }
  return { leadIds: [...leadIds], offerKeys: [...offerKeys], classified: [...classified] }
}
