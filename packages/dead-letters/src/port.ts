// The dead-letter port: every rejected inbound payload is kept here with its reason, never dropped.
import type { FieldProblem } from '@leadstream/domain'

export type DeadLetterStatus = 'open' | 'replayed' | 'discarded'

export interface NewDeadLetter {
  /** Where it came from: `http:/v1/marketplace/leads`, `kafka:leads.inbound`, … */
  readonly source: string
  /** Which inbound format the payload was meant to be (`marketplace`, `native`, `command`, `unknown`). */
  readonly format: string
  readonly problems: ReadonlyArray<FieldProblem>
  /** The payload as received (raw text where the body was not JSON); may hold personal data: never log it. */
  readonly payload: string
  readonly receivedAt: string
}

export interface DeadLetter extends NewDeadLetter {
  readonly id: number
  readonly status: DeadLetterStatus
}

/**
 * Which data subjects a payload names (packages/privacy `subjectsInText`: the keyed ids of the emails in it).
 * An adapter given one records them beside each dead letter, so an erasure can find and purge a person's raw
 * payloads without the email ever being stored for that purpose.
 */
export type SubjectsOf = (payload: string) => ReadonlyArray<string>

/**
 * Which leads a payload names. Lifecycle payloads name a lead, not an email, so subjects alone miss them; the
 * adapters record these beside each dead letter (default: `leadsInPayload`, leads.ts), and an erasure purges by its lead ids.
 */
export type LeadsOf = (payload: string) => ReadonlyArray<string>

export interface DeadLetters {
  record(entries: ReadonlyArray<NewDeadLetter>): Promise<ReadonlyArray<number>>
  list(options: { readonly status?: DeadLetterStatus; readonly after?: number; readonly limit: number }): Promise<ReadonlyArray<DeadLetter>>
  get(id: number): Promise<DeadLetter | null>
  setStatus(id: number, status: DeadLetterStatus): Promise<boolean>
  count(status: DeadLetterStatus): Promise<number>
  /** Every dead letter (any status) whose payload named this subject when it was recorded, in arrival order. */
  ofSubject(subject: string): Promise<ReadonlyArray<DeadLetter>>
  /** Deletes every dead letter whose payload named this subject (any status); answers their ids. Idempotent. */
  purgeSubject(subject: string): Promise<ReadonlyArray<number>>
  /** Every dead letter (any status) whose payload named one of these leads when it was recorded, in arrival order. */
  ofLeads(leadIds: ReadonlyArray<string>): Promise<ReadonlyArray<DeadLetter>>
  /** Deletes every dead letter (any status) whose payload named one of these leads; answers their ids. Idempotent. */
  purgeLeads(leadIds: ReadonlyArray<string>): Promise<ReadonlyArray<number>>
  close(): Promise<void>
}
