// Synthetic lead rows for the analytics benchmark: a year of leads with countries, offers, actions and funnel
// histories spread like a marketplace publisher's, written through a view store's own applyBatch.
import * as E from 'fp-ts/lib/Either.js'
import {
  moveCells,
  offerKeyOfId,
  offerKeyOfTitle,
  offerKinds,
  storefronts,
  campaignOf,
  type Deltas,
  type DomainEvent,
  type LeadSummary,
  type ReachedStage,
} from '@leadstream/domain'
import type { ViewStore } from '@leadstream/view-store'
import { rng } from './random.js'

export const yearFrom = Date.parse('2025-12-01T00:00:00Z')
export const yearTo = Date.parse('2026-12-01T00:00:00Z')

const countryPool = [
  'US',
  'US',
  'US',
  'GB',
  'DE',
  'DE',
  'IN',
  'IN',
  'FR',
  'CA',
  'AU',
  'JP',
  'BR',
  'NL',
  'SE',
  'ES',
  'IT',
  'SG',
  'MX',
  'ZA',
  'CH',
  'PL',
  'unknown',
]
const actionPool = ['INS', 'INS', 'PLT', 'PLT', 'Create', 'StartTestDrive', 'DNC', 'ViewedPricing']
const reasons = ['lost', 'cannot-contact', 'not-interested', 'canceled', 'duplicate'] as const
const hour = 3_600_000

/** Lead `i` of the generated set (deterministic in the seed; the profile driver builds facts from it without a store). */
export const generatedLead = (r: ReturnType<typeof rng>, i: number): LeadSummary => {
  const storefront = r.pick(storefronts)
  const k = Math.floor(r.next() ** 2 * 300)
  const hasId = k % 3 !== 0
  const offerId = hasId ? `publisher${k % 40}.offer-${k}` : null
  const offerTitle = k % 5 === 1 ? null : `Offer ${k}`
  const offerKeys =
    offerId !== null
      ? offerTitle !== null
        ? [offerKeyOfId(offerId), offerKeyOfTitle(offerTitle)]
        : [offerKeyOfId(offerId)]
      : [offerKeyOfTitle(offerTitle ?? '')]
  const captured = yearFrom + Math.floor(r.next() * (yearTo - yearFrom))
  const reached: Record<ReachedStage, string | null> = { contacted: null, nurturing: null, qualified: null, converted: null, disqualified: null }
  let t = captured
  let state = 'captured' as LeadSummary['state']
  const step = (s: ReachedStage, meanHours: number) => {
    t += Math.floor(-Math.log(1 - r.next()) * meanHours * hour)
    reached[s] = new Date(t).toISOString()
    state = s
  }
  if (r.chance(0.6)) {
    step('contacted', 30)
    if (r.chance(0.25)) step('nurturing', 72)
    if (r.chance(0.4)) {
      step('qualified', 120)
      if (r.chance(0.45)) step('converted', 240)
    }
  }
  let reason: LeadSummary['disqualificationReason'] = null
  if (state !== 'converted' && r.chance(0.3)) {
    step('disqualified', 48)
    reason = r.pick(reasons)
  }
  const actions = r.chance(0.15) ? [r.pick(actionPool), 'StartTestDrive'] : [r.pick(actionPool)]
  const at = new Date(captured).toISOString()
  const country = r.pick(countryPool)
  return {
    leadId: `b${i.toString(36)}-${r.hex(8)}`,
    revision: 0,
    position: i + 1,
    storefront,
    campaign: campaignOf(storefront),
    leadSource: storefront,
    offerId,
    offerTitle,
    offerKeys,
    offerKind: r.pick(offerKinds),
    state,
    isTest: r.chance(0.005),
    doNotContact: actions.includes('DNC'),
    actions: [...new Set(actions)],
    customer: {
      firstName: `First${i}`,
      lastName: `Last${i}`,
      email: `buyer${i}@example.com`,
      phone: '',
      country: country === 'unknown' ? 'Narnia' : country,
      company: `Company ${i % 5000}`,
      title: '',
    },
    description: null,
    campaigns: [],
    capturedAt: at,
    updatedAt: at,
    history: [
      {
        revision: 0,
        position: i + 1,
        type: 'LeadCaptured',
        at,
        by: null,
        detail: { action: actions[0]!, leadSource: storefront, format: 'native', isTest: false },
      },
    ],
    country,
    reached,
    disqualificationReason: reason,
    erasedAt: null,
  }
}

/** A placeholder log entry per batch: the batch's rows come from the generator, not from projecting it. */
const marker = (n: number): DomainEvent => ({
  type: 'OfferClassified',
  version: 1,
  data: { offerKey: `bench-${n}`, offerId: null, offerTitle: null, kind: 'saas', by: 'bench', at: new Date(0).toISOString() },
})

/**
 * Writes `total` generated leads into `store` through its own applyBatch (rows, counters and checkpoint in one
 * transaction per `batch`, as the projector writes them), so both stores hold the same rows and indexes.
 */
export const fillLeads = async (store: ViewStore, total: number, batch: number, seed: number, onProgress?: (n: number) => void): Promise<void> => {
  const r = rng(seed)
  for (let start = 0, n = 0; start < total; start += batch, n++) {
    const leads = Array.from({ length: Math.min(batch, total - start) }, (_, j) => generatedLead(r, start + j))
    const deltas: Deltas = new Map()
    for (const s of leads) moveCells(deltas, undefined, s)
    const counts = [...deltas.values()].map((c) => ({ ...c.cell, delta: c.delta }))
    const done = await store.applyBatch(
      'leads',
      0,
      [
        {
          offset: n,
          event: {
            eventId: `m${n}`,
            streamId: 'bench',
            revision: n,
            position: start + leads.length,
            event: marker(n),
            metadata: {},
            recordedAt: new Date(0).toISOString(),
          },
        },
      ],
      {
        needs: () => ({ leadIds: [], offerKeys: [], classified: [] }),
        project: () => E.right({ leads, offers: [], counts, position: start + leads.length }),
      },
    )
    if (E.isLeft(done)) throw new Error(done.left.reason)
    onProgress?.(start + leads.length)
  }
}
