// Chaos on the distributed mode: real Kafka, real PostgreSQL, every service a child process. Ingest, relay and
// two projectors are SIGKILLed at random moments (≥ 50 kills) while leads arrive over HTTP and Kafka; then
// every acknowledged lead must be in the event store exactly once and the views must equal a fold of the log.
// CHAOS_SEED replays a run's choices (timing stays real); CHAOS_KILLS asks for more kills.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { postgresViewStore } from '@leadstream/view-store'
import { mulberry32 } from '../durability/workload.js'
import { readEvents } from '../support/fold.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { killAllServices, startService } from '../support/services.js'
import { verdict } from './check.js'
import { Fleet, kinds } from './fleet.js'
import { Ledger } from './ledger.js'
import { httpClient, kafkaUpstream, redeliverAll, Redeliveries } from './load.js'
import { probes, Recovery, untilRecovered } from './recovery.js'
import { figures } from './report.js'

const brokers = requireKafka('chaos on the distributed mode')
const pgUrl = await requirePostgres('chaos on the distributed mode')
const seed = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const KILLS = Number(process.env['CHAOS_KILLS'] ?? 54)
const HTTP_CLIENTS = 3
const test = suite('chaos on the distributed mode')

if (brokers !== null && pgUrl !== null) {
  test('chaos :: kill -9 of ingest, relay and projectors loses no acknowledged lead and double-counts none', async () => {
    const started = Date.now()
    process.stdout.write(`\nchaos: seed ${seed} (CHAOS_SEED=${seed} replays its choices), ${KILLS} kills (CHAOS_KILLS)\n`)
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-chaos-'))
    const schema = `chaos_${process.pid}_${Date.now().toString(36)}`
    const { topics, env: kafkaEnv } = await pipeline(brokers, dataDir, 'chaos')
    const ingestGroup = kafkaEnv['LEADSTREAM_INGEST_GROUP'] ?? 'leadstream-ingest'
    // The shortest consumer-group session the broker allows, so the Kafka paths make progress between kills.
    const env = {
      ...kafkaEnv,
      LEADSTREAM_KAFKA_SESSION_MS: '6000',
      LEADSTREAM_VIEW_STORE: 'postgres',
      LEADSTREAM_POSTGRES_URL: pgUrl,
      LEADSTREAM_POSTGRES_SCHEMA: schema,
    }
    const kafka = kafkaClient(brokers, 'leadstream-chaos')
    const admin = kafka.admin()
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    const fleet = new Fleet(env, 2)
    const cleanups: Array<() => Promise<unknown>> = []
    try {
      await Promise.all([admin.connect(), producer.connect()])
      cleanups.push(
        () => admin.disconnect(),
        () => producer.disconnect(),
      )
      await fleet.start()
      const query = await startService('query-api', env)
      const views = await postgresViewStore({ connectionString: pgUrl, schema })
      cleanups.push(() => views.close())
      const probe = probes(admin, views, dataDir)
      cleanups.push(async () => probe.close())
      const pipelineTopics = { inbound: topics.inbound, events: topics.events, ingestGroup }
      const recovery = new Recovery(probe, pipelineTopics)
      cleanups.push(() => recovery.stop())

      // --- load and chaos, together ---------------------------------------------------------------------
      const ledger = new Ledger(seed, `${seed.toString(36)}${Date.now().toString(36)}`)
      const ingestUrl = () => fleet.url('ingest')
      const redeliveries = new Redeliveries()
      const live = { running: true }
      const load = [
        ...Array.from({ length: HTTP_CLIENTS }, (_, c) => httpClient(ledger, c, ingestUrl, redeliveries, live)),
        kafkaUpstream(ledger, producer, topics.inbound, live),
      ]
      const chaosStart = Date.now()
      try {
        await fleet.chaos({
          kills: KILLS,
          rand: mulberry32(seed ^ 0xc4a05),
          intervalMs: [1200, 3000],
          restartMs: [100, 800],
          onKill: (k) => recovery.watch(k),
          deadline: chaosStart + KILLS * 4000,
        })
      } finally {
        live.running = false
        await Promise.all(load)
      }
      const chaosEnd = Date.now()
      const lastKill = fleet.kills[fleet.kills.length - 1]?.at ?? chaosEnd

      // --- upstream re-delivers whatever got no answer; then the pipeline must settle on the fold of the log ---
      await redeliverAll(ledger, ingestUrl, 60000)
      assert.is(ledger.unacked().length, 0, `[seed ${seed}] every lead answered after re-delivery`)
      const recovered = await untilRecovered(probe, views, dataDir, pipelineTopics, 120000)
      await recovery.stop()
      if (!('at' in recovered)) assert.unreachable(`[seed ${seed}] the views never equalled the fold of the log:\n${recovered.diff}`)
      else {
        const v = await verdict(readEvents(dataDir), ledger, views, query.url)
        process.stdout.write(figures(seed, fleet, ledger, recovery, v, { started, chaosStart, chaosEnd, lastKill, recoveredAt: recovered.at }))
        assert.equal(fleet.failures, [], `[seed ${seed}] every service restarted and died only when killed`)
        assert.ok(fleet.kills.length >= KILLS, `[seed ${seed}] ${fleet.kills.length} kills, ${KILLS} asked for`)
        const by = fleet.killsBy()
        for (const kind of kinds) assert.ok(by[kind] > 0, `[seed ${seed}] ${kind} was killed`)
        assert.equal(v.failures, [], `[seed ${seed}] chaos checks`)
      }
    } finally {
      fleet.stop()
      await killAllServices()
      for (const c of cleanups.reverse()) await c().catch(() => undefined)
      await deleteTopics(brokers, Object.values(topics)).catch(() => undefined)
      await dropSchemas(pgUrl, [schema]).catch(() => undefined)
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

test.run()
