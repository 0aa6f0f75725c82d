// Ingest restarted after a kill -9 serves HTTP at once, while its inbound consumer group still waits for the
// dead member's session (LEADSTREAM_KAFKA_SESSION_MS) to expire; once the group has rebalanced, Kafka leads flow
// again. Found by the chaos test: ingest printed its URL only after the group join, so HTTP was down a session
// (then 15 s) per crash.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { readEvents } from '../support/fold.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { marketplaceLead, rng } from '../support/leads.js'
import { killAllServices, startService } from '../support/services.js'
import { setTimeout as sleep } from 'node:timers/promises'

const brokers = requireKafka('ingest restart')
const test = suite('ingest restart')

interface Health {
  readonly kafka: { readonly state: string } | null
}
const kafkaState = async (url: string): Promise<string | undefined> => ((await (await fetch(`${url}/healthz`)).json()) as Health).kafka?.state

if (brokers !== null) {
  test('ingest :: after a kill -9 HTTP serves before the inbound group has rebalanced, and Kafka leads flow again after', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-ingest-restart-'))
    const { topics, env } = await pipeline(brokers, dataDir, 'restart')
    const producer = kafkaClient(brokers).producer()
    try {
      // The group waits for the killed member as long as that member's own session: 15 s, ample for the
      // restart to serve first even on a busy machine; the restarted one keeps the default.
      const first = await startService('ingest', { ...env, LEADSTREAM_KAFKA_SESSION_MS: '15000' })
      let state: string | undefined
      for (const deadline = Date.now() + 30000; Date.now() < deadline && state !== 'running'; await sleep(100)) state = await kafkaState(first.url)
      assert.is(state, 'running', 'the first ingest joined its group')
      first.kill('SIGKILL')
      await first.exited

      const second = await startService('ingest', env)
      const r = rng(7)
      const overHttp = marketplaceLead(1, r)
      const res = await fetch(`${second.url}/v1/marketplace/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(overHttp.payload),
      })
      assert.is(res.status, 201, 'HTTP ingest answers right after the restart')
      assert.is(await kafkaState(second.url), 'starting', 'while the group still waits for the killed member')

      const overKafka = marketplaceLead(2, r)
      await producer.connect()
      await producer.send({ topic: topics.inbound, acks: -1, messages: [{ value: JSON.stringify(overKafka.payload) }] })
      let captured = 0
      for (const deadline = Date.now() + 60000; Date.now() < deadline && captured < 2; await sleep(250))
        captured = readEvents(dataDir).filter((e) => e.event.type === 'LeadCaptured').length
      assert.is(captured, 2, 'the lead sent over Kafka is ingested once the group has rebalanced')
      assert.is(await kafkaState(second.url), 'running')
    } finally {
      await producer.disconnect().catch(() => undefined)
      await killAllServices()
      await deleteTopics(brokers, Object.values(topics)).catch(() => undefined)
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

test.run()
