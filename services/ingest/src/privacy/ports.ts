// The ports of the privacy operations (erasure, subject access, retention), built once for both processes that
// serve them: the embedded server and ingest. Both wait for the views the same way (the view store's
// awaitPosition, bounded by LEADSTREAM_ERASURE_VIEWS_WAIT_MS) and say so when the views do not get there.
import type { DeadLetters, ParkedEvents } from '@leadstream/dead-letters'
import type { EventStore, IdempotencyRecords } from '@leadstream/event-store'
import { openEvents, type ErasureAudit, type PersonalData } from '@leadstream/privacy'
import type { Logger, Metrics } from '@leadstream/runtime'
import { awaitPosition, type ViewReader } from '@leadstream/view-store'
import { kafkaScrub, type KafkaScrubOptions } from './kafkaScrub.js'
import type { RetentionPorts } from './retention.js'
import type { PrivacyPorts } from './routes.js'
import { sqliteScrub } from './scrub.js'

export interface PrivacyWiring {
  /** The plain store: an erasure event holds no personal data, it is appended as it is. */
  readonly store: EventStore
  readonly personal: Pick<PersonalData, 'keys' | 'secret'>
  /** Found and purged by subject (payloads naming the email) and by lead (lifecycle payloads name a lead). */
  readonly deadLetters: Pick<DeadLetters, 'purgeSubject' | 'ofSubject' | 'purgeLeads' | 'ofLeads'>
  /** Lifecycle events parked for leads: listed by subject access, purged by an erasure. */
  readonly parked: Pick<ParkedEvents, 'forLeads' | 'purgeLeads'>
  readonly answers: Pick<IdempotencyRecords, 'forgetLeads'>
  readonly audit: ErasureAudit
  readonly views: Pick<ViewReader, 'position' | 'lead' | 'idleLeads'>
  /** The data directory whose `*.db` files an erasure checkpoints. */
  readonly dataDir: string
  /** The inbound topic whose consumed records an erasure deletes (distributed mode); null without Kafka. */
  readonly inbound: Omit<KafkaScrubOptions, 'logger'> | null
  /** How long an erasure or a retention sweep waits for the views to reach a position (ms). */
  readonly viewsWaitMs: number
  readonly now: () => Date
  readonly newId: () => string
  readonly metrics: Metrics
  readonly logger: Logger
}

export const privacyPorts = (w: PrivacyWiring): PrivacyPorts & RetentionPorts => {
  const viewsAt = async (position: number): Promise<boolean> => (await awaitPosition(w.views, position, w.viewsWaitMs)) >= position
  const files = sqliteScrub({
    dataDir: w.dataDir,
    caughtUp: async (p) => {
      // The projectors are down or far behind: the views' old row images may outlive this erasure's checkpoint.
      if (!(await viewsAt(p)))
        w.logger.warn(
          { position: p, waitMs: w.viewsWaitMs },
          'erasure: the views did not apply the erasure in time; their WAL is emptied at the next erasure or checkpoint',
        )
    },
    logger: w.logger,
  })
  const inbound = w.inbound
  return {
    store: w.store,
    keys: w.personal.keys,
    deadLetters: w.deadLetters,
    parked: w.parked,
    answers: w.answers,
    audit: w.audit,
    secret: async () => w.personal.secret,
    unseal: (events) => openEvents(w.personal.keys, events),
    views: w.views,
    viewsAt,
    // The SQLite files of the data dir (the event store, the views when they are SQLite), then the inbound topic.
    scrub: async (p) => {
      await files(p)
      if (inbound !== null) await kafkaScrub({ ...inbound, logger: w.logger })
    },
    now: w.now,
    newId: w.newId,
    metrics: w.metrics,
    logger: w.logger,
  }
}
