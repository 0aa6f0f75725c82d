// Rebuild on the production engines: PostgreSQL views fed by two projector processes over Kafka. The new
// generation is built from the earliest offsets with its own consumer group beside the live one, promoted
// when caught up, and served by the query API; the result equals a fold of the event store.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { postgresViewStore } from '@leadstream/view-store'
import { diffCounters, foldCounters, portCounters, readEvents } from '../support/fold.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { marketplaceLead, rng } from '../support/leads.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { killAllServices, startService } from '../support/services.js'
import { setTimeout as sleep } from 'node:timers/promises'

const brokers = requireKafka('rebuild on PostgreSQL + Kafka')
const pgUrl = await requirePostgres('rebuild on PostgreSQL + Kafka')
const test = suite('rebuild on PostgreSQL + Kafka')

if (brokers !== null && pgUrl !== null) {
  test('rebuild :: a new generation built from Kafka goes live and equals a fold of the store', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-rebuild-'))
    const schema = `rebuild_${process.pid}_${Date.now().toString(36)}`
    const { topics, env: kafkaEnv } = await pipeline(brokers, dataDir, 'rebuild')
    const env = { ...kafkaEnv, LEADSTREAM_VIEW_STORE: 'postgres', LEADSTREAM_POSTGRES_URL: pgUrl, LEADSTREAM_POSTGRES_SCHEMA: schema }
    try {
      const ingest = await startService('ingest', env)
      const [, query, projector] = await Promise.all([
        startService('relay', env),
        startService('query-api', env),
        startService('projector', env),
        startService('projector', env),
      ])
      const r = rng(53)
      let n = 0
      const post = async (count: number) => {
        const res = await fetch(`${ingest.url}/v1/marketplace/leads`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(Array.from({ length: count }, () => marketplaceLead(n++, r).payload)),
        })
        return (await res.json()) as { accepted: number }
      }
      for (let i = 0; i < 4; i++) await post(150)
      const rebuild = await fetch(`${projector!.url}/v1/admin/projections/leads/rebuild`, { method: 'POST' })
      assert.is(rebuild.status, 202)
      await post(150) // ingest goes on during the rebuild
      let live = 1
      for (const deadline = Date.now() + 60000; Date.now() < deadline && live !== 2; await sleep(250)) {
        const s = (await (await fetch(`${projector!.url}/v1/admin/projections`)).json()) as {
          projections: Array<{ registry: { live: number; building: number | null } }>
        }
        if (s.projections[0]?.registry.building === null) live = s.projections[0].registry.live
      }
      assert.is(live, 2, 'generation 2 went live')
      const views = await postgresViewStore({ connectionString: pgUrl, schema: `${schema}_g2` })
      try {
        let diff = ''
        for (const deadline = Date.now() + 30000; Date.now() < deadline; await sleep(250)) {
          diff = diffCounters(foldCounters(readEvents(dataDir)), await portCounters(views))
          if (diff === '') break
        }
        assert.is(diff, '')
      } finally {
        await views.close()
      }
      const health = (await (await fetch(`${query.url}/healthz`)).json()) as { generation: number }
      assert.is(health.generation, 2, 'the query API reads the new generation')
      const q = (await (await fetch(`${query.url}/v1/views/qualification?includeTest=true`)).json()) as { total: number }
      assert.is(
        q.total,
        new Set(
          readEvents(dataDir)
            .filter((e) => e.event.type === 'LeadCaptured')
            .map((e) => e.streamId),
        ).size,
        'the query API serves the new generation',
      )

      // Retention removes the start of lead-events: a rebuild must take the history from the event store.
      const admin = kafkaClient(brokers).admin()
      await admin.connect()
      await admin.fetchTopicMetadata({ topics: [topics.events] }) // kafkajs deletes records only of topics it has metadata for
      await admin.deleteTopicRecords({ topic: topics.events, partitions: [0, 1, 2].map((partition) => ({ partition, offset: '-1' })) })
      await admin.disconnect()
      await post(100)
      const again = await fetch(`${projector!.url}/v1/admin/projections/leads/rebuild`, { method: 'POST' })
      assert.is(again.status, 202)
      for (const deadline = Date.now() + 60000; Date.now() < deadline && live !== 3; await sleep(250)) {
        const s = (await (await fetch(`${projector!.url}/v1/admin/projections`)).json()) as {
          projections: Array<{ registry: { live: number; building: number | null } }>
        }
        if (s.projections[0]?.registry.building === null) live = s.projections[0].registry.live
      }
      assert.is(live, 3, 'generation 3 went live')
      const g3 = await postgresViewStore({ connectionString: pgUrl, schema: `${schema}_g3` })
      try {
        let diff = ''
        for (const deadline = Date.now() + 30000; Date.now() < deadline; await sleep(250)) {
          diff = diffCounters(foldCounters(readEvents(dataDir)), await portCounters(g3))
          if (diff === '') break
        }
        assert.is(diff, '', 'the rebuilt views hold the events Kafka no longer has')
      } finally {
        await g3.close()
      }
    } finally {
      await killAllServices()
      await deleteTopics(brokers, Object.values(topics)).catch(() => undefined)
      await dropSchemas(pgUrl, [schema, `${schema}_g2`, `${schema}_g3`]).catch(() => undefined)
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

test.run()
