// The analytics part of the view store contract: every filter selects, on every adapter, exactly the leads the
// domain's matchesFilter selects, and the facts read back equal the facts of the stored summaries.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  emptyCustomer,
  event,
  factsOf,
  matchesFilter,
  needsOf,
  offer,
  projectBatch,
  type DomainEvent,
  type LeadFilter,
  type RecordedEvent,
  personalOf,
  actionTextOf,
} from '@leadstream/domain'
import type { ProjectionLogic, ViewStore } from './port.js'

const logic: ProjectionLogic = { needs: needsOf, project: projectBatch }
const offers = [offer('contoso.crm', 'Contoso CRM'), offer(null, 'Contoso CRM'), offer('fabrikam.vm', null), offer(null, 'Northwind VM')]
const countries = ['US', 'usa', 'Germany', 'IN', 'Narnia', '']
const actions = ['INS', 'PLT', 'WEIRD', 'Create']

/** 60 leads with every attribute varied, some moved along the funnel, some tests, some with a second action. */
const log = (): RecordedEvent[] => {
  const out: RecordedEvent[] = []
  let position = 0
  const rec = (leadId: string, revision: number, ev: DomainEvent) =>
    out.push({ eventId: `a${++position}`, streamId: `lead-${leadId}`, revision, position, event: ev, metadata: {}, recordedAt: '2026-01-01T00:00:00.000Z' })
  for (let i = 0; i < 60; i++) {
    const id = `x${i}`
    const storefront = i % 3 === 0 ? 'AppSource' : 'AzureMarketplace'
    const t = (h: number) => new Date(Date.parse('2026-02-01T00:00:00Z') + (i * 13 + h) * 3_600_000).toISOString()
    rec(
      id,
      0,
      event('LeadCaptured', {
        leadId: id,
        storefront,
        campaign: storefront === 'AppSource' ? 'nurture' : 'demand-generation',
        leadSource: storefront,
        action: actions[i % actions.length]!,
        offer: offers[i % offers.length]!,
        country: { ...emptyCustomer, country: countries[i % countries.length]! }.country,
        personal: personalOf({ ...emptyCustomer, country: countries[i % countries.length]! }, null),
        campaigns: [],
        isTest: i % 11 === 0,
        doNotContact: false,
        format: 'native',
        occurredAt: t(0),
      }),
    )
    let rev = 0
    if (i % 5 === 1)
      rec(
        id,
        ++rev,
        event('LeadActionRecorded', {
          leadId: id,
          leadSource: storefront,
          action: 'StartTestDrive',
          personal: actionTextOf(null),
          campaigns: [],
          doNotContact: false,
          occurredAt: t(1),
        }),
      )
    if (i % 2 === 0) rec(id, ++rev, event('LeadContacted', { leadId: id, by: 's', at: t(2), personal: null, channel: null }))
    if (i % 4 === 0) rec(id, ++rev, event('LeadQualified', { leadId: id, by: 's', at: t(5), personal: null }))
    if (i % 8 === 0) rec(id, ++rev, event('LeadConverted', { leadId: id, by: 's', at: t(9), personal: null }))
    if (i % 6 === 2) rec(id, ++rev, event('LeadDisqualified', { leadId: id, by: 's', at: t(7), personal: null, reason: 'lost' }))
  }
  return out
}

const filters: ReadonlyArray<LeadFilter> = [
  {},
  { includeTest: true },
  { storefront: 'AppSource' },
  { campaign: 'demand-generation', state: 'contacted' },
  { state: 'disqualified', includeTest: true },
  { offerKind: 'unclassified' },
  { offer: 'Contoso CRM' },
  { offer: 'contoso.crm' },
  { offer: 'CONTOSO.CRM' },
  { offer: 'fabrikam.vm' },
  { offer: 'nothing.here' },
  { action: 'INS' },
  { action: 'other' },
  { action: 'StartTestDrive', includeTest: true },
  { country: 'US' },
  { country: 'unknown' },
  { from: '2026-02-10T00:00:00.000Z' },
  { from: '2026-02-05T00:00:00.000Z', to: '2026-02-15T00:00:00.000Z', storefront: 'AzureMarketplace' },
  { to: '2026-02-03T01:00:00.000Z', includeTest: true },
]

const ordered = (xs: ReadonlyArray<unknown>) => xs.map((x) => JSON.stringify(x)).sort()

export const analyticsContract = (name: string, make: () => Promise<ViewStore>): void => {
  const test = suite<{ store: ViewStore }>(`view store contract :: analytics :: ${name}`)
  test.before.each(async (ctx) => {
    ctx.store = await make()
    const events = log()
    for (let i = 0; i < events.length; i += 25) {
      const r = await ctx.store.applyBatch(
        'leads',
        0,
        events.slice(i, i + 25).map((event) => ({ offset: event.position, event })),
        logic,
      )
      if (E.isLeft(r)) throw new Error(r.left.reason)
    }
  })
  test.after.each(async (ctx) => {
    await ctx.store.close()
  })

  test('filters :: the lead list and the facts select exactly what matchesFilter selects', async ({ store }) => {
    const all = (await store.leads({ includeTest: true }, 1000, null)).items
    assert.is(all.length, 60)
    for (const f of filters) {
      const expected = all.filter((s) => matchesFilter(s, f))
      const listed = (await store.leads(f, 1000, null)).items
      assert.equal(
        listed.map((s) => s.leadId),
        expected.map((s) => s.leadId),
        JSON.stringify(f),
      )
      assert.equal(ordered(await store.facts(f)), ordered(expected.map(factsOf)), JSON.stringify(f))
    }
    assert.ok((await store.facts({ offer: 'Contoso CRM' })).length > 0, 'the scenario exercises the offer filter')
  })

  test('factsSince :: every lead at first, then exactly the rows a later batch rewrote, a reclassification included', async ({ store }) => {
    const all = await store.factsSince(-1, '', 100_000)
    const leads = (await store.leads({ includeTest: true }, 1000, null)).items
    assert.equal(ordered(all.facts), ordered(leads.map(factsOf)))
    assert.equal([...all.leadIds].sort(), leads.map((s) => s.leadId).sort())
    const top = Math.max(...all.changed)
    // Rows come in (sequence, lead id) order; the last one is where a reader that holds them all pages on from.
    const last = [all.changed[all.changed.length - 1]!, all.leadIds[all.leadIds.length - 1]!] as const
    assert.is(last[0], top)
    assert.equal((await store.factsSince(...last, 100_000)).leadIds, [])
    const paged: string[] = []
    for (let after: readonly [number, string] = [-1, '']; ; ) {
      const page = await store.factsSince(...after, 7)
      paged.push(...page.leadIds)
      if (page.leadIds.length < 7) break
      after = [page.changed[page.changed.length - 1]!, page.leadIds[page.leadIds.length - 1]!]
    }
    assert.equal(paged, [...all.leadIds], 'pages of 7 give every lead once, in the same order')
    const at = '2026-03-01T00:00:00.000Z'
    const later: RecordedEvent[] = [
      {
        eventId: 'b1',
        streamId: 'lead-x1',
        revision: 2,
        position: 1001,
        event: event('LeadContacted', { leadId: 'x1', by: 's', at, personal: null, channel: null }),
        metadata: {},
        recordedAt: at,
      },
      {
        eventId: 'b2',
        streamId: 'offer-id:fabrikam.vm',
        revision: 0,
        position: 1002,
        event: event('OfferClassified', { offerKey: 'id:fabrikam.vm', offerId: 'fabrikam.vm', offerTitle: null, kind: 'saas', by: 'p', at }),
        metadata: {},
        recordedAt: at,
      },
    ]
    const r = await store.applyBatch(
      'leads',
      0,
      later.map((e) => ({ offset: e.position, event: e })),
      logic,
    )
    if (E.isLeft(r)) throw new Error(r.left.reason)
    const since = await store.factsSince(...last, 100_000)
    assert.is(since.store, all.store)
    assert.ok(since.changed.every((c) => c > top))
    const fabrikam = leads.filter((s) => s.offerKeys.includes('id:fabrikam.vm')).map((s) => s.leadId)
    assert.ok(fabrikam.length > 0 && !fabrikam.includes('x1'))
    assert.equal([...since.leadIds].sort(), ['x1', ...fabrikam].sort())
    const now = await Promise.all(since.leadIds.map((id) => store.lead(id)))
    assert.equal(ordered(since.facts), ordered(now.map((s) => factsOf(s!))))
    assert.ok(since.facts.every((f) => f.offerKind === 'saas' || f.offer !== 'fabrikam.vm'))
  })

  test('filters :: keyset pages under a filter cover the same leads as one page', async ({ store }) => {
    const f: LeadFilter = { storefront: 'AzureMarketplace', action: 'other', includeTest: true }
    const whole = (await store.leads(f, 1000, null)).items.map((s) => s.leadId)
    const paged: string[] = []
    for (let cursor: string | null = null, n = 0; n < 100; n++) {
      const page: Awaited<ReturnType<ViewStore['leads']>> = await store.leads(f, 3, cursor)
      paged.push(...page.items.map((s) => s.leadId))
      if ((cursor = page.next) === null) break
    }
    assert.ok(whole.length > 3)
    assert.equal(paged, whole)
  })

  test.run()
}
