// The event log port: what projectors read. Partitions and offsets; the embedded log has one partition.
import type { RecordedEvent } from '@leadstream/domain'

export interface LogOffset {
  readonly partition: number
  /** The last offset already applied (-1 for none); reading resumes after it. */
  readonly offset: number
}

export interface LogBatch {
  readonly partition: number
  /** Events in partition order with their offsets (in the embedded log, offset = global position). */
  readonly entries: ReadonlyArray<LogBatchEntry>
}

export interface LogBatchEntry {
  readonly offset: number
  readonly event: RecordedEvent
  /**
   * Set by a wrapper that could not make this event ready to project (packages/privacy openingLog: its sealed
   * record fails authentication). The projector treats it as a poison event: it stops there, or parks it.
   */
  readonly fault?: string
}

export interface ConsumeOptions {
  /** Read from the consumer's own store each time partitions are (re)assigned: the source of resume points. */
  readonly resumeFrom: () => Promise<ReadonlyArray<LogOffset>>
  /** Applies one batch; the log hands the next batch of a partition only after this resolves. */
  readonly handle: (batch: LogBatch) => Promise<void>
  readonly maxBatch: number
  readonly signal: AbortSignal
}

export interface EventLog {
  /** Delivers batches until `signal` aborts (resolves) or `handle` fails (rejects with its error). */
  consume(options: ConsumeOptions): Promise<void>
  /** How far the log reaches (`head`, summed over partitions) and how far behind `offsets` are (`lag`, in events). */
  progress(offsets: ReadonlyArray<LogOffset>): Promise<{ readonly head: number; readonly lag: number }>
}
