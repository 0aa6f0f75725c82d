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
import { mulberry32, sleep } from '../durability/workload.js'
import { diffCounters, foldCounters, portCounters, readEvents } from '../support/fold.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { killAllServices, startService } from '../support/services.js'
import { verdict } from './check.js'
import { Fleet } from './fleet.js'
import { Ledger, type Format } from './ledger.js'
import { httpClient, post, Redeliveries, kafkaUpstream } from './load.js'
import { probes, Recovery } from './recovery.js'

const brokers = requireKafka('chaos on the distributed mode')
const pgUrl = await requirePostgres('chaos on the distributed mode')
const seed = Number(process.env['CHAOS_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const KILLS = Number(process.env['CHAOS_KILLS'] ?? 54)
const HTTP_CLIENTS = 3
const test = suite('chaos on the distributed mode')

const secs = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`)

if (brokers !== null && pgUrl !== null) {
  test('chaos :: kill -9 of ingest, relay and projectors loses no acknowledged lead and double-counts none', async () => {
    const started = Date.now()
    process.stdout.write(`\nchaos: seed ${seed} (CHAOS_SEED=${seed} replays its choices), ${KILLS} kills (CHAOS_KILLS)\n`)
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-chaos-'))
    const schema = `chaos_${process.pid}_${Date.now().toString(36)}`
    const { topics, env: kafkaEnv } = await pipeline(brokers, dataDir, 'chaos')
    const ingestGroup = kafkaEnv['LEADSTREAM_INGEST_GROUP'] ?? 'leadstream-ingest'
    // The shortest consumer-group session the broker allows, so the Kafka paths make progress between kills.
    const env = { ...kafkaEnv, LEADSTREAM_KAFKA_SESSION_MS: '6000', LEADSTREAM_VIEW_STORE: 'postgres', LEADSTREAM_POSTGRES_URL: pgUrl, LEADSTREAM_POSTGRES_SCHEMA: schema }
    const kafka = kafkaClient(brokers, 'leadstream-chaos')
    const admin = kafka.admin()
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    const fleet = new Fleet(env, 2)
    const cleanups: Array<() => Promise<unknown>> = []
    try {
      await Promise.all([admin.connect(), producer.connect()])
      cleanups.push(() => admin.disconnect(), () => producer.disconnect())
      await fleet.start()
      const query = await startService('query-api', env)
      const views = await postgresViewStore({ connectionString: pgUrl, schema })
      cleanups.push(() => views.close())
      const probe = probes(admin, views, dataDir)
      cleanups.push(async () => probe.close())
      const recovery = new Recovery(probe, { inbound: topics.inbound, events: topics.events, ingestGroup: ingestGroup })
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

      // --- upstream re-delivers whatever got no answer, until it is answered -----------------------------
      for (const deadline = Date.now() + 60000; ledger.unacked().length > 0 && Date.now() < deadline; ) {
        for (const format of ['marketplace', 'native'] as Format[]) {
          const pending = ledger.unacked().filter((p) => p.lead.format === format)
          for (let i = 0; i < pending.length; i += 100) await post(ledger, ingestUrl, format, pending.slice(i, i + 100), false, null, 5)
        }
      }
      assert.is(ledger.unacked().length, 0, `[seed ${seed}] every lead answered after re-delivery`)

      // --- recovery: inbound consumed, relay caught up, views equal the fold of the whole log -------------
      let recoveredAt: number | null = null
      let diff = 'not compared yet'
      for (const deadline = Date.now() + 120000; Date.now() < deadline; await sleep(250)) {
        const inboundHighs = await probe.highs(topics.inbound)
        const committed = await probe.committed(ingestGroup, topics.inbound)
        const consumed = [...inboundHighs].every(([p, high]) => high === 0 || committed.get(p) === high)
        if (!consumed || probe.relayCheckpoint() < probe.storeHead()) continue
        diff = diffCounters(foldCounters(readEvents(dataDir)), await portCounters(views))
        if (diff === '') {
          recoveredAt = Date.now()
          break
        }
      }
      await recovery.stop()
      assert.ok(recoveredAt !== null, `[seed ${seed}] the views never equalled the fold of the log:\n${diff}`)

      // --- the verdict ----------------------------------------------------------------------------------
      const v = await verdict(readEvents(dataDir), ledger, views, query.url)
      const pairs = ledger.all()
      const byKind = fleet.killsBy()
      const r = recovery.summary()
      const down = fleet.downtimeBy()
      const line = (kind: 'ingest' | 'relay' | 'projector', what: string) =>
        `${kind} ${secs(r[kind].median)} / ${secs(r[kind].max)}${r[kind].unrecovered > 0 ? ` (${r[kind].unrecovered} overtaken by the end)` : ''} ${what}`
      process.stdout.write(
        [
          `chaos: seed ${seed}: ${fleet.kills.length} kills in ${secs(chaosEnd - chaosStart)} (ingest ${byKind.ingest}, relay ${byKind.relay}, projectors ${byKind.projector}; ${byKind.starting} of them still starting); ${fleet.failures.length} failed starts or crashes`,
          `  acknowledged: ${pairs.filter((p) => p.ackedBy.has('http')).length} lead actions over HTTP (${ledger.stats.requests} requests, ${ledger.stats.unanswered} unanswered, ${ledger.stats.idempotentReplays} idempotent replays), ` +
            `${pairs.filter((p) => p.ackedBy.has('kafka')).length} over Kafka (${ledger.stats.kafkaSends} sends); ${v.leads} leads, ${v.events} events in the store`,
          `  duplicates answered: ${pairs.reduce((n, p) => n + p.duplicates, 0)}; rejected for concurrent change, re-sent: ${ledger.stats.rejectedItems}; 5xx answers: ${ledger.stats.serverErrors}`,
          `  lost: ${v.lost}; double-written: ${v.doubleWritten}; views vs fold: ${v.viewExcess} counted twice, ${v.viewShortfall} missing`,
          `  recovery after the last kill until the views equal the fold: ${secs(recoveredAt - lastKill)}`,
          `  back serving after a kill, median / max: ingest ${secs(down.ingest.median)} / ${secs(down.ingest.max)}; relay ${secs(down.relay.median)} / ${secs(down.relay.max)}; projector ${secs(down.projector.median)} / ${secs(down.projector.max)}`,
          `  recovery after each kill, median / max: ${line('ingest', '(inbound topic consumed)')}; ${line('relay', '(store head published)')}; ${line('projector', '(lead-events applied)')}`,
          `  total ${secs(Date.now() - started)}`,
          '',
        ].join('\n'),
      )
      assert.equal(fleet.failures, [], `[seed ${seed}] every service restarted and died only when killed`)
      assert.ok(fleet.kills.length >= KILLS, `[seed ${seed}] ${fleet.kills.length} kills, ${KILLS} asked for`)
      for (const kind of ['ingest', 'relay', 'projector'] as const) assert.ok(byKind[kind] > 0, `[seed ${seed}] ${kind} was killed`)
      assert.equal(v.failures, [], `[seed ${seed}] chaos checks`)
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
