// The event log on Kafka: `lead-events` read by a consumer group. Resume points come from the consumer's own
// store (the view store's per-partition checkpoints, committed with the views), not from Kafka's offsets.
import type { Consumer, Kafka, logCreator } from 'kafkajs'
import * as E from 'fp-ts/lib/Either.js'
import type { ConsumeOptions, EventLog, LogOffset } from '../port.js'
import { fromMessage } from './message.js'

export interface KafkaEventLogOptions {
  readonly kafka: Kafka
  readonly topic: string
  readonly groupId: string
  readonly sessionTimeoutMs?: number
}

export class UndecodableLogMessage extends Error {
  constructor(
    readonly partition: number,
    readonly offset: number,
    reason: string,
  ) {
    super(`message at partition ${partition} offset ${offset} does not decode: ${reason}`)
  }
}

/** Each partition's low (first kept) and high (next) offsets. */
export const topicWatermarks = async (kafka: Kafka, topic: string): Promise<ReadonlyArray<{ partition: number; low: number; high: number }>> => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    return (await admin.fetchTopicOffsets(topic)).map((p) => ({ partition: p.partition, low: Number(p.low), high: Number(p.high) }))
  } finally {
    await admin.disconnect()
  }
}

/** True when retention (or an operator) has removed the start of some partition: the topic is not the whole history. */
export const topicTruncated = async (kafka: Kafka, topic: string): Promise<boolean> => (await topicWatermarks(kafka, topic)).some((p) => p.low > 0)

export const kafkaEventLog = (options: KafkaEventLogOptions): EventLog => {
  const { kafka, topic } = options
  const watermarks = () => topicWatermarks(kafka, topic)
  return {
    progress: async (offsets: ReadonlyArray<LogOffset>) => {
      const marks = await watermarks()
      const at = new Map(offsets.map((o) => [o.partition, o.offset]))
      return {
        head: marks.reduce((s, m) => s + m.high, 0),
        // Offsets below the low watermark are gone (retention): they are not lag.
        lag: marks.reduce((s, m) => s + Math.max(0, m.high - Math.max(m.low, (at.get(m.partition) ?? -1) + 1)), 0),
      }
    },
    consume: async ({ resumeFrom, handle, maxBatch, signal }: ConsumeOptions) => {
      const consumer: Consumer = kafka.consumer({
        groupId: options.groupId,
        sessionTimeout: options.sessionTimeoutMs ?? 10000,
        heartbeatInterval: 1000,
        maxBytesPerPartition: Math.max(1024 * 1024, maxBatch * 1024),
      })
      let failure: unknown = null
      let finish: () => void = () => {}
      const finished = new Promise<void>((resolve) => (finish = resolve))
      // On every assignment, seek each partition to just after the offset the views hold for it.
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        void (async () => {
          const assigned = e.payload.memberAssignment[topic] ?? []
          const stored = new Map((await resumeFrom()).map((o) => [o.partition, o.offset]))
          for (const partition of assigned) {
            const offset = stored.get(partition)
            consumer.seek({ topic, partition, offset: String(offset === undefined ? 0 : offset + 1) })
          }
        })().catch((err: unknown) => {
          failure = err
          finish()
        })
      })
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) {
          failure = e.payload.error
          finish()
        }
      })
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
          if (!isRunning() || isStale() || batch.messages.length === 0) return
          const entries = []
          for (const m of batch.messages) {
            const decoded = fromMessage(m.value)
            if (E.isLeft(decoded))
              throw new UndecodableLogMessage(batch.partition, Number(m.offset), decoded.left.map((p) => `${p.path}: ${p.reason}`).join('; '))
            entries.push({ offset: Number(m.offset), event: decoded.right })
          }
          for (let i = 0; i < entries.length; i += maxBatch) {
            await handle({ partition: batch.partition, entries: entries.slice(i, i + maxBatch) })
            await heartbeat()
          }
          const last = batch.messages[batch.messages.length - 1]!
          resolveOffset(last.offset)
          // Kafka's committed offset only speeds up the next start; the views' checkpoint is the truth.
          await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }])
        },
      })
      const onAbort = () => finish()
      signal.addEventListener('abort', onAbort, { once: true })
      if (signal.aborted) finish()
      await finished
      signal.removeEventListener('abort', onAbort)
      await consumer.disconnect()
      if (failure !== null) throw failure
    },
  }
}

/** kafkajs logs through pino-shaped JSON instead of its own console format. */
export const kafkaLogCreator =
  (log: { warn: (o: object, m: string) => void; error: (o: object, m: string) => void; info: (o: object, m: string) => void }): logCreator =>
  () =>
  ({ namespace, level, log: entry }) => {
    const { message, ...rest } = entry
    const o = { kafka: namespace, ...rest }
    if (level <= 1) log.error(o, message)
    else if (level === 2) log.warn(o, message)
    else log.info(o, message)
  }
