// The PostgreSQL view store against the shared contract, plus what only a store shared by processes must show:
// concurrent batches of one projection on different partitions lose no update. Needs a real server
// (LEADSTREAM_TEST_POSTGRES_URL); in CI an unreachable one fails the run, locally the suite says it did not run.
import * as E from 'fp-ts/lib/Either.js'
import pg from 'pg'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { emptyCustomer, needsOf, offer, projectBatch, type DomainEvent, type RecordedEvent, personalOf } from '@leadstream/domain'
import { viewStoreContract } from '../contract.js'
import type { ProjectionLogic, ViewStore } from '../port.js'
import { quoteIdent } from '@leadstream/runtime'
import { factsSinceSql, postgresViewStore } from './store.js'

const url = process.env['LEADSTREAM_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'
const where = (() => {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || '5432'}${u.pathname}` // never the password
  } catch {
    return 'LEADSTREAM_TEST_POSTGRES_URL'
  }
})()

const unreachable = async (): Promise<string | null> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return null
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  } finally {
    await client.end().catch(() => undefined)
  }
}

const down = await unreachable()
if (down !== null && process.env['CI'] === 'true')
  throw new Error(`PostgreSQL at ${where} is not reachable in CI (${down}): the postgres view store suites need it.`)
if (down !== null) {
  process.stderr.write(`!!! PostgreSQL at ${where} is not reachable (${down}): the postgres view store suites did not run\n`)
} else {
  /** Schemas this process made; each store drops its own on close, and the last suite sweeps any left over. */
  const schemas: string[] = []
  const make = async (poolSize = 4): Promise<ViewStore & { readonly pool: pg.Pool }> => {
    const schema = `vs_test_${process.pid}_${schemas.length}`
    schemas.push(schema)
    const store = await postgresViewStore({ connectionString: url, schema, poolSize })
    return {
      ...store,
      close: async () => {
        try {
          await store.pool.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
        } finally {
          await store.close()
        }
      },
    }
  }

  viewStoreContract('postgres', () => make())

  // -------------------------------------------------------------------------------------------------------
  // adapter-specific: concurrent writers of one projection; what PostgreSQL's types refuse
  // -------------------------------------------------------------------------------------------------------

  const logic: ProjectionLogic = { needs: needsOf, project: projectBatch }
  let position = 1_000_000
  const rec = (streamId: string, revision: number, event: DomainEvent): RecordedEvent => ({
    eventId: `race-${++position}`,
    streamId,
    revision,
    position,
    event,
    metadata: {},
    recordedAt: '2026-11-25T10:00:00.000Z',
  })
  const captured = (leadId: string, offerId: string, description: string | null = null) =>
    rec(`lead-${leadId}`, 0, {
      type: 'LeadCaptured',
      version: 2,
      data: {
        leadId,
        storefront: 'AppSource',
        campaign: 'nurture',
        leadSource: 'SPZA',
        action: 'PLT',
        offer: offer(offerId, null),
        country: '',
        personal: personalOf({ ...emptyCustomer, email: `${leadId}@example.com` }, description),
        campaigns: [],
        isTest: false,
        doNotContact: false,
        format: 'native',
        occurredAt: '2026-11-25T10:00:00.000Z',
      },
    })
  const classified = (offerId: string) =>
    rec(`offer-id:${offerId}`, 0, {
      type: 'OfferClassified',
      version: 1,
      data: { offerKey: `id:${offerId}`, offerId, offerTitle: null, kind: 'saas', by: 'p', at: '2026-11-25T10:00:00.000Z' },
    })

  const adapter = suite<{ store: ViewStore & { readonly pool: pg.Pool } }>('postgres view store :: adapter')
  adapter.before.each(async (ctx) => {
    ctx.store = await make(4)
  })
  adapter.after.each(async (ctx) => {
    await ctx.store.close()
  })
  adapter.after(async () => {
    const admin = new pg.Client({ connectionString: url })
    await admin.connect()
    try {
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`)
    } finally {
      await admin.end()
    }
  })

  adapter('applyBatch :: a capture and a reclassification of its offer on two partitions at once lose no update', async ({ store }) => {
    const rounds = 30
    const perRound = 5
    for (let round = 0; round < rounds; round++) {
      const offerId = `race.${round}`
      const captures = Array.from({ length: perRound }, (_, i) => captured(`r${round}-${i}`, offerId))
      // Whichever commits first, the other must see it: either the capture finds the offer classified, or the
      // classification finds the captured leads. Without the projection lock both read before either writes.
      const [a, b] = await Promise.all([
        store.applyBatch(
          'leads',
          0,
          captures.map((event, i) => ({ offset: round * perRound + i, event })),
          logic,
        ),
        store.applyBatch('leads', 1, [{ offset: round, event: classified(offerId) }], logic),
      ])
      assert.ok(E.isRight(a) && E.isRight(b), 'both batches applied')
    }
    const total = rounds * perRound
    const cell = async (bucket: string) =>
      (await store.counts('all')).find((r) => r.key === 'all' && r.metric === 'offerKind' && r.bucket === bucket && !r.test)?.n ?? 0
    assert.is(await cell('saas'), total, "every lead counted under its offer's new kind")
    assert.is(await cell('unclassified'), 0, 'no lead left under the old kind')
    const listed = await store.leads({ offerKind: 'saas' }, total + 1, null)
    assert.is(listed.items.length, total, 'every lead row carries the new kind')
    assert.equal(
      [...(await store.checkpoints('leads'))].sort((x, y) => x.partition - y.partition),
      [
        { partition: 0, offset: total - 1 },
        { partition: 1, offset: rounds - 1 },
      ],
    )
  })

  adapter('applyBatch :: free text holding a NUL character round-trips (jsonb would refuse its escape)', async ({ store }) => {
    const text = 'before\u0000after \u2028 "quoted" \\ end'
    const r = await store.applyBatch('leads', 0, [{ offset: 0, event: captured('nul', 'nul.offer', text) }], logic)
    assert.ok(E.isRight(r))
    assert.is((await store.lead('nul'))?.description, text)
  })

  adapter('factsSince :: pages along the (changed, lead_id) index, with no sort of the rows', async ({ store }) => {
    assert.ok(E.isRight(await store.applyBatch('leads', 0, [{ offset: 0, event: captured('p1', 'plan.offer') }], logic)))
    const schema = quoteIdent(schemas[schemas.length - 1]!)
    const client = await store.pool.connect()
    try {
      // Without sequential or bitmap scans the planner shows whether the index gives the order: a Sort says no.
      await client.query('BEGIN')
      await client.query('SET LOCAL enable_seqscan = off')
      await client.query('SET LOCAL enable_bitmapscan = off')
      const plan = JSON.stringify((await client.query(`EXPLAIN (FORMAT JSON) ${factsSinceSql(schema)}`, [0, '', 100])).rows)
      await client.query('ROLLBACK')
      assert.ok(plan.includes('leads_by_changed'), plan)
      assert.not.ok(plan.includes('"Sort"'), plan)
    } finally {
      client.release()
    }
  })

  adapter.run()
}
