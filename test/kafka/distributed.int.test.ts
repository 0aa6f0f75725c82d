// The distributed mode end to end: SQLite event store, real Kafka, real PostgreSQL views, dead letters and
// Idempotency-Key answers, every service a real child process (two projectors): leads in over HTTP and over
// Kafka → correct views through the query API, which also lists the dead letters ingest recorded.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { postgresViewStore } from '@leadstream/view-store'
import { diffCounters, foldCounters, portCounters, readEvents } from '../support/fold.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { expectedByStorefront, marketplaceLead, rng } from '../support/leads.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { killAllServices, startService } from '../support/services.js'
import { setTimeout as sleep } from 'node:timers/promises'

const brokers = requireKafka('distributed end to end')
const pgUrl = await requirePostgres('distributed end to end')
const test = suite('distributed end to end')

if (brokers !== null && pgUrl !== null) {
  test('distributed :: HTTP and Kafka leads reach PostgreSQL views served by the query API', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-dist-'))
    const schema = `dist_${process.pid}_${Date.now().toString(36)}`
    const { topics, env: kafkaEnv } = await pipeline(brokers, dataDir, 'dist')
    const env = {
      ...kafkaEnv,
      LEADSTREAM_VIEW_STORE: 'postgres',
      LEADSTREAM_POSTGRES_URL: pgUrl,
      LEADSTREAM_POSTGRES_SCHEMA: schema,
      LEADSTREAM_DEAD_LETTER_STORE: 'postgres',
      LEADSTREAM_IDEMPOTENCY_STORE: 'postgres',
    }
    // The query API gets a data dir of its own: ingest's SQLite files are out of its reach, as in Kubernetes.
    const queryDir = mkdtempSync(join(tmpdir(), 'leadstream-dist-query-'))
    try {
      const ingest = await startService('ingest', env, 90000)
      const [, query] = await Promise.all([
        startService('relay', env, 90000),
        startService('query-api', { ...env, LEADSTREAM_DATA_DIR: queryDir }, 90000),
        startService('projector', env, 90000),
        startService('projector', env, 90000),
      ])
      const r = rng(41)
      const overHttp = Array.from({ length: 120 }, (_, i) => marketplaceLead(i, r))
      const overKafka = Array.from({ length: 120 }, (_, i) => marketplaceLead(5000 + i, r))
      const a = await fetch(`${ingest.url}/v1/marketplace/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(overHttp.map((l) => l.payload)),
      })
      assert.is(a.status, 200)
      const bad = await fetch(`${ingest.url}/v1/marketplace/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'dist-bad-1' },
        body: JSON.stringify({ UserDetails: { Email: 'x@contoso.com' }, LeadSource: 'Nowhere', OfferTitle: 'Contoso' }),
      })
      assert.is(bad.status, 400)
      const { deadLetterId } = (await bad.json()) as { deadLetterId: number }
      const listed = (await (await fetch(`${query.url}/v1/admin/dead-letters?status=open`)).json()) as { items: Array<{ id: number; source: string }> }
      assert.equal(
        listed.items.map((d) => d.id),
        [deadLetterId],
        'the query API lists what ingest recorded, from PostgreSQL',
      )
      const again = await fetch(`${ingest.url}/v1/marketplace/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'Idempotency-Key': 'dist-bad-1' },
        body: JSON.stringify({ UserDetails: { Email: 'x@contoso.com' }, LeadSource: 'Nowhere', OfferTitle: 'Contoso' }),
      })
      assert.is(again.headers.get('idempotent-replayed'), 'true', 'the answer came back from PostgreSQL')
      const producer = kafkaClient(brokers).producer()
      await producer.connect()
      await producer.send({ topic: topics.inbound, messages: overKafka.map((l) => ({ value: JSON.stringify(l.payload) })) })
      await producer.disconnect()

      const expected = expectedByStorefront([...overHttp, ...overKafka], false)
      let last = ''
      for (const deadline = Date.now() + 60000; Date.now() < deadline; await sleep(250)) {
        const v = (await (await fetch(`${query.url}/v1/views/storefronts`)).json()) as {
          storefronts: Record<string, { total: number; byAction: Record<string, number> }>
        }
        const got = Object.fromEntries(Object.entries(v.storefronts).map(([k, s]) => [k, s.total]))
        last = JSON.stringify(got)
        if (got['AppSource'] === expected['AppSource']!.total && got['AzureMarketplace'] === expected['AzureMarketplace']!.total) break
      }
      assert.is(last, JSON.stringify({ AppSource: expected['AppSource']!.total, AzureMarketplace: expected['AzureMarketplace']!.total }))
      const campaigns = (await (await fetch(`${query.url}/v1/views/campaigns`)).json()) as { campaigns: Record<string, { total: number }> }
      assert.is(campaigns.campaigns['nurture']?.total, expected['AppSource']!.total)
      // and every counter equals a fold of the event store
      const views = await postgresViewStore({ connectionString: pgUrl, schema })
      try {
        assert.is(diffCounters(foldCounters(readEvents(dataDir)), await portCounters(views)), '')
      } finally {
        await views.close()
      }
    } finally {
      await killAllServices()
      await deleteTopics(brokers, Object.values(topics)).catch(() => undefined)
      await dropSchemas(pgUrl, [schema, `${schema}_dead_letters`, `${schema}_idempotency`]).catch(() => undefined)
      rmSync(dataDir, { recursive: true, force: true })
      rmSync(queryDir, { recursive: true, force: true })
    }
  })
}

test.run()
