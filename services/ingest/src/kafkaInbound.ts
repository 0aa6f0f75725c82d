// Ingest from Kafka: the consumer group on `leads.inbound`, decided exactly like HTTP ingest. An offset is
// committed only after the appends (and dead-letter publishes) of its batch; rejected messages go into the
// dead-letter store (payload kept there, where an erasure can purge it) and a notice of each goes to
// `leads.inbound.dlq`: the reason and the dead-letter id, never the payload (a Kafka record cannot be erased one by
// one; README, "Personal data").
import type { Kafka, KafkaMessage, Producer } from 'kafkajs'
import { decodeMarketplaceLead, decodeNativeLead, problem, readJson, type FieldProblem } from '@leadstream/domain'
import { ingestLeads, type InboundItem } from './leads.js'
import type { IngestPorts } from './ports.js'

export interface KafkaInboundOptions {
  readonly kafka: Kafka
  readonly topic: string
  readonly dlqTopic: string
  readonly groupId: string
  /** Idempotent producer used for the DLQ. */
  readonly producer: Producer
  /** After a crash, the group waits this long for the dead member before a restarted one gets its partitions. */
  readonly sessionTimeoutMs?: number
}

export interface KafkaInbound {
  /** Connects and subscribes; the group join (and then consuming) goes on in the background. */
  start(): Promise<void>
  stop(): Promise<void>
  status(): { readonly state: 'starting' | 'running' | 'stopped' | 'failed'; readonly consumed: number; readonly lastError: string | null }
}

type Format = 'marketplace' | 'native'

/** `format` header wins; otherwise a message with a `type` field is native, anything else marketplace. */
const formatOf = (m: KafkaMessage, value: unknown): Format => {
  const h = m.headers?.['format']?.toString()
  if (h === 'native' || h === 'marketplace') return h
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'type' in value ? 'native' : 'marketplace'
}

const headerValue = (problems: ReadonlyArray<FieldProblem>): string => JSON.stringify(problems)

export const kafkaInbound = (ports: IngestPorts, options: KafkaInboundOptions): KafkaInbound => {
  const ingest = ingestLeads(ports)
  const { kafka, topic, dlqTopic, producer } = options
  const consumer = kafka.consumer({ groupId: options.groupId, sessionTimeout: options.sessionTimeoutMs ?? 10000, heartbeatInterval: 1000 })
  let state: ReturnType<KafkaInbound['status']>['state'] = 'starting'
  let consumed = 0
  let lastError: string | null = null

  consumer.on(consumer.events.GROUP_JOIN, () => {
    if (state === 'starting') state = 'running'
  })
  consumer.on(consumer.events.CRASH, (e) => {
    lastError = e.payload.error.message
    if (!e.payload.restart) state = 'failed'
  })

  const dlq = (m: KafkaMessage, partition: number, problems: ReadonlyArray<FieldProblem>, deadLetterId: number | null) => ({
    // Neither the upstream key nor the value: either may hold personal data. The payload is in the dead-letter store.
    key: deadLetterId === null ? null : `dead-letter-${deadLetterId}`,
    value: JSON.stringify({ deadLetterId, source: `${topic}/${partition}/${m.offset}`, problems }),
    headers: {
      'dlq-reason': headerValue(problems),
      'dlq-source': `${topic}/${partition}/${m.offset}`,
      ...(deadLetterId === null ? {} : { 'dead-letter-id': String(deadLetterId) }),
    },
  })

  return {
    start: async () => {
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      // `run` resolves only once the group is joined. After a crash, the group first waits for the dead
      // member's session to expire (sessionTimeout), so the join is left to run in the background: HTTP
      // ingest must not wait for it. The state turns `running` when this member gets its partitions.
      void consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
            if (!isRunning() || isStale() || batch.messages.length === 0) return
            const receivedAt = ports.now().toISOString()
            const unreadable: Array<{ m: KafkaMessage; problems: ReadonlyArray<FieldProblem> }> = []
            const byFormat: Record<Format, Array<{ m: KafkaMessage; item: InboundItem }>> = { marketplace: [], native: [] }
            batch.messages.forEach((m, index) => {
              const text = m.value?.toString('utf8') ?? ''
              const read = readJson(text)
              if (read._tag !== 'One') {
                unreadable.push({ m, problems: [problem('(value)', read._tag === 'Unreadable' ? read.reason : 'expected one lead per message, got an array')] })
                return
              }
              const value = read.value
              const format = formatOf(m, value)
              const decoded =
                format === 'native' ? decodeNativeLead(value) : decodeMarketplaceLead(ports.sources, { receivedAt, identity: ports.identity }, value)
              byFormat[format].push({ m, item: { index, payload: text, decoded } })
            })
            const source = `kafka:${topic}`
            const dead: ReturnType<typeof dlq>[] = []
            if (unreadable.length > 0) {
              const ids = await ports.deadLetters.record(
                unreadable.map(({ m, problems }) => ({ source, format: 'unknown', problems, payload: m.value?.toString('utf8') ?? '', receivedAt })),
              )
              unreadable.forEach(({ m, problems }, i) => dead.push(dlq(m, batch.partition, problems, ids[i] ?? null)))
            }
            for (const format of ['marketplace', 'native'] as const) {
              const group = byFormat[format]
              if (group.length === 0) continue
              const summary = await ingest(
                group.map((g) => g.item),
                source,
                format,
              )
              summary.results.forEach((r, i) => {
                if (r.status === 'rejected') dead.push(dlq(group[i]!.m, batch.partition, r.problems, r.deadLetterId))
              })
              await heartbeat()
            }
            if (dead.length > 0) await producer.send({ topic: dlqTopic, acks: -1, messages: dead })
            const last = batch.messages[batch.messages.length - 1]!
            resolveOffset(last.offset)
            await consumer.commitOffsets([{ topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }])
            consumed += batch.messages.length
          },
        })
        .catch((e: unknown) => {
          state = 'failed'
          lastError = e instanceof Error ? e.message : String(e)
        })
    },
    stop: async () => {
      await consumer.disconnect()
      if (state !== 'failed') state = 'stopped'
    },
    status: () => ({ state, consumed, lastError }),
  }
}
