// The in-memory fact copy over a real SQLite view store: after every batch (new leads, moves, a reclassification)
// the copy answers what the store's own facts answer, and a swap to another generation's views starts it afresh.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { emptyCustomer, event, funnelFigures, needsOf, offer, projectBatch, topOf, type DomainEvent, type RecordedEvent, personalOf } from '@leadstream/domain'
import { sqliteViewStore, type ViewReader, type ViewStore } from '@leadstream/view-store'
import { figuresOfColumns, topOfColumns } from './fastAnalytics.js'
import { factsCache } from './factsCache.js'
import { select } from './factsColumns.js'

const logic = { needs: needsOf, project: projectBatch }
const offers = [offer('contoso.crm', 'Contoso CRM'), offer(null, 'Northwind VM'), offer('fabrikam.vm', null)]

let position = 0
const rec = (leadId: string, revision: number, ev: DomainEvent): RecordedEvent => ({
  eventId: `e${++position}`,
  streamId: `lead-${leadId}`,
  revision,
  position,
  event: ev,
  metadata: {},
  recordedAt: '2026-01-01T00:00:00.000Z',
})
const at = (h: number) => new Date(Date.parse('2026-02-01T00:00:00Z') + h * 3_600_000).toISOString()
const capture = (i: number) =>
  rec(
    `L${i}`,
    0,
    event('LeadCaptured', {
      leadId: `L${i}`,
      storefront: i % 2 === 0 ? 'AppSource' : 'AzureMarketplace',
      campaign: i % 2 === 0 ? 'nurture' : 'demand-generation',
      leadSource: 'x',
      action: i % 3 === 0 ? 'INS' : 'Weird',
      offer: offers[i % offers.length]!,
      country: { ...emptyCustomer, country: i % 4 === 0 ? 'DE' : 'US' }.country,
      personal: personalOf({ ...emptyCustomer, country: i % 4 === 0 ? 'DE' : 'US' }, null),
      campaigns: [],
      isTest: i % 7 === 0,
      doNotContact: false,
      format: 'native',
      occurredAt: at(i),
    }),
  )

const apply = async (store: ViewStore, events: ReadonlyArray<RecordedEvent>) => {
  const r = await store.applyBatch(
    'leads',
    0,
    events.map((e) => ({ offset: e.position, event: e })),
    logic,
  )
  if (E.isLeft(r)) throw new Error(r.left.reason)
}

const test = suite<{ dir: string }>('facts cache')
test.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'facts-cache-'))
})
test.after.each((ctx) => {
  rmSync(ctx.dir, { recursive: true, force: true })
})

test("catch-up :: after each batch the copy answers as the store's facts do, a reclassified offer included", async ({ dir }) => {
  const store = sqliteViewStore({ path: join(dir, 'views.db') })
  try {
    // Pages of 4 rows: the first read and each catch-up page through the store (40 leads: 10 pages).
    const cache = factsCache(store, 4)
    const same = async () => {
      const c = await cache.columns()
      for (const f of [{}, { includeTest: true }, { country: 'DE' }, { offerKind: 'saas' as const }, { offer: 'fabrikam.vm' }]) {
        const facts = await store.facts(f)
        assert.equal(figuresOfColumns(c, select(c, f)), funnelFigures(facts), JSON.stringify(f))
        const req = { by: 'offerKind' as const, sort: 'leads' as const, limit: 10, minLeads: 1 }
        assert.equal(topOfColumns(c, select(c, f), req), topOf(facts, req))
      }
      return c
    }
    assert.is((await same()).n, 0)
    await apply(
      store,
      Array.from({ length: 40 }, (_, i) => capture(i)),
    )
    assert.is((await same()).n, 40)
    await apply(store, [
      rec('L1', 1, event('LeadContacted', { leadId: 'L1', by: 's', at: at(50), personal: null, channel: null })),
      rec('L2', 1, event('LeadDisqualified', { leadId: 'L2', by: 's', at: at(51), personal: null, reason: 'lost' })),
      ...Array.from({ length: 5 }, (_, i) => capture(40 + i)),
    ])
    assert.is((await same()).n, 45, 'updated leads keep their slots')
    position++
    await apply(store, [
      {
        eventId: 'c1',
        streamId: 'offer-id:fabrikam.vm',
        revision: 0,
        position,
        event: event('OfferClassified', { offerKey: 'id:fabrikam.vm', offerId: 'fabrikam.vm', offerTitle: null, kind: 'saas', by: 'p', at: at(60) }),
        metadata: {},
        recordedAt: at(60),
      },
    ])
    const c = await same()
    assert.ok(select(c, { offerKind: 'saas', includeTest: true }).length === 15, 'the reclassified leads moved to saas')
  } finally {
    await store.close()
  }
})

test("generations :: a reader now serving another store's views starts the copy afresh", async ({ dir }) => {
  const [a, b] = [sqliteViewStore({ path: join(dir, 'a.db') }), sqliteViewStore({ path: join(dir, 'b.db') })]
  try {
    await apply(
      a,
      Array.from({ length: 10 }, (_, i) => capture(i)),
    )
    await apply(
      b,
      Array.from({ length: 3 }, (_, i) => capture(100 + i)),
    )
    let live: ViewStore = a
    // What liveViews does on a promotion: the same reader answers from the other generation's store.
    const reader: Pick<ViewReader, 'factsSince'> = { factsSince: (since, afterLeadId, limit) => live.factsSince(since, afterLeadId, limit) }
    const cache = factsCache(reader)
    assert.is((await cache.columns()).n, 10)
    live = b
    const c = await cache.columns()
    assert.is(c.n, 3)
    assert.equal(figuresOfColumns(c, select(c, { includeTest: true })), funnelFigures(await b.facts({ includeTest: true })))
  } finally {
    await a.close()
    await b.close()
  }
})

test.run()
