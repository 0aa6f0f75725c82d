// The key store port: one data key per data subject, wrapped by the master key. Deleting a subject's keys
// shreds every ciphertext sealed with them (crypto-shredding), wherever copies of the events went.
import type { IdentitySecret, SubjectId } from './subject.js'

/** A data key, unwrapped, in memory only. `keyId` is what a sealed field names; it never repeats. */
export interface DataKey {
  readonly keyId: string
  readonly subject: SubjectId
  readonly key: Buffer
}

export interface SubjectLead {
  readonly subject: SubjectId
  readonly leadId: string
}

export interface KeyStore {
  /**
   * Each subject's current data key, created (and wrapped with the current master key) where missing. `link`
   * records subject → lead links in the same transaction (one durable write for a whole ingest batch).
   */
  keysFor(subjects: ReadonlyArray<SubjectId>, link?: ReadonlyArray<SubjectLead>): Promise<ReadonlyMap<SubjectId, DataKey>>
  /** Unwrapped keys by id; an id that was shredded (or never existed) is absent from the answer. */
  keysById(keyIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, DataKey>>
  /**
   * Which of these key ids were shredded: `shred` leaves a tombstone of each key id it deletes, in the same
   * transaction. A sealed record reads as erased only when its key id is here; an id neither held nor shredded
   * is a wrong or damaged key store, never an erasure.
   */
  shredded(keyIds: ReadonlyArray<string>): Promise<ReadonlySet<string>>
  /** Records that a subject's data went into these leads (erasure and subject access find them here). */
  linkLeads(links: ReadonlyArray<SubjectLead>): Promise<void>
  leadsOf(subject: SubjectId): Promise<ReadonlyArray<string>>
  /** The subject each of these leads was linked to (a later event of a lead is sealed with its subject's key). */
  subjectsOfLeads(leadIds: ReadonlyArray<string>): Promise<ReadonlyMap<string, SubjectId>>
  /** Deletes every key of the subject, leaving a tombstone of each key id; answers how many keys were deleted (0 when none were left). */
  shred(subject: SubjectId): Promise<number>
  /**
   * The secret identity HMACs are keyed with when LEADSTREAM_IDENTITY_SECRET is unset: generated once, kept here
   * wrapped by the master key, so every service sharing this store derives the same ids.
   */
  identitySecret(): Promise<IdentitySecret>
  /** Re-wraps up to `limit` keys still wrapped by a previous master key with the current one; answers how many. */
  rewrap(limit: number): Promise<number>
  /** How many keys each master key id wraps (rotation is done when only the current one is left). */
  wrappedBy(): Promise<ReadonlyArray<{ readonly masterId: string; readonly keys: number }>>
  close(): Promise<void>
}
