// The distributed pipeline on a real Kafka broker, every service a real child process:
// leads.inbound → ingest → event store → relay → lead-events (3 partitions) → two projectors → views.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { diffCounters, foldCounters, readEvents, viewCounters } from '../support/fold.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { expectedByStorefront, malformedLeads, marketplaceLead, rng, type GeneratedLead } from '../support/leads.js'
import { eventually } from '../support/eventually.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { killAllServices, startService, type Service } from '../support/services.js'
import { newKey } from '@leadstream/privacy'
import { setTimeout as sleep } from 'node:timers/promises'

const brokers = requireKafka('kafka pipeline')
// The data keys live in PostgreSQL, as in the distributed mode: the partitions case runs a projector over a
// data directory of its own, which must open the same keys (an unknown key id stops a projector).
const pgUrl = await requirePostgres('kafka pipeline')
const keySchema = `pipeline_${process.pid}_${Date.now().toString(36)}`

interface Ctx {
  dataDir: string
  singleDir: string
  env: Record<string, string>
  topics: { inbound: string; dlq: string; events: string }
  ingest: Service
  relay: Service
  projectors: Service[]
  query: Service
  leads: GeneratedLead[]
}

/** Polls (with eventually) until `check` returns '' (converged) or the deadline passes; returns the last difference. */
const converge = async (check: () => string | Promise<string>, timeoutMs = 60000): Promise<string> => {
  let last = ''
  const probe = async () => {
    try {
      last = await check()
    } catch (e) {
      last = e instanceof Error ? e.message : String(e)
    }
    return last === '' ? true : undefined
  }
  await eventually('convergence', probe, timeoutMs, 250).catch(() => undefined)
  return last
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: (await res.json()) as { accepted: number; duplicates: number; rejected: number; position: number } }
}

const test = suite<Ctx>('kafka pipeline')

if (brokers !== null && pgUrl !== null) {
  test.before(async (ctx) => {
    try {
      await setUp(ctx)
    } catch (e) {
      // uvu reports a failing hook without its error: say it here
      console.error('kafka pipeline set-up failed:', e)
      throw e
    }
  })
  const setUp = async (ctx: Ctx) => {
    ctx.dataDir = mkdtempSync(join(tmpdir(), 'leadstream-kafka-'))
    ctx.singleDir = mkdtempSync(join(tmpdir(), 'leadstream-kafka-single-'))
    const { topics, env } = await pipeline(brokers, ctx.dataDir, 'pipeline')
    ctx.topics = topics
    ctx.env = {
      ...env,
      LEADSTREAM_PROJECTOR_BATCH: '200',
      LEADSTREAM_KEY_STORE: 'postgres',
      LEADSTREAM_POSTGRES_URL: pgUrl ?? '',
      LEADSTREAM_POSTGRES_SCHEMA: keySchema,
      LEADSTREAM_MASTER_KEY: newKey().toString('base64'),
    }
    // ingest first: it creates the event store before the relay opens it
    ctx.ingest = await startService('ingest', ctx.env)
    ;[ctx.relay, ctx.query, ...ctx.projectors] = await Promise.all([
      startService('relay', ctx.env),
      startService('query-api', ctx.env),
      startService('projector', ctx.env),
      startService('projector', ctx.env),
    ])
    const r = rng(11)
    ctx.leads = Array.from({ length: 240 }, (_, i) => marketplaceLead(i, r, { upperCaseKeys: i % 3 !== 0 }))
    for (let i = 0; i < 6; i++) ctx.leads.push(marketplaceLead(900 + i, r, { test: true }))
  }

  test.after(async (ctx) => {
    await killAllServices()
    await deleteTopics(brokers, Object.values(ctx.topics)).catch(() => undefined)
    rmSync(ctx.dataDir, { recursive: true, force: true })
    rmSync(ctx.singleDir, { recursive: true, force: true })
    if (pgUrl !== null) await dropSchemas(pgUrl, [`${keySchema}_keys`]).catch(() => undefined)
  })

  test('inbound :: leads on leads.inbound reach the views; bad messages land in the DLQ with reasons', async (ctx) => {
    const producer = kafkaClient(brokers).producer()
    await producer.connect()
    const messages = [
      ...ctx.leads.map((l) => ({ key: String(l.identity), value: JSON.stringify(l.payload), headers: { format: 'marketplace' } })),
      // re-deliveries of the first 30
      ...ctx.leads.slice(0, 30).map((l) => ({ key: String(l.identity), value: JSON.stringify(l.payload) })),
      ...malformedLeads().map((m) => ({ key: 'bad', value: JSON.stringify(m) })),
      { key: 'bad', value: '{not json' },
    ]
    await producer.send({ topic: ctx.topics.inbound, messages })
    await producer.disconnect()

    const expected = expectedByStorefront(ctx.leads, false)
    const diff = await converge(async () => {
      const res = await fetch(`${ctx.query.url}/v1/views/storefronts`)
      const v = ((await res.json()) as { storefronts: Record<string, { total: number; byAction: Record<string, number> }> }).storefronts
      const wrong = (['AppSource', 'AzureMarketplace'] as const).filter(
        (sf) => v[sf]?.total !== expected[sf]!.total || Object.entries(expected[sf]!.actions).some(([a, n]) => v[sf]?.byAction[a] !== n),
      )
      return wrong.length === 0 ? '' : `storefronts differ: ${JSON.stringify(v)} vs ${JSON.stringify(expected)}`
    })
    assert.is(diff, '')

    // the DLQ holds every bad message with its reason in a header
    const consumer = kafkaClient(brokers).consumer({ groupId: `dlq-reader-${ctx.topics.dlq}` })
    await consumer.connect()
    await consumer.subscribe({ topic: ctx.topics.dlq, fromBeginning: true })
    const reasons: string[] = []
    await consumer.run({ eachMessage: async ({ message }) => void reasons.push(message.headers?.['dlq-reason']?.toString() ?? '') })
    const dlqDiff = await converge(() => (reasons.length >= malformedLeads().length + 1 ? '' : `${reasons.length} in the DLQ`), 30000)
    await consumer.disconnect()
    assert.is(dlqDiff, '')
    assert.is(reasons.length, malformedLeads().length + 1)
    assert.ok(
      reasons.every((r) => JSON.parse(r).length > 0),
      'each DLQ message names its problems',
    )
    assert.ok(reasons.some((r) => r.includes('malformed JSON')))
    assert.ok(
      reasons.some((r) => r.includes('Bing')),
      'the unknown lead source is named',
    )
  })

  test('kill -9 :: relay and both projectors killed mid-stream, restarted: views equal a fold of the store', async (ctx) => {
    const r = rng(23)
    let acknowledged = 0
    for (let round = 0; round < 3; round++) {
      const writing = (async () => {
        for (let b = 0; b < 6; b++) {
          const batch = Array.from({ length: 50 }, (_, i) => marketplaceLead(10000 + round * 1000 + b * 50 + i, r).payload)
          const a = await post(`${ctx.ingest.url}/v1/marketplace/leads`, batch)
          acknowledged += a.body.accepted
          await sleep(20)
        }
      })()
      await sleep(100 + Math.floor(r() * 300))
      for (const s of [ctx.relay, ...ctx.projectors]) s.kill('SIGKILL')
      await Promise.all([ctx.relay, ...ctx.projectors].map((s) => s.exited))
      await writing
      ;[ctx.relay, ...ctx.projectors] = await Promise.all([
        startService('relay', ctx.env),
        startService('projector', ctx.env),
        startService('projector', ctx.env),
      ])
    }
    assert.ok(acknowledged >= 3 * 6 * 40, `most posted leads were accepted (${acknowledged})`)
    const views = join(ctx.dataDir, 'views.db')
    const diff = await converge(() => diffCounters(foldCounters(readEvents(ctx.dataDir)), viewCounters(views)), 90000)
    assert.is(diff, '', 'no event lost, none counted twice')
  })

  test('partitions :: two projectors over 3 partitions give the views one projector gives', async (ctx) => {
    const single = await startService('projector', {
      ...ctx.env,
      LEADSTREAM_DATA_DIR: ctx.singleDir,
      LEADSTREAM_PROJECTOR_GROUP: `single-${ctx.topics.events}`,
      LEADSTREAM_PROJECTOR_BATCH: '5000',
    })
    try {
      const expected = foldCounters(readEvents(ctx.dataDir))
      const diff = await converge(() => diffCounters(expected, viewCounters(join(ctx.singleDir, 'views.db'))), 60000)
      assert.is(diff, '')
      assert.is(diffCounters(viewCounters(join(ctx.singleDir, 'views.db')), viewCounters(join(ctx.dataDir, 'views.db'))), '')
    } finally {
      single.kill('SIGTERM')
      const exit = await single.exited
      assert.is(exit.code, 0, 'the projector drains and exits 0 on SIGTERM')
    }
  })
}

test.run()
