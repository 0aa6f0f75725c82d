// Property: for random leads and random filters, the fact columns answer exactly what the domain's reference
// analytics answer (matchesFilter, then seriesOf, funnelFigures, groupFacts, cohortsOf, topOf), in every zone.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  bucketStarts,
  campaignTypes,
  cohortsOf,
  funnelFigures,
  groupFacts,
  knownActions,
  matchesFilter,
  offerKinds,
  qualificationStates,
  seriesOf,
  storefronts,
  topOf,
  type BucketInterval,
  type LeadFacts,
  type LeadFilter,
  type LeadSummary,
  type SeriesDimension,
  type TopDimension,
} from '@leadstream/domain'
import { actionTokens } from '@leadstream/view-store'
import { cohortsOfColumns, figuresOfColumns, groupsOfColumns, seriesOfColumns, topOfColumns } from './fastAnalytics.js'
import { groupCountsOfColumns } from './groupCounts.js'
import { columnsOf, select } from './factsColumns.js'
import { seededRandom as rng } from '@leadstream/domain'

const day = 86_400_000
const t0 = Date.parse('2026-03-20T00:00:00Z')
const offers: ReadonlyArray<readonly [string | null, string | null]> = [
  ['contoso.crm', 'Contoso CRM'],
  [null, 'Fabrikam VM'],
  ['tailspin', null],
  [null, null],
  ['same', 'same'],
  ['x.y', 'Fabrikam VM'],
]
const countries = ['DE', 'US', 'IN', 'unknown']
const actions = [...knownActions, 'Weird', 'Other2']
const reasons = ['cannot-contact', 'no-budget', 'spam']

type Gen = () => number
const pick = <A>(r: Gen, xs: ReadonlyArray<A>): A => xs[Math.floor(r() * xs.length)]!
const maybe = <A>(r: Gen, p: number, a: () => A): A | null => (r() < p ? a() : null)

const randomFacts = (r: Gen, n: number): LeadFacts[] =>
  Array.from({ length: n }, () => {
    const [id, title] = pick(r, offers)
    const capturedMs = t0 + Math.floor((r() * 70 * day) / 60_000) * 60_000 + pick(r, [0, 7, 999])
    // Some transitions are dated before their capture: time to stage is clamped at 0.
    const later = () => capturedMs + Math.floor((r() - 0.1) * 9 * day)
    const state = pick(r, qualificationStates)
    return {
      storefront: pick(r, storefronts),
      campaign: pick(r, campaignTypes),
      offer: id ?? title ?? '(none)',
      offerTitle: title,
      offerKeys:
        id !== null && title !== null ? [`id:${id}`, `title:${title.toLowerCase()}`] : [id !== null ? `id:${id}` : `title:${(title ?? '').toLowerCase()}`],
      offerKind: pick(r, offerKinds),
      country: pick(r, countries),
      state,
      actions: [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(r, actions)))],
      isTest: r() < 0.15,
      capturedMs,
      reachedMs: {
        contacted: maybe(r, 0.6, later),
        nurturing: maybe(r, 0.2, later),
        qualified: maybe(r, 0.3, later),
        converted: maybe(r, 0.15, later),
        disqualified: maybe(r, 0.2, later),
      },
      reason: state === 'disqualified' ? maybe(r, 0.8, () => pick(r, reasons)) : null,
    }
  })

/** What matchesFilter reads of a summary (the rest of a summary plays no part in a filter). */
const summaryOf = (f: LeadFacts) => ({ ...f, capturedAt: new Date(f.capturedMs).toISOString() }) as unknown as LeadSummary

const randomFilter = (r: Gen): LeadFilter => {
  const f: { -readonly [K in keyof LeadFilter]: LeadFilter[K] } = {}
  if (r() < 0.2) f.state = pick(r, qualificationStates)
  if (r() < 0.2) f.storefront = pick(r, storefronts)
  if (r() < 0.2) f.campaign = pick(r, campaignTypes)
  if (r() < 0.2) f.offerKind = pick(r, offerKinds)
  if (r() < 0.3) f.country = pick(r, [...countries, 'FR'])
  if (r() < 0.3) f.offer = pick(r, ['contoso.crm', 'Contoso CRM', ' fabrikam  vm', 'same', 'tailspin', 'nothing'])
  if (r() < 0.3) f.action = pick(r, [...actions, 'other', 'none'])
  if (r() < 0.3) f.from = new Date(t0 + Math.floor(r() * 30) * day + 3_600_000).toISOString()
  if (r() < 0.3) f.to = new Date(t0 + (31 + Math.floor(r() * 40)) * day).toISOString()
  if (r() < 0.3) f.includeTest = true
  return f
}

const zones = ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/St_Johns', 'Asia/Kathmandu']
const seriesBy: ReadonlyArray<SeriesDimension | null> = [null, 'storefront', 'campaign', 'offer', 'offerKind', 'country', 'action', 'state']
const intervals: ReadonlyArray<BucketInterval> = ['hour', 'day', 'week', 'month']
const topBy: ReadonlyArray<TopDimension> = ['offer', 'country', 'offerKind', 'storefront', 'campaign']

const cases = Array.from({ length: 40 }, (_, k) => k)
const test = suite('fact columns')

test('series :: equal the reference for random leads, filters, zones and intervals', () => {
  for (const k of cases) {
    const r = rng(1000 + k)
    const facts = randomFacts(r, 300 + Math.floor(r() * 400))
    const c = columnsOf(facts)
    const interval = pick(r, intervals)
    const from = t0 + Math.floor(r() * 20) * day + pick(r, [0, 1_800_000])
    const to = from + (interval === 'hour' ? 3 : 60) * day
    const base = randomFilter(r)
    const filter = { ...base, from: new Date(from).toISOString(), to: new Date(to).toISOString() }
    const req = { interval, tz: pick(r, zones), by: pick(r, seriesBy), from, to }
    const starts = bucketStarts(interval, req.tz, from, to)
    const expected = seriesOf(
      facts.filter((f) => matchesFilter(summaryOf(f), filter)),
      req,
      starts,
    )
    assert.equal(seriesOfColumns(c, select(c, filter), req, starts), expected, JSON.stringify({ k, filter, req }))
  }
})

test('funnel :: figures, groups and cohorts equal the reference for random leads and filters', () => {
  for (const k of cases) {
    const r = rng(2000 + k)
    const facts = randomFacts(r, 200 + Math.floor(r() * 500))
    const c = columnsOf(facts)
    const filter = randomFilter(r)
    const picked = facts.filter((f) => matchesFilter(summaryOf(f), filter))
    const sel = select(c, filter)
    assert.is(sel.length, picked.length, JSON.stringify({ k, filter }))
    assert.equal(figuresOfColumns(c, sel), funnelFigures(picked), JSON.stringify({ k, filter }))
    const by = pick(r, topBy)
    assert.equal(
      groupsOfColumns(c, sel, by).map(([key, g]) => [key, figuresOfColumns(c, g)]),
      groupFacts(picked, by).map(([key, g]) => [key, funnelFigures(g)]),
    )
    const tz = pick(r, zones)
    for (const cohort of ['week', 'month'] as const) assert.equal(cohortsOfColumns(c, sel, cohort, tz), cohortsOf(picked, cohort, tz))
  }
})

test('cohorts :: a capture decades before the rest (too many weeks to count from the whole span) changes nothing', () => {
  const r = rng(5000)
  const old = { ...randomFacts(r, 1)[0]!, capturedMs: Date.parse('1990-06-01T00:00:00Z'), isTest: false }
  const facts = [...randomFacts(r, 400), old]
  const c = columnsOf(facts)
  for (const filter of [{}, { from: '2000-01-01T00:00:00.000Z' }, { country: 'DE' }] satisfies LeadFilter[]) {
    const picked = facts.filter((f) => matchesFilter(summaryOf(f), filter))
    for (const tz of ['UTC', 'Asia/Kolkata'])
      assert.equal(cohortsOfColumns(c, select(c, filter), 'week', tz), cohortsOf(picked, 'week', tz), JSON.stringify({ filter, tz }))
  }
})

test('top :: rankings equal the reference by every dimension and sort', () => {
  for (const k of cases) {
    const r = rng(3000 + k)
    const facts = randomFacts(r, 100 + Math.floor(r() * 500))
    const c = columnsOf(facts)
    const filter = randomFilter(r)
    const picked = facts.filter((f) => matchesFilter(summaryOf(f), filter))
    const req = { by: pick(r, topBy), sort: pick(r, ['leads', 'conversion'] as const), limit: 1 + Math.floor(r() * 8), minLeads: 1 + Math.floor(r() * 20) }
    assert.equal(topOfColumns(c, select(c, filter), req), topOf(picked, req), JSON.stringify({ k, filter, req }))
  }
})

test('groupCounts :: counts per combination equal the leads counted one by one', () => {
  for (const k of cases) {
    const r = rng(4000 + k)
    const facts = randomFacts(r, 100 + Math.floor(r() * 500))
    const c = columnsOf(facts)
    const filter = randomFilter(r)
    const expected = new Map<string, number>()
    for (const f of facts.filter((x) => matchesFilter(summaryOf(x), filter))) {
      const key = JSON.stringify([f.storefront, f.campaign, f.state, f.offerKind, f.isTest, actionTokens(f.actions)])
      expected.set(key, (expected.get(key) ?? 0) + 1)
    }
    const got = groupCountsOfColumns(c, select(c, filter), ['storefront', 'campaign', 'state', 'offerKind', 'isTest', 'actions'])
    assert.equal(new Map(got.map((g) => [JSON.stringify(g.values), g.n])), expected, JSON.stringify({ k, filter }))
  }
})

test.run()
