// CRM lifecycle events through Kafka `leads.inbound` (a real broker and a real ingest process): decided like over
// HTTP, at their own occurredAt; an impossible transition goes to the DLQ topic with its reason (and to dead
// letters); one that arrives before its lead is parked and applied when the capture comes.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Sealed } from '@leadstream/domain'
import { findInFiles } from '../support/bytes.js'
import { eventually } from '../support/eventually.js'
import { readEvents } from '../support/fold.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka, uniqueTopic } from '../support/kafka.js'
import { killAllServices, startService } from '../support/services.js'

const brokers = requireKafka('kafka lifecycle events')
const test = suite('kafka :: lifecycle events from a CRM')

const native = (type: string, leadId: string, occurredAt: string, data?: Record<string, unknown>) => ({
  type,
  version: 1,
  eventId: `k-${leadId}-${type}`,
  leadId,
  occurredAt,
  ...(data === undefined ? {} : { data }),
})
const capture = (leadId: string, occurredAt: string) =>
  native('LeadCaptured', leadId, occurredAt, {
    storefront: 'AppSource',
    action: 'PLT',
    offer: { id: 'contoso.crm' },
    customer: { email: `${leadId}@example.com` },
  })

if (brokers !== null) {
  test('kafka :: applied at occurredAt, impossible → DLQ with the reason, before the lead → parked then applied', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-kafka-lifecycle-'))
    const { topics, env } = await pipeline(brokers, dataDir, 'crmin-lifecycle')
    const producer = kafkaClient(brokers).producer()
    const dlq = kafkaClient(brokers).consumer({ groupId: uniqueTopic('crmin-dlq-reader') })
    try {
      const ingest = await startService('ingest', env)
      await eventually(
        'the inbound consumer running',
        async () => {
          const h = (await (await fetch(`${ingest.url}/healthz`)).json()) as { kafka: { state: string } | null }
          return h.kafka?.state === 'running' ? true : undefined
        },
        60_000,
        100,
      )
      await producer.connect()
      const send = (leadId: string, value: unknown) =>
        producer.send({ topic: topics.inbound, acks: -1, messages: [{ key: leadId, value: JSON.stringify(value) }] })
      await send('KA', capture('KA', '2026-02-01T00:00:00Z'))
      await send('KA', native('LeadContacted', 'KA', '2026-02-01T03:00:00Z', { channel: 'meeting', note: 'met Kestrelwyn at the expo' }))
      await send('KA', native('LeadConverted', 'KA', '2026-02-02T00:00:00Z'))
      await send('KB', native('LeadContacted', 'KB', '2026-02-05T00:00:00Z'))

      const streamOf = (leadId: string) => readEvents(dataDir).filter((e) => e.streamId === `lead-${leadId}`)
      await eventually('KA captured and contacted', () => (streamOf('KA').length === 2 ? true : undefined), 30_000, 100)
      const contacted = streamOf('KA')[1]!
      assert.is(contacted.event.type, 'LeadContacted')
      // The CRM's note is stored sealed with the lead's key, never in clear.
      const { personal, ...clear } = contacted.event.data as Record<string, unknown>
      assert.equal(clear, { leadId: 'KA', by: 'upstream', at: '2026-02-01T03:00:00.000Z', channel: 'meeting' })
      assert.ok(Sealed.is(personal), JSON.stringify(personal))
      assert.equal(
        findInFiles(dataDir, ['Kestrelwyn'], (f) => f.startsWith('events.db')),
        [],
        'the note in clear in the event store',
      )

      await dlq.connect()
      await dlq.subscribe({ topic: topics.dlq, fromBeginning: true })
      const reasons: string[] = []
      void dlq.run({ eachMessage: async ({ message }) => void reasons.push(message.headers?.['dlq-reason']?.toString() ?? '') })
      const reason = await eventually('the impossible conversion on the DLQ', () => reasons.find((r) => r.includes('ConvertLead')), 30_000, 100)
      assert.match(reason, /not allowed from contacted: allowed only from qualified/)

      assert.is(streamOf('KB').length, 0, 'KB is parked, not written')
      await send('KB', capture('KB', '2026-02-04T00:00:00Z'))
      await eventually('KB captured, then its parked contact applied', () => (streamOf('KB').length === 2 ? true : undefined), 30_000, 100)
      assert.equal(
        streamOf('KB').map((e) => e.event.type),
        ['LeadCaptured', 'LeadContacted'],
      )
    } finally {
      await dlq.disconnect().catch(() => undefined)
      await producer.disconnect().catch(() => undefined)
      await killAllServices()
      await deleteTopics(brokers, Object.values(topics)).catch(() => undefined)
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

test.run()
