// The erasure audit port: one entry per erasure (who, when, why, how much went), which is also the erasure's
// journal: an erasure is recorded `pending` before its first step and `done` after its last, so one cut short by a
// crash is found and finished on the next start. It never holds an email: the subject id and a keyed digest.
import type { SubjectId } from '../subject.js'

export type ErasureReason = 'request' | 'retention'

/**
 * `erased`: something was erased; `alreadyErased`: the subject's leads were all erased before and no key or dead
 * letter was left; `unknownSubject`: nothing is held about the subject.
 */
export type ErasureOutcome = 'erased' | 'alreadyErased' | 'unknownSubject'

export interface ErasureCounts {
  /** The subject's leads found. */
  readonly leads: number
  /** PersonalDataErased events appended (leads already erased get none). */
  readonly events: number
  /** Data keys deleted. */
  readonly keys: number
  readonly deadLetters: number
  /** Stored Idempotency-Key answers naming the leads. */
  readonly answers: number
}

export interface ErasureStart {
  readonly erasureId: string
  readonly subject: SubjectId
  /** keyedDigest(secret, 'erasure-email', normalised email): tells two erasures of one person apart from two people. */
  readonly emailDigest: string
  readonly reason: ErasureReason
  readonly by: string
  readonly note: string | null
  readonly requestedAt: string
  /** The subject's leads as found before the keys went (so a resumed erasure still knows them). */
  readonly leadIds: ReadonlyArray<string>
}

export interface ErasureEntry extends ErasureStart {
  readonly status: 'pending' | 'done'
  readonly completedAt: string | null
  readonly outcome: ErasureOutcome | null
  readonly counts: ErasureCounts | null
}

/** One pass of the retention sweep, for the operators' status. */
export interface RetentionRun {
  readonly ranAt: string
  /** Leads whose last event is before this instant were due. */
  readonly cutoff: string
  readonly subjects: number
  readonly leads: number
}

export interface ErasureAudit {
  /** Records an erasure as pending. Beginning an id already recorded changes nothing (a resumed erasure). */
  begin(entry: ErasureStart): Promise<void>
  /** Marks it done with what it did. */
  complete(erasureId: string, done: { readonly completedAt: string; readonly outcome: ErasureOutcome; readonly counts: ErasureCounts }): Promise<void>
  get(erasureId: string): Promise<ErasureEntry | null>
  /** The erasures begun and not done, oldest first: what a start resumes. */
  pending(): Promise<ReadonlyArray<ErasureEntry>>
  ofSubject(subject: SubjectId): Promise<ReadonlyArray<ErasureEntry>>
  /** The newest entries first. */
  recent(limit: number): Promise<ReadonlyArray<ErasureEntry>>
  recordRetentionRun(run: RetentionRun): Promise<void>
  lastRetentionRun(): Promise<RetentionRun | null>
  close(): Promise<void>
}
