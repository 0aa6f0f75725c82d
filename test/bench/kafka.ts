// The Kafka path of `pnpm bench`: leads/s from leads.inbound to queryable views, and append → queryable
// latency, beside a bare kafkajs producer → consumer loop on the same broker in the same run.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createTopic, deleteTopics, kafkaClient, pipeline, uniqueTopic } from '../support/kafka.js'
import { marketplaceLead, rng } from '../support/leads.js'
import { killAllServices, startService } from '../support/services.js'
import { setTimeout as sleep } from 'node:timers/promises'

export interface KafkaFigures {
  readonly bareMessagesPerSecond: number
  readonly pipelineLeadsPerSecond: number
  readonly leads: number
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly samples: number }
}

const percentile = (sorted: ReadonlyArray<number>, p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN

/** Produces `n` messages of the pipeline's size in batches of 1000 and consumes them in a group: end-to-end msgs/s. */
const bareLoop = async (brokers: string[], payloads: ReadonlyArray<string>): Promise<number> => {
  const topic = uniqueTopic('bench-bare')
  await createTopic(brokers, topic, 3)
  const kafka = kafkaClient(brokers)
  const consumer = kafka.consumer({ groupId: `bench-bare-${topic}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let received = 0
  let done: () => void = () => {}
  const all = new Promise<void>((r) => (done = r))
  await consumer.run({
    eachBatch: async ({ batch }) => {
      received += batch.messages.length
      if (received >= payloads.length) done()
    },
  })
  await sleep(3000) // let the group settle before the clock starts
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const started = performance.now()
  for (let i = 0; i < payloads.length; i += 1000)
    await producer.send({ topic, acks: -1, messages: payloads.slice(i, i + 1000).map((value, k) => ({ key: String(i + k), value })) })
  await all
  const seconds = (performance.now() - started) / 1000
  await producer.disconnect()
  await consumer.disconnect()
  await deleteTopics(brokers, [topic]).catch(() => undefined)
  return payloads.length / seconds
}

export const benchKafka = async (brokers: string[], leads: number, progress: (line: string) => void): Promise<KafkaFigures> => {
  const r = rng(99)
  const generated = Array.from({ length: leads }, (_, i) => marketplaceLead(i, r))
  const payloads = generated.map((g) => JSON.stringify(g.payload))
  progress(`kafka: bare kafkajs producer → consumer, ${leads} messages`)
  const bareMessagesPerSecond = await bareLoop(brokers, payloads)

  const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-bench-kafka-'))
  const { topics, env } = await pipeline(brokers, dataDir, 'bench')
  try {
    const ingest = await startService('ingest', env)
    const [, query] = await Promise.all([startService('relay', env), startService('query-api', env), startService('projector', env)])
    await sleep(3000)
    const expectedEvents = new Set(generated.map((g) => `${g.identity}|${g.action}`)).size
    const producer = kafkaClient(brokers).producer()
    await producer.connect()
    progress(`kafka: pipeline leads.inbound → views, ${leads} leads`)
    const started = performance.now()
    for (let i = 0; i < payloads.length; i += 1000)
      await producer.send({ topic: topics.inbound, messages: payloads.slice(i, i + 1000).map((value) => ({ value })) })
    await producer.disconnect()
    // queryable: the views' lead count (including test leads) reaches the number of distinct leads
    const distinct = new Set(generated.map((g) => g.identity)).size
    for (;;) {
      const v = (await (await fetch(`${query.url}/v1/views/qualification?includeTest=true`)).json()) as { total: number }
      if (v.total >= distinct) break
      if (performance.now() - started > 600000) throw new Error(`pipeline stalled at ${v.total} of ${distinct} leads`)
      await sleep(50)
    }
    const pipelineLeadsPerSecond = expectedEvents / ((performance.now() - started) / 1000)

    progress('kafka: append → queryable latency, 200 single leads')
    const latencies: number[] = []
    for (let i = 0; i < 200; i++) {
      const lead = marketplaceLead(leads + 100000 + i, r).payload
      const res = await fetch(`${ingest.url}/v1/marketplace/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(lead),
      })
      const a = (await res.json()) as { leadId: string }
      const appended = performance.now()
      for (;;) {
        const got = await fetch(`${query.url}/v1/leads/${a.leadId}`)
        await got.arrayBuffer()
        if (got.status === 200) break
        await sleep(2)
      }
      latencies.push(performance.now() - appended)
    }
    latencies.sort((a, b) => a - b)
    return {
      bareMessagesPerSecond,
      pipelineLeadsPerSecond,
      leads: expectedEvents,
      latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length },
    }
  } finally {
    await killAllServices()
    await deleteTopics(brokers, Object.values(topics)).catch(() => undefined)
    rmSync(dataDir, { recursive: true, force: true })
  }
}
