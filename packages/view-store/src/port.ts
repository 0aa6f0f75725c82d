// The view store port: what projectors write (changes + checkpoint, atomically) and the query API reads.
import type * as E from 'fp-ts/lib/Either.js'
import {
  offerFilterKeys,
  type Changes,
  type CountDelta,
  type LeadFacts,
  type LeadFilter,
  type LeadSummary,
  type Loaded,
  type ProjectionError,
  type RecordedEvent,
} from '@leadstream/domain'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** Where a projector stands in one partition of its log (the embedded log has one partition: 0). */
export interface Checkpoint {
  readonly partition: number
  /** The last offset applied; in the embedded log, the global position. */
  readonly offset: number
}

/** One event of a log partition with its offset there (in the embedded log, offset = global position). */
export interface LogEntry {
  readonly offset: number
  readonly event: RecordedEvent
}

export interface Needs {
  readonly leadIds: ReadonlyArray<string>
  readonly offerKeys: ReadonlyArray<string>
  readonly classified: ReadonlyArray<string>
}

/** The pure logic of a projection: what a batch must load, and what it changes (see the domain's projection). */
export interface ProjectionLogic {
  readonly needs: (events: ReadonlyArray<RecordedEvent>) => Needs
  readonly project: (events: ReadonlyArray<RecordedEvent>, loaded: Loaded) => E.Either<ProjectionError, Changes>
}

export interface Applied {
  /** Events applied by this call. */
  readonly applied: number
  /** Events skipped because the partition's checkpoint was already past them (a redelivery). */
  readonly skipped: number
  /** The partition's checkpoint after the call. */
  readonly offset: number
}

export type { LeadFacts, LeadFilter } from '@leadstream/domain'

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

/**
 * Which generation of a projection's views readers use, and which one is being built beside it. A rebuild
 * builds generation `building` from the start of the log while `live` keeps serving; promotion swaps them in
 * one compare-and-set. `liveVersion`/`buildingVersion` are the projection code versions that built them.
 */
export interface RegistryEntry {
  readonly live: number
  readonly liveVersion: number
  readonly building: number | null
  readonly buildingVersion: number | null
  readonly paused: boolean
}

export interface ViewStore {
  // -- projector side --
  checkpoints(projection: string): Promise<ReadonlyArray<Checkpoint>>
  /**
   * Applies a batch of one partition in ONE transaction that also serialises it against every other writer
   * of the projection: read the partition's checkpoint, drop entries at or below it, load the rows the rest
   * touch, project them, write rows + counters + checkpoint. Two projector processes that both hold a
   * partition for a moment (a rebalance) therefore never apply the same event twice, and an offer
   * reclassification never races a lead change on another partition. A crash leaves all or nothing.
   */
  applyBatch(projection: string, partition: number, entries: ReadonlyArray<LogEntry>, logic: ProjectionLogic): Promise<E.Either<ProjectionError, Applied>>

  // -- registry (kept by the base store, generation 1's) --
  registry(projection: string): Promise<RegistryEntry | null>
  /** Compare-and-set: writes `next` only if the stored entry still equals `expected` (null: none yet). */
  updateRegistry(projection: string, expected: RegistryEntry | null, next: RegistryEntry): Promise<boolean>
  /**
   * Marks this store as a generation being built that nobody reads until `finishBuild`: it may load in bulk
   * (the indexes only readers need are dropped, commits may be relaxed so that a crash loses whole batches
   * with their checkpoint, never part of one). Idempotent: called again when a crashed build resumes.
   */
  beginBuild(): Promise<void>
  /** Makes a built generation ready for readers (its indexes created, durable commits again). Idempotent; before promotion. */
  finishBuild(): Promise<void>
  /** Deletes every view row and checkpoint this store holds (not the registry): a superseded generation's data. */
  clear(): Promise<void>

  // -- reader side --
  /** The highest global position the views reflect. */
  position(): Promise<number>
  lead(leadId: string): Promise<LeadSummary | null>
  /**
   * Leads matching the filter, newest capture first, keyset paging (`next` resumes after the last one, and a
   * lead captured meanwhile never shifts a page): the lead list, and the exports page through it to the end.
   */
  leads(filter: LeadFilter, limit: number, cursor: string | null): Promise<Page<LeadSummary>>
  /**
   * The same leads, filters, order and cursors as `leads`, but only what an export shows of each (`LeadView`):
   * the row's columns plus a few fields taken out of the document by the engine, no history and no codec.
   */
  exportLeads(filter: LeadFilter, limit: number, cursor: string | null): Promise<Page<LeadView>>
  /** The analytics facts of every lead matching the filter (narrow rows read from indexed columns, no documents). */
  facts(filter: LeadFilter): Promise<ReadonlyArray<LeadFacts>>
  /**
   * The facts of the leads written after `(since, afterLeadId)` in (write sequence, lead id) order, at most
   * `limit` of them, each with its sequence: the query API's in-memory copy of the facts starts at (-1, '')
   * and pages on from the last row it holds (an indexed keyset read, usually empty once caught up). Sequences
   * grow in commit order (writers of a store are serialised), every write of a lead row (a lead event, a
   * reclassification of its offer) takes a new one, and rows of one batch may share one (hence the lead id).
   */
  factsSince(since: number, afterLeadId: string, limit: number): Promise<FactsSince>
  counts(dimension: CountDelta['dimension']): Promise<ReadonlyArray<CountRow>>
  /**
   * Retention's candidates: ids of the leads whose last event (`updatedAt`) is before `before` and whose personal
   * data is not erased, after `afterLeadId` in id order, at most `limit`. A scan of the documents (the sweep runs
   * rarely, in pages).
   */
  idleLeads(before: string, afterLeadId: string, limit: number): Promise<ReadonlyArray<string>>
  close(): Promise<void>
}

/** What readers need of a view store (the live generation's, behind `liveViews`). */
export type ViewReader = Pick<ViewStore, 'position' | 'lead' | 'leads' | 'exportLeads' | 'counts' | 'facts' | 'factsSince' | 'idleLeads'>

/** A lead as the lead list and the exports show it: a summary without its history, offer fields grouped. */
export interface LeadView {
  readonly leadId: LeadSummary['leadId']
  readonly state: LeadSummary['state']
  readonly storefront: LeadSummary['storefront']
  readonly campaign: LeadSummary['campaign']
  readonly leadSource: LeadSummary['leadSource']
  readonly offer: { readonly id: LeadSummary['offerId']; readonly title: LeadSummary['offerTitle']; readonly kind: LeadSummary['offerKind'] }
  readonly actions: LeadSummary['actions']
  readonly doNotContact: LeadSummary['doNotContact']
  readonly isTest: LeadSummary['isTest']
  readonly customer: LeadSummary['customer']
  readonly description: LeadSummary['description']
  readonly campaigns: LeadSummary['campaigns']
  readonly capturedAt: LeadSummary['capturedAt']
  readonly updatedAt: LeadSummary['updatedAt']
  readonly revision: LeadSummary['revision']
  /** When the lead's personal data was erased (its contact fields are then empty); null: not erased. */
  readonly erasedAt: LeadSummary['erasedAt']
}

/** Thrown by `leads` when a cursor was not made by this store: a caller error, mapped to 400 at the edge. */
export class BadCursor extends Error {
  constructor() {
    super('cursor is not one this API returned')
  }
}

export interface FactsSince {
  /** Which store instance answered (a generation swap behind `liveViews` changes it: sequences start afresh). */
  readonly store: string
  readonly leadIds: ReadonlyArray<string>
  /** Each lead's write sequence. */
  readonly changed: ReadonlyArray<number>
  readonly facts: ReadonlyArray<LeadFacts>
}

/** The few spellings the two SQL dialects differ in (placeholders are `?`; the PostgreSQL store numbers them). */
export interface FilterDialect {
  /** A boolean column is true. */
  readonly isTrue: (column: string) => string
  /** A text column contains the next parameter as a substring. */
  readonly contains: (column: string) => string
}

/** Action codes on a lead row: each verbatim code between unit separators (a filter value cannot hold one). */
export const actionTokens = (actions: ReadonlyArray<string>): string => `\u001f${actions.join('\u001f')}\u001f`
export const parseActionTokens = (tokens: string): ReadonlyArray<string> => tokens.slice(1, -1).split('\u001f')

/**
 * The WHERE conditions of a lead filter (only the filters given, so each adapter can pick the matching index)
 * and their arguments, then the cursor's (captured_at, lead_id) condition when paging. The same SQL on both
 * stores: `matchesFilter` in the domain is the reference it must agree with.
 */
export const filterSql = (filter: LeadFilter, cursor: string | null, d: FilterDialect): { where: string[]; args: Array<string | number> } => {
  const where: string[] = []
  const args: Array<string | number> = []
  const eq = (column: string, value: string | undefined) => {
    if (value === undefined) return
    where.push(`${column} = ?`)
    args.push(value)
  }
  eq('state', filter.state)
  eq('storefront', filter.storefront)
  eq('campaign', filter.campaign)
  eq('offer_kind', filter.offerKind)
  eq('country', filter.country)
  if (filter.offer !== undefined) {
    const [byId, byTitle] = offerFilterKeys(filter.offer)
    where.push('(offer_key IN (?, ?) OR offer_key2 IN (?, ?))')
    args.push(byId, byTitle, byId, byTitle)
  }
  if (filter.action !== undefined) {
    where.push(filter.action === 'other' ? `(${d.contains('actions')} OR ${d.isTrue('action_other')})` : d.contains('actions'))
    args.push(actionTokens([filter.action]))
  }
  if (filter.from !== undefined) {
    where.push('captured_at >= ?')
    args.push(filter.from)
  }
  if (filter.to !== undefined) {
    where.push('captured_at < ?')
    args.push(filter.to)
  }
  if (filter.includeTest !== true) where.push(`NOT (${d.isTrue('is_test')})`)
  if (cursor !== null) {
    where.push('(captured_at, lead_id) < (?, ?)')
    args.push(...decodeCursor(cursor))
  }
  return { where, args }
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
