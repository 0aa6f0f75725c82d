// The relay counts what it publishes in a metric of its own (leadstream_events_published_total), not in the
// projections' counter: a real SQLite event store, the real broker, the relay's own metrics registry.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { decide, emptyCustomer, offer, type CaptureLead, type LeadEvent } from '@leadstream/domain'
import { idempotentProducer, kafkaClient, ensureTopics } from '@leadstream/event-log'
import { sqliteEventStore } from '@leadstream/event-store'
import { relay } from '@leadstream/relay'
import { createLogger, createMetrics, sqliteCheckpoints } from '@leadstream/runtime'
import { eventually } from '../support/eventually.js'
import { deleteTopics, requireKafka, uniqueTopic } from '../support/kafka.js'
import { testPersonalData } from '../support/privacy.js'

const brokers = requireKafka('relay metrics')

const capture = (leadId: string): ReadonlyArray<LeadEvent> => {
  const c: CaptureLead = {
    type: 'CaptureLead',
    leadId,
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'INS',
    offer: offer('contoso.crm', null),
    customer: { ...emptyCustomer, email: `${leadId}@example.com` },
    description: null,
    campaigns: [],
    isTest: false,
    format: 'marketplace-https',
    occurredAt: '2026-12-01T10:00:00.000Z',
  }
  const r = decide(c, { status: 'unknown' })
  if (r._tag === 'Left') throw new Error('capture refused')
  return r.right
}

const test = suite('relay metrics')

if (brokers !== null)
  test('eventsPublished :: counts each published event; the projections’ counter stays untouched', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadstream-relay-metrics-'))
    const topic = uniqueTopic('relay-metrics')
    const logger = createLogger('relay-metrics-test', 'silent')
    const kafka = kafkaClient(brokers, 'relay-metrics-test', logger)
    await ensureTopics(kafka, [{ topic, partitions: 1 }])
    const producer = idempotentProducer(kafka)
    await producer.connect()
    const personal = await testPersonalData(dir)
    // Contact fields are sealed before they reach the store, as ingest writes them.
    const store = personal.sealing(sqliteEventStore({ path: join(dir, 'events.db'), pollMs: 20 }))
    const metrics = createMetrics()
    const r = relay({ store, producer, checkpoints: sqliteCheckpoints(join(dir, 'relay.db')), logger, metrics }, { topic, batch: 100, idleWaitMs: 20 })
    try {
      for (const leadId of ['rm-1', 'rm-2', 'rm-3']) {
        const appended = await store.append({
          streamId: `lead-${leadId}`,
          expectedRevision: 'no-stream',
          events: capture(leadId).map((event) => ({ eventId: `ev-${leadId}`, event, metadata: {} })),
        })()
        assert.is(appended._tag, 'Right', JSON.stringify(appended))
      }
      r.start()
      await eventually('the relay to publish 3 events', async () => ((await r.status()).position === 3 ? true : undefined), 20000)
      const text = await metrics.registry.metrics()
      assert.match(text, /^leadstream_events_published_total 3$/m)
      assert.not.match(text, /leadstream_events_projected_total\{projection="relay"\}/)
    } finally {
      await r.stop()
      await producer.disconnect()
      await personal.close()
      await deleteTopics(brokers, [topic])
      rmSync(dir, { recursive: true, force: true })
    }
  })

test.run()
