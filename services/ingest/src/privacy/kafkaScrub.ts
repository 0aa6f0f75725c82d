// After an erasure, in the distributed mode: the inbound topic holds upstream messages as sent, in plaintext, and
// Kafka cannot delete one record. Every record ingest has consumed is already in the event store (sealed) or in
// the dead-letter store (purgeable), so the erasure deletes the topic's records up to the ingest group's committed
// offset, on every partition (deleteRecords). Records not consumed yet stay: they are still to be ingested.
import type { Admin } from 'kafkajs'
import type { Logger } from '@leadstream/runtime'

export interface KafkaScrubOptions {
  readonly admin: Admin
  /** `leads.inbound`. */
  readonly topic: string
  /** The ingest consumer group on it. */
  readonly groupId: string
  readonly logger: Logger
}

/** Deletes the consumed records of the inbound topic; answers how many partitions moved their start. */
export const kafkaScrub = async (o: KafkaScrubOptions): Promise<number> => {
  const [committed] = await o.admin.fetchOffsets({ groupId: o.groupId, topics: [o.topic] })
  const partitions = (committed?.partitions ?? []).filter((p) => Number(p.offset) > 0).map((p) => ({ partition: p.partition, offset: p.offset }))
  if (partitions.length > 0) await o.admin.deleteTopicRecords({ topic: o.topic, partitions })
  o.logger.info({ topic: o.topic, partitions: partitions.length }, 'erasure: consumed inbound records deleted')
  return partitions.length
}
