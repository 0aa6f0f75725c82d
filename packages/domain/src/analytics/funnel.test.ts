// The funnel's staging, from events through the projection to the figures: first-reached times from the
// transition's own time, a reopened lead keeps them, a lead contacted and then disqualified reached contacted.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { event, type DomainEvent, type RecordedEvent, personalOf } from '../events.js'
import { emptyCustomer, offer } from '../model.js'
import { projectBatch, type LeadSummary } from '../projection.js'
import { LeadSummaryCodec } from '../summaryCodec.js'
import { factsOf, isNarrowing, matchesFilter } from './facts.js'
import { cohortsOf, funnelFigures, percentile, reachedAt, topOf } from './funnel.js'
import { seriesOf } from './series.js'

const h = 3_600_000
const at = (hours: number) => new Date(Date.parse('2026-05-04T00:00:00Z') + hours * h).toISOString()

let position = 0
const rec = (leadId: string, revision: number, ev: DomainEvent): RecordedEvent => ({
  eventId: `e${++position}`,
  streamId: `lead-${leadId}`,
  revision,
  position,
  event: ev,
  metadata: {},
  // recorded a day after the fact: the projection must use the event's own time
  recordedAt: at(1000),
})

const capture = (leadId: string, country: string, action = 'INS') =>
  event('LeadCaptured', {
    leadId,
    storefront: 'AzureMarketplace',
    campaign: 'demand-generation',
    leadSource: 'AzureMarketplace',
    action,
    offer: offer('contoso.vm', 'Contoso VM'),
    country: { ...emptyCustomer, country }.country,
    personal: personalOf({ ...emptyCustomer, country }, null),
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: at(0),
  })
const move = (type: 'LeadContacted' | 'LeadNurturingStarted' | 'LeadQualified' | 'LeadConverted', leadId: string, hours: number): DomainEvent =>
  type === 'LeadContacted'
    ? event('LeadContacted', { leadId, by: 'sam', at: at(hours), personal: null, channel: null })
    : event(type, { leadId, by: 'sam', at: at(hours), personal: null })
const disqualify = (leadId: string, hours: number): DomainEvent =>
  event('LeadDisqualified', { leadId, by: 'sam', at: at(hours), personal: null, reason: 'cannot-contact' })
const reopen = (leadId: string, hours: number, to: 'captured' | 'contacted'): DomainEvent =>
  event('LeadReopened', { leadId, by: 'op', at: at(hours), personal: null, to })

const project = (streams: Record<string, ReadonlyArray<DomainEvent>>): ReadonlyArray<LeadSummary> => {
  const log = Object.entries(streams).flatMap(([id, evs]) => evs.map((ev, i) => rec(id, i, ev)))
  const r = projectBatch(log, { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() })
  if (E.isLeft(r)) throw new Error(r.left.reason)
  return r.right.leads
}

const test = suite('funnel')

test('projection :: first-reached times come from the event, a reopen keeps them, the reason follows the state', () => {
  const [a] = project({ A: [capture('A', 'usa'), move('LeadContacted', 'A', 2), disqualify('A', 5), reopen('A', 9, 'contacted'), disqualify('A', 12)] })
  assert.equal(a!.reached, { contacted: at(2), nurturing: null, qualified: null, converted: null, disqualified: at(5) })
  assert.is(a!.disqualificationReason, 'cannot-contact')
  assert.is(a!.country, 'US')
  const [b] = project({ B: [capture('B', ''), disqualify('B', 1), reopen('B', 3, 'captured')] })
  assert.is(b!.state, 'captured')
  assert.is(b!.disqualificationReason, null, 'a reopened lead has no current reason')
  assert.is(b!.reached.disqualified, at(1))
  assert.is(b!.country, 'unknown')
})

test('staging :: contacted then disqualified still reached contacted; nurturing is a branch', () => {
  const leads = project({
    A: [capture('A', 'US'), move('LeadContacted', 'A', 1), disqualify('A', 4)],
    B: [
      capture('B', 'US'),
      move('LeadContacted', 'B', 2),
      move('LeadNurturingStarted', 'B', 3),
      move('LeadQualified', 'B', 10),
      move('LeadConverted', 'B', 20),
    ],
    C: [capture('C', 'DE')],
  })
  const facts = leads.map(factsOf)
  const f = funnelFigures(facts)
  const stage = (s: string) => f.stages.find((x) => x.stage === s)!
  assert.equal([stage('captured').reached, stage('contacted').reached, stage('qualified').reached, stage('converted').reached], [3, 2, 1, 1])
  assert.equal([stage('nurturing').reached, stage('disqualified').reached], [1, 1])
  assert.equal([stage('contacted').rateFromPrevious, stage('qualified').rateFromPrevious, stage('disqualified').rateFromPrevious], [2 / 3, 0.5, 1 / 3])
  assert.equal([stage('contacted').medianMs, stage('contacted').p90Ms], [1 * h, 2 * h])
  assert.equal([stage('converted').medianMs, stage('nurturing').branch, stage('contacted').branch], [20 * h, true, false])
  assert.equal(f.disqualificationReasons, { 'cannot-contact': 1 })
  assert.is(reachedAt(facts.find((x) => x.country === 'DE')!, 'contacted'), null)
})

test('staging :: a lead that reached a later main stage passed the earlier ones', () => {
  const [b] = project({ B: [capture('B', 'US'), move('LeadContacted', 'B', 2), move('LeadQualified', 'B', 10)] })
  const facts = { ...factsOf(b!), reachedMs: { ...factsOf(b!).reachedMs, contacted: null } }
  assert.is(reachedAt(facts, 'contacted'), Date.parse(at(10)))
})

test('codec :: a row written by projection v2 (no analytics fields) still decodes, with them derived', () => {
  const [a] = project({ A: [capture('A', 'Deutschland')] })
  const { country: _c, reached: _r, disqualificationReason: _d, ...v2 } = a!
  const decoded = LeadSummaryCodec.decode(JSON.parse(JSON.stringify(v2)))
  assert.ok(E.isRight(decoded))
  if (E.isRight(decoded)) assert.equal([decoded.right.country, decoded.right.reached.contacted, decoded.right.disqualificationReason], ['DE', null, null])
})

test('filter :: only the filters narrow; includeTest alone keeps the counters', () => {
  assert.not.ok(isNarrowing({ includeTest: true }))
  assert.ok(isNarrowing({ country: 'US' }))
})

test('percentile :: nearest rank', () => {
  assert.is(percentile([], 50), null)
  assert.is(percentile([7], 90), 7)
  assert.is(percentile([1, 2, 3, 4], 50), 2)
  assert.is(percentile([1, 2, 3, 4], 90), 4)
  assert.is(
    percentile(
      Array.from({ length: 10 }, (_, i) => i + 1),
      90,
    ),
    9,
  )
  assert.is(
    percentile(
      Array.from({ length: 100 }, (_, i) => i + 1),
      50,
    ),
    50,
  )
})

test('cohorts, top and series :: of the same facts', () => {
  const leads = project({
    A: [capture('A', 'US', 'PLT'), move('LeadContacted', 'A', 1), move('LeadQualified', 'A', 2), move('LeadConverted', 'A', 3)],
    B: [capture('B', 'US', 'ODD')],
    C: [capture('C', 'DE')],
  })
  const facts = leads.map(factsOf)
  assert.equal(cohortsOf(facts, 'month', 'UTC'), [
    { start: '2026-05-01T00:00:00+00:00', captured: 3, reached: { captured: 3, contacted: 1, qualified: 1, converted: 1, nurturing: 0, disqualified: 0 } },
  ])
  assert.equal(
    topOf(facts, { by: 'country', sort: 'leads', limit: 10, minLeads: 1 }).map((r) => [r.key, r.label, r.leads, r.conversionRate]),
    [
      ['US', 'United States', 2, 0.5],
      ['DE', 'Germany', 1, 0],
    ],
  )
  assert.equal(topOf(facts, { by: 'country', sort: 'leads', limit: 10, minLeads: 2 }).length, 1)
  const s = seriesOf(facts, { interval: 'day', tz: 'UTC', by: 'action', from: Date.parse(at(-24)), to: Date.parse(at(24)) })
  assert.equal(s.groups, ['INS', 'PLT', 'other'])
  assert.equal(
    s.buckets.map((b) => b.total),
    [0, 3],
  )
  assert.is(s.total, 3)
  assert.ok(matchesFilter(leads[1]!, { action: 'other', country: 'US' }))
  assert.not.ok(matchesFilter(leads[1]!, { action: 'PLT' }))
})

test.run()
