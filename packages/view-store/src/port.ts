// The view store port: what projectors write (changes + checkpoint, atomically) and the query API reads.
import type { Changes, LeadSummary, Loaded, OfferKind, QualificationState, Storefront, CampaignType, CountDelta } from '@leadstream/domain'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** Where a projector stands in one partition of its log (the embedded log has one partition: 0). */
export interface Checkpoint {
  readonly partition: number
  /** The last offset applied; in the embedded log, the global position. */
  readonly offset: number
}

export interface LeadFilter {
  readonly state?: QualificationState
  readonly storefront?: Storefront
  readonly campaign?: CampaignType
  readonly offerKind?: OfferKind
  /** Test leads (MSFT_TEST) are left out unless asked for. */
  readonly includeTest?: boolean
}

export interface Page<A> {
  readonly items: ReadonlyArray<A>
  /** Opaque cursor of the next page, null on the last one. */
  readonly next: string | null
}

export interface CountRow {
  readonly dimension: CountDelta['dimension']
  readonly key: string
  readonly metric: CountDelta['metric']
  readonly bucket: string
  readonly test: boolean
  readonly n: number
}

export interface ViewStore {
  // -- projector side --
  checkpoints(projection: string): Promise<ReadonlyArray<Checkpoint>>
  /** Loads the rows a batch will change (see `needsOf` in the domain). */
  load(needs: { leadIds: ReadonlyArray<string>; offerKeys: ReadonlyArray<string>; classified: ReadonlyArray<string> }): Promise<Loaded>
  /** Writes the changes and the checkpoint in one transaction: a crash leaves both or neither. */
  commit(projection: string, changes: Changes, checkpoint: Checkpoint): Promise<void>

  // -- reader side --
  /** The highest global position the views reflect. */
  position(): Promise<number>
  lead(leadId: string): Promise<LeadSummary | null>
  leads(filter: LeadFilter, limit: number, cursor: string | null): Promise<Page<LeadSummary>>
  counts(dimension: CountDelta['dimension']): Promise<ReadonlyArray<CountRow>>
  close(): Promise<void>
}

/** Thrown by `leads` when a cursor was not made by this store: a caller error, mapped to 400 at the edge. */
export class BadCursor extends Error {
  constructor() {
    super('cursor is not one this API returned')
  }
}

export const encodeCursor = (parts: ReadonlyArray<string>): string => Buffer.from(JSON.stringify(parts)).toString('base64url')
export const decodeCursor = (cursor: string): ReadonlyArray<string> => {
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (Array.isArray(parts) && parts.length === 2 && parts.every((p) => typeof p === 'string')) return parts as string[]
  } catch {
    // fall through: a malformed cursor is a caller error
  }
  throw new BadCursor()
}
