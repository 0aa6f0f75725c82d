// The delivery log port: subscriptions, each lead's facts, the deliveries (an outbox per subscription) and the
// dispatcher's checkpoint, which moves in the same transaction as the deliveries it recorded.
import type { DeliveryStatus, WebhookEventType, WebhookPayload, WebhookReplay } from '@leadstream/api'
import type { LogOffset } from '@leadstream/event-log'
import type { LeadTraits, NewDelivery, Outgoing, PersonalRef, Subscription } from './messages.js'

export interface Delivery {
  /** The `webhook-id`. */
  readonly id: string
  /** Order in the log: per lead, deliveries go out in seq order. */
  readonly seq: number
  readonly subscriptionId: string
  readonly type: WebhookEventType
  readonly leadId: string
  readonly eventId: string
  readonly position: number
  /** When the event was recorded (append → delivery latency is measured from it). */
  readonly recordedAt: string
  readonly payload: WebhookPayload
  /** Only for subscriptions that asked for contact data; dropped when the lead's personal data is erased. */
  readonly personal: PersonalRef | null
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly nextAttemptAt: string | null
  readonly lastError: string | null
  readonly lastStatus: number | null
  readonly deliveredAt: string | null
}

export interface Attempted {
  readonly seq: number
  readonly at: Date
  readonly ok: boolean
  readonly status: number | null
  readonly error: string | null
  /** Failed: when to try again, or null to park it. */
  readonly retryAt: Date | null
}

export interface SubscriptionStats {
  readonly pending: number
  readonly parked: number
  readonly delivered: number
  readonly oldestPendingAt: string | null
  readonly lastSuccessAt: string | null
  readonly lastError: { readonly at: string; readonly message: string; readonly status: number | null } | null
  readonly attemptsRecent: number
  readonly failuresRecent: number
}

export interface WebhookStore {
  addSubscription(s: Subscription): Promise<void>
  subscriptions(): Promise<ReadonlyArray<Subscription>>
  subscription(id: string): Promise<Subscription | null>
  /** Removes it and its deliveries; false when there was none. */
  removeSubscription(id: string): Promise<boolean>

  /** The dispatcher's resume points (one per partition of the log). */
  checkpoints(): Promise<ReadonlyArray<LogOffset>>
  facts(leadIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, LeadTraits>>
  /**
   * Records a batch in ONE transaction: the leads' facts, the deliveries (a delivery id already recorded is kept
   * as it is: a re-read batch adds nothing), the erasures, and the partition's checkpoint. A crash leaves all or none.
   */
  record(batch: {
    readonly partition: number
    readonly offset: number
    readonly facts: ReadonlyArray<LeadTraits>
    readonly outgoing: ReadonlyArray<Outgoing>
    readonly now: Date
  }): Promise<void>

  /**
   * Pending deliveries of one subscription that are due at `now` and first in line for their lead (no earlier
   * pending or parked delivery of the same lead), oldest first, leads in `busy` left out.
   */
  due(subscriptionId: string, now: Date, limit: number, busy: ReadonlySet<string>): Promise<ReadonlyArray<Delivery>>
  /**
   * Records attempts' outcomes (one transaction: the sender groups the outcomes that finish together into one
   * commit) with each subscription's last success / last error and its recent failure rate.
   */
  attempted(as: ReadonlyArray<Attempted>): Promise<void>
  /** When the next pending delivery of the subscription falls due (null: none pending). */
  nextDue(subscriptionId: string): Promise<Date | null>

  stats(subscriptionId: string, now: Date): Promise<SubscriptionStats>
  deliveries(subscriptionId: string, q: { readonly status?: DeliveryStatus; readonly after?: number; readonly limit: number }): Promise<ReadonlyArray<Delivery>>
  /** Deletes deliveries delivered before `before` (the log's retention); answers how many. Pending and parked ones stay. */
  prune(before: Date): Promise<number>
  /** Queues again (attempts reset, same ids): the parked deliveries, or every one from a position or a recording time. */
  replay(subscriptionId: string, what: WebhookReplay, now: Date): Promise<number>
  /**
   * A replay read from the event log records its deliveries of one batch (ONE transaction, no checkpoint): each
   * replaces any delivery of the same id (same `webhook-id`, attempts reset, a new seq), so the replayed ones go
   * out in log order per lead; the lead is marked received by the subscription (an erasure reaches it).
   */
  replayed(deliveries: ReadonlyArray<NewDelivery>, now: Date): Promise<void>
  close(): Promise<void>
}

/** How many minutes of attempts the failure rate covers. */
export const recentMinutes = 15
