// The webhook dispatcher of the distributed mode: a consumer group on a real Kafka `lead-events` topic (three
// partitions), its delivery log and checkpoints in real PostgreSQL. Every event reaches the receiver signed and
// in order per lead; stopped (drained) and started again, it resumes from its checkpoint and sends only what
// is new.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { WebhookPayload } from '@leadstream/api'
import { event, offer, type DomainEvent, type RecordedEvent } from '@leadstream/domain'
import { kafkaEventLog, toMessage } from '@leadstream/event-log'
import { createLogger, createMetrics, loadConfig } from '@leadstream/runtime'
import { newSecret } from '@leadstream/delivery-log'
import { startWebhooks, webhookSettings } from '@leadstream/webhooks'
import * as E from 'fp-ts/lib/Either.js'
import { decodeAs } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { createTopic, deleteTopics, kafkaClient, requireKafka, uniqueTopic } from '../support/kafka.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { startReceiver } from '../support/receiver.js'

const brokers = requireKafka('webhooks on kafka')
const pgUrl = await requirePostgres('webhooks on kafka')
const test = suite('webhooks :: dispatcher on Kafka and PostgreSQL')

let position = 0
const rec = (leadId: string, revision: number, e: DomainEvent): RecordedEvent => ({
  eventId: `${leadId}-${revision}`,
  streamId: `lead-${leadId}`,
  revision,
  position: ++position,
  event: e,
  metadata: {},
  recordedAt: new Date().toISOString(),
})
const life = (leadId: string): RecordedEvent[] => [
  rec(
    leadId,
    0,
    event('LeadCaptured', {
      leadId,
      storefront: 'AppSource',
      campaign: 'nurture',
      leadSource: 'AppSource',
      action: 'INS',
      offer: offer('contoso.crm', 'Contoso CRM'),
      country: 'GB',
      personal: null,
      campaigns: [],
      isTest: false,
      doNotContact: false,
      format: 'native',
      occurredAt: '2026-12-01T09:00:00.000Z',
    }),
  ),
  rec(leadId, 1, event('LeadContacted', { leadId, by: 'sales', at: '2026-12-01T09:10:00.000Z', personal: null, channel: 'email' })),
  rec(leadId, 2, event('LeadNurturingStarted', { leadId, by: 'sales', at: '2026-12-01T09:20:00.000Z', personal: null })),
]

if (brokers !== null && pgUrl !== null) {
  test('kafka :: every event delivered signed and in order per lead; a restart resumes from the checkpoint', async () => {
    const topic = uniqueTopic('wh-events')
    const schema = `wh_kafka_${process.pid}_${Date.now().toString(36)}`
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-wh-kafka-'))
    await createTopic(brokers, topic, 3)
    const kafka = kafkaClient(brokers)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const rx = await startReceiver()
    const config = loadConfig(webhookSettings, {
      LEADSTREAM_WEBHOOK_STORE: 'postgres',
      LEADSTREAM_POSTGRES_URL: pgUrl,
      LEADSTREAM_POSTGRES_SCHEMA: schema,
      LEADSTREAM_WEBHOOK_POLL_MS: '20',
    })
    if (E.isLeft(config)) throw new Error(config.left.join('; '))
    const start = () =>
      startWebhooks(
        { ...config.right, dataDir },
        {
          log: kafkaEventLog({ kafka, topic, groupId: `wh-${topic}`, sessionTimeoutMs: 6000 }),
          keys: null,
          registry: createMetrics().registry,
          logger: createLogger('test', 'silent'),
        },
      )
    try {
      let w = await start()
      const secret = newSecret()
      rx.secrets.set('/crm', secret)
      await w.store.addSubscription({
        id: 'crm',
        url: `${rx.url}/crm`,
        events: ['lead.captured', 'lead.state_changed'],
        filters: {},
        secret,
        includeContact: false,
        description: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      })
      w.dispatcher.subscriptionsChanged()
      const first = Array.from({ length: 12 }, (_, i) => life(`kafka-lead-${i}`)).flat()
      await producer.send({ topic, acks: -1, messages: first.map(toMessage) })
      const delivered = () => new Set(rx.receipts.filter((r) => r.answered === 204).map((r) => decodeAs(WebhookPayload, JSON.parse(r.body)).data.eventId))
      await eventually('the first events delivered', () => (first.every((e) => delivered().has(e.eventId)) ? true : undefined), 30000, 100)
      await w.close()

      const before = rx.receipts.length
      const second = Array.from({ length: 6 }, (_, i) => life(`kafka-lead-b${i}`)).flat()
      await producer.send({ topic, acks: -1, messages: second.map(toMessage) })
      w = await start()
      await eventually('the new events delivered', () => (second.every((e) => delivered().has(e.eventId)) ? true : undefined), 30000, 100)
      await w.close()

      assert.ok(
        rx.receipts.every((r) => r.verified),
        'signatures verify with standardwebhooks',
      )
      const resent = rx.receipts.slice(before).filter((r) => first.some((e) => e.eventId === decodeAs(WebhookPayload, JSON.parse(r.body)).data.eventId))
      assert.is(resent.length, 0, 'the restart resumed from the checkpoint: nothing of the first batch was sent again')
      const perLead = new Map<string, number[]>()
      for (const r of rx.receipts) {
        const p = decodeAs(WebhookPayload, JSON.parse(r.body))
        perLead.set(p.data.leadId, [...(perLead.get(p.data.leadId) ?? []), p.data.position])
      }
      for (const [lead, positions] of perLead)
        assert.equal(
          positions,
          [...positions].sort((a, b) => a - b),
          `${lead} in log order`,
        )
      assert.is(rx.receipts.length, first.length + second.length, 'each event once (the receiver never failed)')
    } finally {
      await producer.disconnect()
      await rx.close()
      await deleteTopics(brokers, [topic])
      await dropSchemas(pgUrl, [`${schema}_webhooks`])
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
  test('kafka :: a subscription created after the events replays them from position 0 (its own consumer group), in order, each once', async () => {
    const topic = uniqueTopic('wh-replay')
    const schema = `wh_kreplay_${process.pid}_${Date.now().toString(36)}`
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-wh-kafka-'))
    await createTopic(brokers, topic, 3)
    const kafka = kafkaClient(brokers)
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const rx = await startReceiver()
    const config = loadConfig(webhookSettings, {
      LEADSTREAM_WEBHOOK_STORE: 'postgres',
      LEADSTREAM_POSTGRES_URL: pgUrl,
      LEADSTREAM_POSTGRES_SCHEMA: schema,
      LEADSTREAM_WEBHOOK_POLL_MS: '20',
    })
    if (E.isLeft(config)) throw new Error(config.left.join('; '))
    const w = await startWebhooks(
      { ...config.right, dataDir },
      {
        log: kafkaEventLog({ kafka, topic, groupId: `wh-${topic}`, sessionTimeoutMs: 6000 }),
        openReplayLog: (name) => kafkaEventLog({ kafka, topic, groupId: `wh-${topic}-replay-${name}`, sessionTimeoutMs: 6000 }),
        keys: null,
        registry: createMetrics().registry,
        logger: createLogger('test', 'silent'),
      },
    )
    try {
      // The first subscription keeps the live dispatcher reading; the late one exists only after the events.
      await w.store.addSubscription({
        id: 'early',
        url: `${rx.url}/early`,
        events: ['lead.captured'],
        filters: {},
        secret: newSecret(),
        includeContact: false,
        description: null,
        createdAt: '2026-01-01T00:00:00.000Z',
      })
      w.dispatcher.subscriptionsChanged()
      const events = Array.from({ length: 8 }, (_, i) => life(`kreplay-lead-${i}`)).flat()
      await producer.send({ topic, acks: -1, messages: events.map(toMessage) })
      const at = (path: string) => rx.receipts.filter((r) => r.path === path && r.answered === 204).map((r) => decodeAs(WebhookPayload, JSON.parse(r.body)))
      await eventually('the early subscription has the captures', () => (at('/early').length >= 8 ? true : undefined), 30000, 100)
      const secret = newSecret()
      rx.secrets.set('/late', secret)
      const late = {
        id: 'late',
        url: `${rx.url}/late`,
        events: ['lead.captured', 'lead.state_changed'] as const,
        filters: {},
        secret,
        includeContact: false,
        description: null,
        createdAt: new Date().toISOString(),
      }
      await w.store.addSubscription({ ...late, events: [...late.events] })
      const started = await w.dispatcher.replayFromLog({ ...late, events: [...late.events] }, { position: 0 })
      assert.is(started?.state, 'reading')
      const done = await eventually(
        'the replay done',
        async () => {
          const r = await w.dispatcher.replayProgress('late')
          return r !== null && r.state !== 'reading' ? r : undefined
        },
        30000,
        100,
      )
      assert.is(done.state, 'done', JSON.stringify(done))
      assert.is(done.requeued, events.length)
      await eventually('every event delivered to the late one', () => (at('/late').length >= events.length ? true : undefined), 30000, 100)
      const perLead = new Map<string, number[]>()
      for (const p of at('/late')) perLead.set(p.data.leadId, [...(perLead.get(p.data.leadId) ?? []), p.data.position])
      for (const [lead, positions] of perLead)
        assert.equal(
          positions,
          [...positions].sort((a, b) => a - b),
          `${lead} in log order`,
        )
      assert.is(new Set(at('/late').map((p) => p.data.eventId)).size, events.length, 'each event once')
      assert.is(at('/early').length, 8, 'the other subscription got nothing again')
      assert.ok(rx.receipts.filter((r) => r.path === '/late').every((r) => r.verified))
    } finally {
      await w.close()
      await producer.disconnect()
      await rx.close()
      await deleteTopics(brokers, [topic])
      await dropSchemas(pgUrl, [`${schema}_webhooks`])
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

test.run()
