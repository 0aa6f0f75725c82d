// Erasure in the distributed mode: ingest, relay, projector and query API as real processes, a real Kafka broker
// and real PostgreSQL (views, dead letters, idempotency answers, keys, audit). After an erasure a byte search finds
// nothing of the person in the data dir, in any message of any topic, or in any row of leadstream's schemas.
// Before it the event store, the lead-events topic and the DLQ hold no plaintext, while the views, the dead
// letters and the upstream topic do (which proves the search finds what is there).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ErasureAnswer, LeadAnswer, privacyRoutes } from '@leadstream/api'
import { findInBytes, findInFiles } from '../support/bytes.js'
import { decodeAs, http } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { killAllServices, startService, type Service } from '../support/services.js'

const brokers = requireKafka('erasure (distributed)')
const pgUrl = await requirePostgres('erasure (distributed)')

const ann = { FirstName: 'Ystrabelle', LastName: 'Quennington', Email: 'ystrabelle.q@distributed-erasure.example', Phone: '+44 20 7946 0555', Country: 'GB' }
/** What a sales rep wrote about ann when contacting her: her personal data too, sealed like her contact fields. */
const note = 'Ystrabelle wants the Quennington pilot in March'
const needles = [ann.FirstName, ann.LastName, ann.Email, ann.Phone, note]
const bo = { FirstName: 'Bodkin', Email: 'bodkin@kept.example', Country: 'US' }
const lead = (who: Record<string, string>, offer: string) => ({ UserDetails: who, LeadSource: 'AzureMarketplace', ActionCode: 'PLT', OfferTitle: offer })

interface Ctx {
  dataDir: string
  schema: string
  env: Record<string, string>
  topics: { inbound: string; dlq: string; events: string }
  ingest: Service
  query: Service
}

/** Every message (key, value, header values) of a topic, from its first kept offset to its end. */
const messagesOf = async (topic: string): Promise<ReadonlyArray<Buffer | null>> => {
  const kafka = kafkaClient(brokers ?? [])
  const admin = kafka.admin()
  await admin.connect()
  const offsets = await admin.fetchTopicOffsets(topic)
  await admin.disconnect()
  const wanted = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high) - 1]))
  if (wanted.size === 0) return []
  const out: Array<Buffer | null> = []
  const consumer = kafka.consumer({ groupId: `erasure-search-${Date.now()}-${Math.random()}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const seen = new Map<number, number>()
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      out.push(
        message.key,
        message.value,
        ...Object.values(message.headers ?? {}).flatMap((h) => (Buffer.isBuffer(h) ? [h] : typeof h === 'string' ? [Buffer.from(h)] : [])),
      )
      seen.set(partition, Number(message.offset))
    },
  })
  await eventually(`every message of ${topic}`, () => ([...wanted].every(([p, last]) => (seen.get(p) ?? -1) >= last) ? true : undefined), 30000)
  await consumer.disconnect()
  return out
}

/** Every row of every table of leadstream's schemas, as text. */
const rowsOf = async (schemaPrefix: string): Promise<ReadonlyArray<string>> => {
  const client = new pg.Client({ connectionString: pgUrl ?? '' })
  await client.connect()
  try {
    const { rows: tables } = await client.query<{ s: string; t: string }>(
      `SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema LIKE $1 AND table_type = 'BASE TABLE'`,
      [`${schemaPrefix}%`],
    )
    const out: string[] = []
    for (const { s, t } of tables) out.push(...(await client.query<{ r: string }>(`SELECT x::text AS r FROM "${s}"."${t}" AS x`)).rows.map((r) => r.r))
    return out
  } finally {
    await client.end()
  }
}

const test = suite<Ctx>('erasure (distributed)', {} as Ctx)

if (brokers !== null && pgUrl !== null) {
  test.before(async (ctx) => {
    ctx.dataDir = mkdtempSync(join(tmpdir(), 'leadstream-erasure-dist-'))
    ctx.schema = `erasure_${process.pid}_${Date.now().toString(36)}`
    const { topics, env } = await pipeline(brokers, ctx.dataDir, 'erasure')
    ctx.topics = topics
    ctx.env = {
      ...env,
      LEADSTREAM_VIEW_STORE: 'postgres',
      LEADSTREAM_DEAD_LETTER_STORE: 'postgres',
      LEADSTREAM_IDEMPOTENCY_STORE: 'postgres',
      LEADSTREAM_KEY_STORE: 'postgres',
      LEADSTREAM_POSTGRES_URL: pgUrl,
      LEADSTREAM_POSTGRES_SCHEMA: ctx.schema,
      LEADSTREAM_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    }
    ctx.ingest = await startService('ingest', ctx.env)
    ;[, ctx.query] = await Promise.all([startService('relay', ctx.env), startService('query-api', ctx.env), startService('projector', ctx.env)])
  })

  test.after(async (ctx) => {
    await killAllServices()
    if (ctx.topics !== undefined) await deleteTopics(brokers, Object.values(ctx.topics)).catch(() => undefined)
    if (ctx.schema !== undefined) {
      const client = new pg.Client({ connectionString: pgUrl })
      await client.connect()
      const { rows } = await client.query<{ s: string }>('SELECT nspname AS s FROM pg_namespace WHERE nspname LIKE $1', [`${ctx.schema}%`])
      await client.end()
      await dropSchemas(
        pgUrl,
        rows.map((r) => r.s),
      )
    }
    if (ctx.dataDir !== undefined) rmSync(ctx.dataDir, { recursive: true, force: true })
  })

  test('erase :: nothing of the person is left in the data dir, the topics or PostgreSQL', async (ctx) => {
    // Leads by Kafka (upstream plaintext on leads.inbound), by HTTP, and a rejected one (a dead letter).
    const producer = kafkaClient(brokers).producer()
    await producer.connect()
    await producer.send({
      topic: ctx.topics.inbound,
      messages: [
        { key: 'k1', value: JSON.stringify(lead(ann, 'Contoso VM')) },
        { key: 'k2', value: JSON.stringify(lead(bo, 'Contoso VM')) },
        { key: 'k3', value: JSON.stringify({ ...lead(ann, 'Contoso CRM'), LeadSource: 'Moon' }) },
      ],
    })
    await producer.disconnect()
    const viaHttp = await http('POST', `${ctx.ingest.url}/v1/marketplace/leads`, lead(ann, 'Contoso ERP'), { 'idempotency-key': 'dist-erasure-1' })
    assert.is(viaHttp.status, 201, JSON.stringify(viaHttp.body))
    const contacted = await http('POST', `${ctx.ingest.url}/v1/leads/${(viaHttp.body as { leadId: string }).leadId}/commands`, {
      type: 'ContactLead',
      by: 'sales@contoso',
      channel: 'phone',
      note,
    })
    assert.is(contacted.status, 201, JSON.stringify(contacted.body))
    const rows = async () => (await rowsOf(ctx.schema)).join('\n')
    await eventually(
      'both of ann’s leads and bo’s in the views, the dead letter kept, the note in the history',
      async () => {
        const r = await rows()
        const inViews = r.split(ann.Email).length - 1
        return inViews >= 3 && r.includes(bo.Email) && r.includes(note) ? true : undefined
      },
      60000,
      250,
    )

    // Before: ciphertext only in the event store, lead-events and the DLQ; plaintext in the views and upstream.
    assert.equal(
      findInFiles(ctx.dataDir, needles, (f) => f.startsWith('events.db')),
      [],
    )
    assert.equal(findInBytes(await messagesOf(ctx.topics.events), needles), [])
    assert.equal(findInBytes(await messagesOf(ctx.topics.dlq), needles), [], 'the DLQ carries a notice, not the payload')
    assert.ok((await messagesOf(ctx.topics.dlq)).length > 0, 'the rejected message has its DLQ notice')
    assert.ok(findInBytes(await messagesOf(ctx.topics.inbound), needles).length > 0, 'the search finds the upstream copy')
    assert.ok(findInBytes([Buffer.from(await rows())], needles).length > 0, 'the search finds the views’ copy')

    const a = await http('POST', `${ctx.ingest.url}${privacyRoutes.erase.path}`, { email: ann.Email, by: 'dpo', reason: 'asked by letter' })
    assert.is(a.status, 200, JSON.stringify(a.body))
    const r = decodeAs(ErasureAnswer, a.body)
    assert.equal([r.outcome, r.counts.leads, r.counts.events, r.counts.deadLetters, r.counts.answers], ['erased', 2, 2, 1, 1])

    // The projector applies the erasure events: the views redact.
    await eventually('the views to redact', async () => ((await rows()).includes(ann.Email) || (await rows()).includes(note) ? undefined : true), 60000, 250)
    const leadId = (viaHttp.body as { leadId: string }).leadId
    const view = decodeAs(LeadAnswer, (await http('GET', `${ctx.query.url}/v1/leads/${leadId}`)).body)
    assert.equal([view.lead.customer.email, view.lead.customer.country], ['', 'GB'])

    assert.equal(findInBytes([Buffer.from(await rows())], needles), [], 'PostgreSQL')
    for (const t of Object.values(ctx.topics)) assert.equal(findInBytes(await messagesOf(t), needles), [], `topic ${t}`)
    assert.equal(findInFiles(ctx.dataDir, needles), [], 'the data dir')
    assert.ok(findInBytes([Buffer.from(await rows())], [bo.Email]).length > 0, 'another person’s data stays')
  })
}

test.run()
