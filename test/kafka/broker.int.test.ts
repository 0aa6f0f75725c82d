// kafkajs against the real broker of deploy/kafka/broker.sh (KAFKA_BROKERS): proves the client speaks to the pinned
// broker version — idempotent produce, consumer-group fetch from the beginning, per-key order, broker defaults.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { Partitioners, type EachMessagePayload } from 'kafkajs'
import { createTopic, deleteTopics, kafkaClient, requireKafka, uniqueTopic } from '../support/kafka.js'

const brokers = requireKafka('kafka broker integration (test/kafka/broker.int.test.ts)')
const test = suite('kafka broker: kafkajs against the real broker')

const within = <T>(ms: number, what: string, p: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}

if (brokers !== null) {
  test('an idempotent producer’s messages all come back to a consumer group, in order per key', async () => {
    const topic = uniqueTopic('broker-int')
    await createTopic(brokers, topic, 3)
    const kafka = kafkaClient(brokers, 'broker-int-test')
    const producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    const consumer = kafka.consumer({ groupId: `${topic}-group`, sessionTimeout: 10000, heartbeatInterval: 1000 })
    const keys = Array.from({ length: 12 }, (_, i) => `lead-${i}`)
    const perKey = 25
    const total = keys.length * perKey
    try {
      const admin = kafka.admin()
      await admin.connect()
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics
      await admin.disconnect()
      assert.is(meta?.partitions.length, 3, 'the topic has 3 partitions')

      await producer.connect()
      // 5 sends, each interleaving every key, so that order per key spans several produce requests
      for (let batch = 0; batch < 5; batch++) {
        const messages = []
        for (let seq = batch * 5; seq < batch * 5 + 5; seq++) {
          for (const key of keys) messages.push({ key, value: JSON.stringify({ key, seq }) })
        }
        await producer.send({ topic, acks: -1, messages })
      }

      const seen = new Map<string, number[]>()
      const partitionOf = new Map<string, Set<number>>()
      let count = 0
      let done!: () => void
      const all = new Promise<void>((resolve) => (done = resolve))
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ partition, message }: EachMessagePayload) => {
          const key = message.key?.toString() ?? '(none)'
          const { seq } = JSON.parse(message.value?.toString() ?? '{}') as { seq: number }
          seen.set(key, [...(seen.get(key) ?? []), seq])
          partitionOf.set(key, (partitionOf.get(key) ?? new Set<number>()).add(partition))
          if (++count === total) done()
        },
      })
      await within(60000, `consuming ${total} messages from ${topic}`, all)

      assert.is(count, total, 'every message arrives exactly once')
      assert.equal([...seen.keys()].sort(), [...keys].sort())
      const inOrder = Array.from({ length: perKey }, (_, i) => i)
      for (const key of keys) {
        assert.equal(seen.get(key), inOrder, `messages of ${key} arrive in the order they were sent`)
        assert.is(partitionOf.get(key)?.size, 1, `all messages of ${key} are in one partition`)
      }
      const used = new Set([...partitionOf.values()].flatMap((s) => [...s]))
      assert.ok(used.size > 1, `the keys spread over several partitions (used: ${[...used].join(',')})`)
    } finally {
      await consumer.disconnect().catch(() => undefined)
      await producer.disconnect().catch(() => undefined)
      await deleteTopics(brokers, [topic])
    }
  })

  test('the broker auto-creates a topic on first produce, with 3 partitions', async () => {
    const topic = uniqueTopic('broker-int-auto')
    const kafka = kafkaClient(brokers, 'broker-int-test')
    const producer = kafka.producer({ allowAutoTopicCreation: true, createPartitioner: Partitioners.DefaultPartitioner })
    const admin = kafka.admin()
    try {
      await producer.connect()
      await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] })
      await admin.connect()
      const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics
      assert.is(meta?.partitions.length, 3)
      const offsets = await admin.fetchTopicOffsets(topic)
      const stored = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0)
      assert.is(stored, 1, 'the one message is stored')
    } finally {
      await admin.disconnect().catch(() => undefined)
      await producer.disconnect().catch(() => undefined)
      await deleteTopics(brokers, [topic])
    }
  })
}

test.run()
