// Filters by bitmap select what the domain's `matchesFilter` selects, while leads are appended and rewritten
// (codes and test flags changing) between reads: bitmaps built early must follow every later write.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  campaignTypes,
  matchesFilter,
  offerKinds,
  qualificationStates,
  storefronts,
  type LeadFacts,
  type LeadFilter,
  type LeadSummary,
} from '@leadstream/domain'
import { emptyColumns, put, reserve, select } from './factsColumns.js'
import { seededRandom as rng } from '@leadstream/domain'

type Gen = () => number
const pick = <A>(r: Gen, xs: ReadonlyArray<A>): A => xs[Math.floor(r() * xs.length)]!
const countries = ['DE', 'US', 'IN', 'FR', 'unknown']
const t0 = Date.parse('2026-03-01T00:00:00Z')

const randomFacts = (r: Gen): LeadFacts => ({
  storefront: pick(r, storefronts),
  campaign: pick(r, campaignTypes),
  offer: 'o',
  offerTitle: null,
  offerKeys: ['id:o'],
  offerKind: pick(r, offerKinds),
  country: pick(r, countries),
  state: pick(r, qualificationStates),
  actions: ['INS'],
  isTest: r() < 0.2,
  capturedMs: t0 + Math.floor(r() * 1000) * 3_600_000,
  reachedMs: { contacted: null, nurturing: null, qualified: null, converted: null, disqualified: null },
  reason: null,
})

const randomFilter = (r: Gen): LeadFilter => {
  const f: { -readonly [K in keyof LeadFilter]: LeadFilter[K] } = {}
  if (r() < 0.4) f.state = pick(r, qualificationStates)
  if (r() < 0.3) f.storefront = pick(r, storefronts)
  if (r() < 0.2) f.campaign = pick(r, campaignTypes)
  if (r() < 0.3) f.offerKind = pick(r, offerKinds)
  if (r() < 0.4) f.country = pick(r, [...countries, 'JP'])
  if (r() < 0.2) f.from = new Date(t0 + 300 * 3_600_000).toISOString()
  if (r() < 0.3) f.includeTest = true
  return f
}

const summaryOf = (f: LeadFacts) => ({ ...f, capturedAt: new Date(f.capturedMs).toISOString() }) as unknown as LeadSummary

const test = suite('bitmaps')

test('select :: equals matchesFilter while leads are appended and rewritten between reads', () => {
  for (let round = 0; round < 8; round++) {
    const r = rng(100 + round)
    const c = emptyColumns(8)
    const current: LeadFacts[] = []
    for (let step = 0; step < 1500; step++) {
      const op = r()
      if (op < 0.5 || current.length === 0) {
        const f = randomFacts(r)
        reserve(c, c.n + 1)
        put(c, c.n, f)
        c.n++
        current.push(f)
      } else if (op < 0.85) {
        const i = Math.floor(r() * current.length)
        const f = randomFacts(r)
        put(c, i, f)
        current[i] = f
      } else {
        const filter = randomFilter(r)
        const want = current.flatMap((f, i) => (matchesFilter(summaryOf(f), filter) ? [i] : []))
        assert.equal([...select(c, filter)], want, JSON.stringify({ round, step, filter }))
      }
    }
  }
})

test.run()
