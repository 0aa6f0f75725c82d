// Erasure of one data subject: shred their keys, append PersonalDataErased to each of their leads, purge their
// dead letters (by subject and by lead), the events parked for their leads and the stored answers naming their leads, make the bytes go, and audit it. Resumable: the audit
// entry is written `pending` before the first step, every step is idempotent, and `resumePending` finishes the
// erasures a crash cut short (at the next start).
import * as E from 'fp-ts/lib/Either.js'
import { decide, deterministicEventId, fold, normaliseEmail, streamOfLead, type ErasureReason, type LeadEvent } from '@leadstream/domain'
import type { DeadLetters, ParkedEvents } from '@leadstream/dead-letters'
import type { EventStore, IdempotencyRecords } from '@leadstream/event-store'
import {
  keyedDigest,
  subjectOfEmail,
  type ErasureAudit,
  type ErasureCounts,
  type ErasureEntry,
  type ErasureOutcome,
  type IdentitySecret,
  type KeyStore,
  type SubjectId,
} from '@leadstream/privacy'
import type { Logger, Metrics } from '@leadstream/runtime'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface ErasurePorts {
  readonly store: EventStore
  readonly keys: Pick<KeyStore, 'leadsOf' | 'shred'>
  /** By subject (payloads naming their email) and by lead (lifecycle payloads name a lead, not an email). */
  readonly deadLetters: Pick<DeadLetters, 'purgeSubject' | 'purgeLeads'>
  /** Lifecycle events parked for their leads: raw payloads, possibly with their data (a note, a description). */
  readonly parked: Pick<ParkedEvents, 'purgeLeads'>
  readonly answers: Pick<IdempotencyRecords, 'forgetLeads'>
  readonly audit: ErasureAudit
  readonly secret: () => Promise<IdentitySecret>
  /**
   * Makes deleted bytes really go once an erasure's writes are done: SQLite WAL checkpoints (the files run with
   * secure_delete), Kafka records of the inbound topics. Given the log position of the erasure's last event, so
   * it can wait for the views to apply it first. Idempotent.
   */
  readonly scrub: (position: number) => Promise<void>
  readonly now: () => Date
  readonly newId: () => string
  readonly metrics: Metrics
  readonly logger: Logger
}

export interface ErasureResult {
  readonly erasureId: string
  readonly subject: SubjectId
  readonly outcome: ErasureOutcome
  readonly counts: ErasureCounts
  readonly position: number
}

export interface EraseRequest {
  readonly email: string
  readonly by: string
  readonly note: string | null
  readonly reason: ErasureReason
}

/** How an erasure runs. */
export interface ErasureOptions {
  /**
   * Run the scrub step (default true). A retention sweep erases many subjects and scrubs once at its end, at the
   * highest position, instead of waiting for the views and checkpointing every file once per subject.
   */
  readonly scrub?: boolean
}

const MAX_ATTEMPTS = 5

/** What the audit keeps of the email: a keyed digest (purpose-bound), never the email or a bare hash. */
export const emailDigestOf = (secret: IdentitySecret, email: string): string => keyedDigest(secret, 'erasure-email', normaliseEmail(email))

// ---------------------------------------------------------------------------------------------------------
// steps
// ---------------------------------------------------------------------------------------------------------

/**
 * Appends the erasure event to one lead. Its id derives from the erasure and the lead, so a resumed erasure
 * re-appending it is a Duplicate; a lead already erased (by an earlier erasure) or never captured gets nothing.
 * A concurrent write to the lead is retried on the fresh stream. Answers the event's position, or null.
 */
const eraseLead = async (ports: ErasurePorts, entry: ErasureEntry, leadId: string): Promise<number | null> => {
  const streamId = streamOfLead(leadId)
  const eventId = deterministicEventId(`erasure|${entry.erasureId}|${leadId}`)
  for (let attempt = 1; ; attempt++) {
    const read = await ports.store.readStream(streamId)()
    if (E.isLeft(read)) throw new Error(`reading ${streamId}: ${read.left._tag}`)
    const mine = read.right.events.find((e) => e.eventId === eventId)
    if (mine !== undefined) return mine.position
    const command = {
      type: 'ErasePersonalData',
      leadId,
      subject: entry.subject,
      reason: entry.reason,
      by: entry.by,
      at: entry.requestedAt,
      note: entry.note,
    } as const
    const decided = decide(command, fold(read.right.events.map((r) => r.event as LeadEvent)))
    // decide never refuses an erasure; an empty answer is an erased or unknown lead.
    if (E.isLeft(decided) || decided.right.length === 0) return null
    const events = decided.right.map((event) => ({ eventId, event, metadata: { by: entry.by, causationId: entry.erasureId } }))
    const appended = await ports.store.append({ streamId, expectedRevision: read.right.revision, events })()
    if (E.isRight(appended)) {
      if (appended.right._tag === 'Appended') ports.metrics.eventsAppended.inc(events.length)
      return appended.right.lastPosition
    }
    if (appended.left._tag !== 'WrongExpectedRevision' || attempt >= MAX_ATTEMPTS) throw new Error(`appending to ${streamId}: ${appended.left._tag}`)
  }
}

const outcomeOf = (c: ErasureCounts, erasedBefore: boolean): ErasureOutcome =>
  c.events > 0 || c.keys > 0 || c.deadLetters > 0 || c.answers > 0 ? 'erased' : c.leads > 0 || erasedBefore ? 'alreadyErased' : 'unknownSubject'

/**
 * Runs (or resumes) the steps of a recorded erasure, in order; each is idempotent.
 *
 * Concurrent ingest of the same person (README, "Erasure while the person's leads keep arriving"): ingest links a
 * lead to its subject before it takes the subject's key, and takes the key before it seals and appends. So after
 * the first shred, the subject's lead list holds every lead sealed with an old key; the erasure appends its event
 * to each of them that is captured. A capture that took a new key meanwhile loses it to the final shred, so it
 * reads as erased too (and gets its erasure event, should it have been projected before). Only a capture that takes
 * its key after the final shred is kept, with a new key: the person gave their data again after the erasure. (One
 * that did so and was appended before the erasure lists the leads again is erased too: the side of caution.)
 */
export const runErasure = async (ports: ErasurePorts, entry: ErasureEntry, options: ErasureOptions = {}): Promise<ErasureResult> => {
  let keys = await ports.keys.shred(entry.subject)
  const leadIds = [...new Set([...entry.leadIds, ...(await ports.keys.leadsOf(entry.subject))])]
  let events = 0
  let position = 0
  const eraseLeads = async (ids: ReadonlyArray<string>) => {
    for (const leadId of ids) {
      const at = await eraseLead(ports, entry, leadId)
      if (at === null) continue
      events++
      position = Math.max(position, at)
    }
  }
  await eraseLeads(leadIds)
  keys += await ports.keys.shred(entry.subject)
  // Every write here and in ingest awaits its fsync (group commit), so captures run between these steps: one that
  // took the new key between the two shreds may already be projected in clear, and its key is now gone. Its lead
  // is linked by now (the link comes first): it gets its erasure event too, so the views agree with the key store.
  const late = (await ports.keys.leadsOf(entry.subject)).filter((id) => !leadIds.includes(id))
  await eraseLeads(late)
  leadIds.push(...late)
  // Counted together: both are raw inbound payloads that named the person (by email, or by one of their leads).
  const deadLetters =
    new Set([...(await ports.deadLetters.purgeSubject(entry.subject)), ...(await ports.deadLetters.purgeLeads(leadIds))]).size +
    (await ports.parked.purgeLeads(leadIds)).length
  const answers = await ports.answers.forgetLeads(leadIds)
  if (options.scrub !== false) await ports.scrub(position)
  const counts: ErasureCounts = { leads: leadIds.length, events, keys, deadLetters, answers }
  const erasedBefore = (await ports.audit.ofSubject(entry.subject)).some((e) => e.erasureId !== entry.erasureId && e.status === 'done')
  const outcome = outcomeOf(counts, erasedBefore)
  await ports.audit.complete(entry.erasureId, { completedAt: ports.now().toISOString(), outcome, counts })
  // Counts and ids only: the subject is pseudonymous, the email is never logged.
  ports.logger.info({ erasureId: entry.erasureId, reason: entry.reason, outcome, ...counts }, 'erasure done')
  return { erasureId: entry.erasureId, subject: entry.subject, outcome, counts, position }
}

// ---------------------------------------------------------------------------------------------------------
// entry points
// ---------------------------------------------------------------------------------------------------------

/** Records the erasure of a subject (pending, with the leads found before the keys go), then runs it. */
export const eraseSubject = async (
  ports: ErasurePorts,
  who: { readonly subject: SubjectId; readonly emailDigest: string },
  request: Omit<EraseRequest, 'email'>,
  options: ErasureOptions = {},
): Promise<ErasureResult> => {
  const leadIds = await ports.keys.leadsOf(who.subject)
  const entry: ErasureEntry = {
    erasureId: ports.newId(),
    subject: who.subject,
    emailDigest: who.emailDigest,
    reason: request.reason,
    by: request.by,
    note: request.note,
    requestedAt: ports.now().toISOString(),
    leadIds,
    status: 'pending',
    completedAt: null,
    outcome: null,
    counts: null,
  }
  await ports.audit.begin(entry)
  return runErasure(ports, entry, options)
}

/** Erases the person with this email (POST /v1/privacy/erasures). */
export const eraseEmail = async (ports: ErasurePorts, request: EraseRequest): Promise<ErasureResult | null> => {
  const secret = await ports.secret()
  const subject = subjectOfEmail(secret, request.email)
  if (subject === null) return null
  return eraseSubject(ports, { subject, emailDigest: emailDigestOf(secret, request.email) }, request)
}

/** Finishes the erasures a crash cut short, oldest first. Called once at start, before serving. */
export const resumePending = async (ports: ErasurePorts): Promise<ReadonlyArray<ErasureResult>> => {
  const done: ErasureResult[] = []
  for (const entry of await ports.audit.pending()) {
    ports.logger.warn({ erasureId: entry.erasureId }, 'resuming an erasure cut short')
    done.push(await runErasure(ports, entry))
  }
  return done
}

/** The answer's sentence. */
export const messageOf = (r: ErasureResult): string => {
  switch (r.outcome) {
    case 'erased':
      return `erased: ${r.counts.leads} lead(s) redacted (${r.counts.events} erasure event(s)), ${r.counts.keys} key(s) shredded, ${r.counts.deadLetters} dead letter(s) or parked event(s) and ${r.counts.answers} stored answer(s) deleted`
    case 'alreadyErased':
      return 'already erased: nothing of this person was left to erase'
    case 'unknownSubject':
      return 'unknown subject: nothing is held about this email'
    default: {
      const never: never = r.outcome
      return never
    }
  }
}
