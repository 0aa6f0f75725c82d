// What the ingest service needs from the outside world, passed in by a composition root.
import type { DeadLetters, ParkedEvents } from '@leadstream/dead-letters'
import type { KeyedHash, SourceMap } from '@leadstream/domain'
import type { AppendRequest, EventStore } from '@leadstream/event-store'
import type { Logger, Metrics } from '@leadstream/runtime'

export interface IngestPorts {
  readonly store: EventStore
  /**
   * Seals the personal data of a batch before it is appended (packages/privacy): the store holds ciphertext
   * only, and refuses an event whose personal data is open.
   */
  readonly seal: (requests: ReadonlyArray<AppendRequest>) => Promise<ReadonlyArray<AppendRequest>>
  readonly deadLetters: DeadLetters
  /** Lifecycle events waiting for their lead's capture, and how long each may wait (ms). */
  readonly parked: ParkedEvents
  readonly parkForMs: number
  readonly sources: SourceMap
  /** Keys lead ids derived from emails (the identity secret's HMAC, never a bare hash). */
  readonly identity: KeyedHash
  readonly now: () => Date
  readonly newId: () => string
  readonly metrics: Metrics
  readonly logger: Logger
}
