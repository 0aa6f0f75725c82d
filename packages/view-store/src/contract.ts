// The one contract every view store adapter passes (SQLite here; PostgreSQL runs the same suite).
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  emptyCustomer,
  needsOf,
  offer,
  projectBatch,
  type Changes,
  type DomainEvent,
  type LeadSummary,
  type RecordedEvent,
  personalOf,
} from '@leadstream/domain'
import { analyticsContract } from './analyticsContract.js'
import { viewOfSummary } from './leadView.js'
import { BadCursor, type LeadView, type Page, type ProjectionLogic, type ViewStore } from './port.js'

const logic: ProjectionLogic = { needs: needsOf, project: projectBatch }

let position = 0
const rec = (streamId: string, revision: number, event: DomainEvent): RecordedEvent => ({
  eventId: `e${++position}`,
  streamId,
  revision,
  position,
  event,
  metadata: {},
  recordedAt: '2026-11-25T10:00:00.000Z',
})

const captured = (leadId: string, opts: { storefront?: 'AppSource' | 'AzureMarketplace'; at?: string; isTest?: boolean; offerId?: string } = {}) =>
  rec(`lead-${leadId}`, 0, {
    type: 'LeadCaptured',
    version: 1,
    data: {
      leadId,
      storefront: opts.storefront ?? 'AppSource',
      campaign: (opts.storefront ?? 'AppSource') === 'AppSource' ? 'nurture' : 'demand-generation',
      leadSource: 'SPZA',
      action: 'PLT',
      offer: offer(opts.offerId ?? 'contoso.crm', null),
      country: { ...emptyCustomer, email: `${leadId}@example.com` }.country,
      personal: personalOf({ ...emptyCustomer, email: `${leadId}@example.com` }, null),
      campaigns: [],
      isTest: opts.isTest ?? false,
      doNotContact: false,
      format: 'native',
      occurredAt: opts.at ?? '2026-11-25T10:00:00.000Z',
    },
  })

const contacted = (leadId: string, revision: number) =>
  rec(`lead-${leadId}`, revision, {
    type: 'LeadContacted',
    version: 3,
    data: { leadId, by: 'sam', at: '2026-11-25T11:00:00.000Z', personal: null, channel: 'phone' },
  })

/** Projects events through the store exactly as the embedded projector does (offset = position). */
const project = async (store: ViewStore, projection: string, events: ReadonlyArray<RecordedEvent>, partition = 0) => {
  const r = await store.applyBatch(
    projection,
    partition,
    events.map((event) => ({ offset: event.position, event })),
    logic,
  )
  if (E.isLeft(r)) throw new Error(r.left.reason)
  return r.right
}

/** The contract's own events and projection, for the tests of one adapter's particulars. */
export const contractFixtures = { captured, contacted, project }

const count = async (store: ViewStore, dim: 'storefront' | 'all', key: string, metric: string, bucket: string, test = false) =>
  (await store.counts(dim)).find((r) => r.key === key && r.metric === metric && r.bucket === bucket && r.test === test)?.n ?? 0

/** What a read that must fail threw (undefined if it did not). */
const refusal = async (read: Promise<unknown>): Promise<unknown> => {
  try {
    await read
  } catch (e) {
    return e
  }
  return undefined
}

export const viewStoreContract = (name: string, make: () => Promise<ViewStore>): void => {
  const test = suite<{ store: ViewStore }>(`view store contract :: ${name}`)
  test.before.each(async (ctx) => {
    ctx.store = await make()
  })
  test.after.each(async (ctx) => {
    await ctx.store.close()
  })

  test('commit :: rows, counters and checkpoint land together', async ({ store }) => {
    const evs = [captured('a'), captured('b', { storefront: 'AzureMarketplace' })]
    await project(store, 'leads', evs)
    assert.equal(await store.checkpoints('leads'), [{ partition: 0, offset: evs[1]!.position }])
    assert.is(await store.position(), evs[1]!.position)
    assert.is((await store.lead('a'))?.state, 'captured')
    assert.is(await count(store, 'storefront', 'AppSource', 'state', 'captured'), 1)
    assert.is(await count(store, 'storefront', 'AzureMarketplace', 'state', 'captured'), 1)
    assert.is(await count(store, 'all', 'all', 'leads', 'total'), 2)
  })

  test('commit :: a failing commit writes neither rows nor checkpoint', async ({ store }) => {
    await project(store, 'leads', [captured('a')])
    const before = await store.checkpoints('leads')
    const stored = (await store.lead('a'))!
    const broken: ProjectionLogic = {
      needs: needsOf,
      // a row the store cannot write (NOT NULL violated) after the counters were changed: all must roll back
      project: () =>
        E.right<never, Changes>({
          leads: [{ ...stored, capturedAt: null as unknown as string }],
          offers: [],
          counts: [{ dimension: 'all', key: 'all', metric: 'leads', bucket: 'total', test: false, delta: 5 }],
          position: 999,
        }),
    }
    let threw = false
    try {
      await store.applyBatch('leads', 0, [{ offset: 999, event: captured('z') }], broken)
    } catch {
      threw = true
    }
    assert.ok(threw, 'the commit failed')
    assert.equal(await store.checkpoints('leads'), before)
    assert.is((await store.lead('a'))?.capturedAt, '2026-11-25T10:00:00.000Z')
    assert.is(await count(store, 'all', 'all', 'leads', 'total'), 1)
  })

  test('applyBatch :: entries at or below the partition checkpoint are skipped, per partition', async ({ store }) => {
    const a = captured('a')
    const b = captured('b')
    const first = await project(store, 'leads', [a, b])
    assert.is(first.applied, 2)
    const again = await project(store, 'leads', [a, b])
    assert.equal(again, { applied: 0, skipped: 2, offset: b.position })
    const c = captured('c')
    const mixed = await project(store, 'leads', [b, c])
    assert.equal(mixed, { applied: 1, skipped: 1, offset: c.position })
    assert.is(await count(store, 'all', 'all', 'leads', 'total'), 3)
    // another partition has its own checkpoint: offsets there are unrelated
    const d = captured('d')
    const other = await store.applyBatch('leads', 1, [{ offset: 0, event: d }], logic)
    assert.ok(E.isRight(other) && other.right.applied === 1)
    assert.equal(
      [...(await store.checkpoints('leads'))].sort((x, y) => x.partition - y.partition),
      [
        { partition: 0, offset: c.position },
        { partition: 1, offset: 0 },
      ],
    )
  })

  test('applyBatch :: a projection error is returned and writes nothing', async ({ store }) => {
    const r = await store.applyBatch('leads', 0, [{ offset: 1, event: contacted('ghost', 1) }], logic)
    assert.ok(E.isLeft(r))
    assert.equal(await store.checkpoints('leads'), [])
  })

  test('load :: a transition moves the counters and is idempotent per revision', async ({ store }) => {
    const cap = captured('a')
    await project(store, 'leads', [cap])
    const c = contacted('a', 1)
    await project(store, 'leads', [c])
    // at-least-once redelivery on another partition (after a rebalance): the lead revision guards it
    await store.applyBatch(
      'leads',
      7,
      [cap, c].map((event, i) => ({ offset: i, event })),
      logic,
    )
    assert.is(await count(store, 'storefront', 'AppSource', 'state', 'captured'), 0)
    assert.is(await count(store, 'storefront', 'AppSource', 'state', 'contacted'), 1)
    assert.ok(!(await store.counts('storefront')).some((r) => r.n === 0), 'empty counters are dropped')
    assert.is((await store.lead('a'))?.history.length, 2)
  })

  test('load :: reclassifying an offer moves stored leads to the new kind', async ({ store }) => {
    await project(store, 'leads', [captured('a', { offerId: 'x.y' }), captured('b', { offerId: 'x.z' })])
    const classified = rec('offer-id:x.y', 0, {
      type: 'OfferClassified',
      version: 1,
      data: { offerKey: 'id:x.y', offerId: 'x.y', offerTitle: null, kind: 'saas', by: 'p', at: '2026-11-25T10:00:00.000Z' },
    })
    await project(store, 'leads', [classified])
    assert.is((await store.lead('a'))?.offerKind, 'saas')
    assert.is((await store.lead('b'))?.offerKind, 'unclassified')
    assert.is(await count(store, 'all', 'all', 'offerKind', 'saas'), 1)
    await project(store, 'leads', [captured('c', { offerId: 'x.y' })])
    assert.is((await store.lead('c'))?.offerKind, 'saas')
  })

  test('leads :: filters, newest first, pages with a cursor, test leads left out', async ({ store }) => {
    const evs = Array.from({ length: 7 }, (_, i) =>
      captured(`p${i}`, { at: `2026-11-2${i}T10:00:00.000Z`, storefront: i % 2 === 0 ? 'AppSource' : 'AzureMarketplace' }),
    )
    evs.push(captured('t1', { isTest: true, at: '2026-11-29T10:00:00.000Z' }))
    await project(store, 'leads', evs)
    const first = await store.leads({ storefront: 'AppSource' }, 2, null)
    assert.equal(
      first.items.map((s) => s.leadId),
      ['p6', 'p4'],
    )
    assert.ok(first.next !== null)
    const second = await store.leads({ storefront: 'AppSource' }, 2, first.next)
    assert.equal(
      second.items.map((s) => s.leadId),
      ['p2', 'p0'],
    )
    assert.is(second.next, null)
    assert.is((await store.leads({}, 100, null)).items.length, 7)
    assert.is((await store.leads({ includeTest: true }, 100, null)).items[0]?.leadId, 't1')
    assert.is((await store.leads({ state: 'contacted' }, 100, null)).items.length, 0)
    assert.is(await count(store, 'all', 'all', 'leads', 'total', true), 1)
  })

  test('exportLeads :: the same leads, order and pages as leads, each as the lead list shows it (no history)', async ({ store }) => {
    const odd = captured('x1', { at: '2026-11-26T10:00:00.000Z', storefront: 'AzureMarketplace', offerId: 'fabrikam.erp' })
    if (odd.event.type !== 'LeadCaptured') throw new Error('a capture')
    // Text a JSON round trip in the engine must keep exactly: quotes, separators, a NUL, non-ASCII, an emoji.
    const description = 'say "hi",\n\u0000 =1+1 ;\u001f é 漢 😀'
    const data = {
      ...odd.event.data,
      campaigns: ['spring', 'a"b'],
      doNotContact: true,
      action: 'DNC',
      personal: personalOf({ ...emptyCustomer, firstName: 'Zoë', lastName: "O'Brien", email: 'z@example.com', company: 'Contoso, Ltd' }, description),
    }
    const evs = [
      ...Array.from({ length: 5 }, (_, i) => captured(`q${i}`, { at: `2026-11-2${i}T10:00:00.000Z` })),
      { ...odd, event: { ...odd.event, data } },
      captured('t1', { isTest: true, at: '2026-11-29T10:00:00.000Z' }),
    ]
    await project(store, 'leads', evs)
    await project(store, 'leads', [contacted('q1', 1)])
    // What the query API's `present` makes of a summary (services/query-api/src/routes.ts).
    const shown = viewOfSummary
    for (const filter of [{ includeTest: true }, {}, { storefront: 'AzureMarketplace' as const }, { state: 'contacted' as const }]) {
      let cursor: string | null = null
      let leadsCursor: string | null = null
      let pages = 0
      do {
        const [mine, theirs]: [Page<LeadView>, Page<LeadSummary>] = [await store.exportLeads(filter, 2, cursor), await store.leads(filter, 2, leadsCursor)]
        assert.equal(mine.items, theirs.items.map(shown))
        // Byte for byte as NDJSON lines, key order included.
        assert.is(mine.items.map((l) => JSON.stringify(l)).join('\n'), theirs.items.map((s) => JSON.stringify(shown(s))).join('\n'))
        assert.is(mine.next, theirs.next)
        ;[cursor, leadsCursor] = [mine.next, theirs.next]
        pages++
      } while (cursor !== null)
      assert.ok(pages >= 1)
    }
    const all = await store.exportLeads({ includeTest: true }, 100, null)
    assert.is(all.items.length, 7)
    assert.is(all.items.find((l) => l.leadId === 'x1')?.description, description)
    assert.is(all.items.find((l) => l.leadId === 'q1')?.state, 'contacted')
    assert.instance(await refusal(store.exportLeads({}, 2, 'bm90LWEtY3Vyc29y')), BadCursor)
  })

  test('build :: a generation loaded in bulk answers as one written live, once built', async ({ store }) => {
    await store.beginBuild()
    await store.beginBuild() // a crashed build resumes: idempotent
    const evs = Array.from({ length: 6 }, (_, i) => captured(`b${i}`, { at: `2026-11-2${i}T10:00:00.000Z`, offerId: i % 2 === 0 ? 'x.y' : 'x.z' }))
    await project(store, 'leads', evs)
    await project(store, 'leads', [contacted('b1', 1), contacted('b4', 1)])
    const classified = rec('offer-id:x.y', 0, {
      type: 'OfferClassified',
      version: 1,
      data: { offerKey: 'id:x.y', offerId: 'x.y', offerTitle: null, kind: 'saas', by: 'p', at: '2026-11-25T10:00:00.000Z' },
    })
    await project(store, 'leads', [classified])
    const since = await store.factsSince(-1, '', 100)
    await store.finishBuild()
    await store.finishBuild()
    assert.equal(
      (await store.leads({ state: 'contacted' }, 10, null)).items.map((l) => l.leadId),
      ['b4', 'b1'],
    )
    assert.equal(
      (await store.leads({ offerKind: 'saas' }, 10, null)).items.map((l) => l.leadId),
      ['b4', 'b2', 'b0'],
    )
    assert.equal(
      (await store.leads({ country: 'unknown' }, 2, null)).items.map((l) => l.leadId),
      ['b5', 'b4'],
    )
    assert.is(await count(store, 'all', 'all', 'offerKind', 'saas'), 3)
    // Write sequences never go back, the same before and after the indexes exist (a build may write the
    // batches it holds together, under one sequence: SQLite's write-behind).
    assert.equal(await store.factsSince(-1, '', 100), since)
    assert.is(since.leadIds.length, 6)
    const seq = new Map(since.leadIds.map((id, i) => [id, since.changed[i] ?? -1]))
    assert.ok((seq.get('b0') ?? -1) >= (seq.get('b1') ?? 0), 'a reclassified lead was written after a contacted one')
    assert.ok((seq.get('b1') ?? -1) >= (seq.get('b5') ?? 0), 'a contacted lead was written after a captured one')
    await project(store, 'leads', [contacted('b0', 1)])
    assert.equal((await store.factsSince(since.changed[since.changed.length - 1] ?? 0, since.leadIds[since.leadIds.length - 1] ?? '', 100)).leadIds, ['b0'])
  })

  test('registry :: created once, then changed only by a compare-and-set that saw the current entry', async ({ store }) => {
    assert.is(await store.registry('leads'), null)
    const first = { live: 1, liveVersion: 1, building: null, buildingVersion: null, paused: false }
    assert.ok(await store.updateRegistry('leads', null, first))
    assert.not.ok(await store.updateRegistry('leads', null, { ...first, paused: true }), 'a second create loses')
    const building = { ...first, building: 2, buildingVersion: 2 }
    assert.ok(await store.updateRegistry('leads', first, building))
    assert.not.ok(await store.updateRegistry('leads', first, { ...first, live: 3 }), 'a stale expected entry loses')
    assert.equal(await store.registry('leads'), building)
    assert.is(await store.registry('other'), null, 'entries are per projection')
  })

  test('clear :: removes views and checkpoints, keeps the registry', async ({ store }) => {
    await project(store, 'leads', [captured('a')])
    const entry = { live: 2, liveVersion: 1, building: null, buildingVersion: null, paused: false }
    await store.updateRegistry('leads', null, entry)
    await store.clear()
    assert.is(await store.lead('a'), null)
    assert.equal(await store.checkpoints('leads'), [])
    assert.equal(await store.counts('all'), [])
    assert.equal(await store.registry('leads'), entry)
  })

  test('idleLeads :: leads whose last event is before the cutoff and not erased, in id pages', async ({ store }) => {
    const erased = (leadId: string, revision: number) =>
      rec(`lead-${leadId}`, revision, {
        type: 'PersonalDataErased',
        version: 1,
        data: { leadId, subject: `sub-${leadId}`, reason: 'request', by: 'dpo', at: '2026-12-01T00:00:00.000Z', note: null },
      })
    await project(store, 'leads', [
      captured('i1', { at: '2026-01-01T00:00:00.000Z' }),
      captured('i2', { at: '2026-01-02T00:00:00.000Z' }),
      captured('i3', { at: '2026-01-03T00:00:00.000Z' }),
      captured('i4', { at: '2026-06-01T00:00:00.000Z' }),
      captured('i5', { at: '2026-01-01T00:00:00.000Z' }),
    ])
    // i3 had an event since (contacted on 2026-11-25), i5's data is erased already.
    await project(store, 'leads', [contacted('i3', 1), erased('i5', 1)])
    assert.equal(await store.idleLeads('2026-03-01T00:00:00.000Z', '', 10), ['i1', 'i2'])
    assert.equal(await store.idleLeads('2026-03-01T00:00:00.000Z', '', 1), ['i1'])
    assert.equal(await store.idleLeads('2026-03-01T00:00:00.000Z', 'i1', 10), ['i2'])
    assert.equal(await store.idleLeads('2026-12-01T00:00:00.000Z', '', 10), ['i1', 'i2', 'i3', 'i4'])
    assert.equal(await store.idleLeads('2025-01-01T00:00:00.000Z', '', 10), [])
  })

  test('leads :: a cursor it did not make is refused', async ({ store }) => {
    assert.instance(await refusal(store.leads({}, 10, 'bm90LWEtY3Vyc29y')), BadCursor)
  })

  test.run()
  analyticsContract(name, make)
}
