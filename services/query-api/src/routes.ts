// The query API: read-only HTTP over the views, registered from the API contract's route table. Every answer
// says which log position it reflects; every analyst read takes the shared filters.
import * as E from 'fp-ts/lib/Either.js'
import type { Request, Response, Router } from 'express'
import type * as t from 'io-ts'
import { type Freshness, viewRoutes, type Filters, type RouteSpec } from '@leadstream/api'
import {
  campaignTypes,
  cellsOf,
  isNarrowing,
  knownActions,
  offerKinds,
  qualificationStates,
  storefronts,
  type Counted,
  type FieldProblem,
  type LeadFilter,
} from '@leadstream/domain'
import { mount, sendProblem, type Tokens } from '@leadstream/http-edge'
import { awaitPosition, BadCursor, parseActionTokens, viewOfSummary, type CountRow, type ViewReader } from '@leadstream/view-store'
import { analyticsHandlers } from './analytics.js'
import { countViewKeys, groupCountsOfColumns } from './groupCounts.js'
import { factsCache, type FactsCache } from './factsCache.js'
import { select } from './factsColumns.js'
import { filterOf } from './filters.js'
import { decodeQuery } from './params.js'

export interface QueryPorts {
  readonly views: ViewReader
}

export interface QueryHttpOptions {
  readonly tokens: Tokens
  /** How long a reader may wait for `minPosition` when it does not say (ms). */
  readonly defaultWaitMs: number
  /** The clock that ends a series' default range (tests pass a fixed one). */
  readonly now?: () => Date
}

/** Waits until the views reflect `min` (the view store's helper, exported here for the query API's callers). */
export { awaitPosition }

/** A lead as analysts see it (the exports read the same view from the stores). Contact details are included: this route needs the analyst role once tokens exist. */
export const present = viewOfSummary

const zeroes = (keys: ReadonlyArray<string>): Record<string, number> => Object.fromEntries(keys.map((k) => [k, 0]))

/** Folds counter rows of one dimension into `{ key: { total, byState, byOfferKind, byAction, otherActions } }`. */
export const aggregate = (rows: ReadonlyArray<CountRow>, keys: ReadonlyArray<string>, includeTest: boolean) => {
  const out: Record<
    string,
    {
      total: number
      byState: Record<string, number>
      byOfferKind: Record<string, number>
      byAction: Record<string, number>
      otherActions: Record<string, number>
    }
  > = {}
  const entry = (key: string) =>
    (out[key] ??= {
      total: 0,
      byState: zeroes(qualificationStates),
      byOfferKind: zeroes(offerKinds),
      byAction: zeroes([...knownActions, 'other']),
      otherActions: {},
    })
  for (const k of keys) entry(k)
  for (const r of rows) {
    if (r.test && !includeTest) continue
    const e = entry(r.key)
    const add = (m: Record<string, number>) => {
      m[r.bucket] = (m[r.bucket] ?? 0) + r.n
    }
    if (r.metric === 'leads') e.total += r.n
    else if (r.metric === 'state') add(e.byState)
    else if (r.metric === 'offerKind') add(e.byOfferKind)
    else if (r.metric === 'action') add(e.byAction)
    else add(e.otherActions)
  }
  return out
}

/** The counter rows these leads (each with a multiplicity) would hold: the count views' cells. */
export const countRowsOf = (leads: Iterable<readonly [Counted, number]>, dimension: CountRow['dimension']): ReadonlyArray<CountRow> => {
  const rows = new Map<string, { -readonly [K in keyof CountRow]: CountRow[K] }>()
  for (const [lead, n] of leads)
    for (const c of cellsOf(lead)) {
      if (c.dimension !== dimension) continue
      const k = `${c.key}\u0001${c.metric}\u0001${c.bucket}\u0001${c.test}`
      const row = rows.get(k)
      if (row === undefined) rows.set(k, { ...c, n })
      else row.n += n
    }
  return [...rows.values()]
}

/**
 * The counter rows of a dimension under a filter: the projection's counters unless the filter narrows them,
 * then the in-memory fact columns' counts per combination of what the counters split by.
 */
export const countRows = async (
  views: ViewReader,
  cache: FactsCache,
  dimension: CountRow['dimension'],
  filter: LeadFilter,
): Promise<ReadonlyArray<CountRow>> => {
  if (!isNarrowing(filter)) return views.counts(dimension)
  const c = await cache.columns()
  const groups = groupCountsOfColumns(c, select(c, filter), countViewKeys)
  return countRowsOf(
    groups.map((g) => {
      const [storefront, campaign, state, offerKind, isTest, actions] = g.values
      // The values come back in the order asked, from the store's own typed columns.
      const counted = { storefront, campaign, state, offerKind, isTest, actions: parseActionTokens(String(actions)) } as Counted
      return [counted, g.n] as const
    }),
    dimension,
  )
}

/** A read handler: decodes the query, waits for freshness, then answers; a `Left` from `answer` is a 400. */
export type Answer<Q> = (q: Q, position: number, res: Response) => Promise<E.Either<ReadonlyArray<FieldProblem>, unknown>>

export const readHandler =
  <Q>(views: Pick<ViewReader, 'position'>, defaultWaitMs: number, codec: t.Type<Q, unknown, unknown>, answer: Answer<Q>) =>
  async (req: Request, res: Response): Promise<void> => {
    const q = decodeQuery(codec, req.query)
    if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
    // Every read route's query includes Freshness (packages/api).
    const f: Freshness = q.right as Freshness
    const position = f.minPosition === undefined ? await views.position() : await awaitPosition(views, f.minPosition, f.waitMs ?? defaultWaitMs)
    res.setHeader('X-View-Position', String(position))
    if (f.minPosition !== undefined && position < f.minPosition) {
      res.setHeader('Retry-After', '1')
      return sendProblem(res, 503, 'NotYetProjected', [{ path: 'minPosition', reason: `the views are at ${position}, not yet at ${f.minPosition}` }])
    }
    const a = await answer(q.right, position, res)
    if (E.isLeft(a)) return sendProblem(res, 400, 'Invalid', a.left)
    if (!res.headersSent) res.json(a.right)
  }

/** Runs `body` with the filter the query names, or answers its problems. */
export const withFilter = async <A>(q: Filters, body: (f: LeadFilter) => Promise<A>): Promise<E.Either<ReadonlyArray<FieldProblem>, A>> => {
  const f = filterOf(q)
  return E.isLeft(f) ? f : E.right(await body(f.right))
}

/** The codec of a route's query (every read route has one). */
export const queryOf = <Q>(spec: RouteSpec): t.Type<Q, unknown, unknown> => spec.query as t.Type<Q, unknown, unknown>

export const queryRoutes =
  (ports: QueryPorts, options: QueryHttpOptions) =>
  (router: Router): void => {
    const { views } = ports
    // One copy of the facts per query API process (per mounted route set), shared by every analyst read.
    const cache = factsCache(views)
    const on = <Q>(spec: RouteSpec, answer: Answer<Q>) =>
      mount(router, options.tokens, spec, readHandler(views, options.defaultWaitMs, queryOf<Q>(spec), answer))

    const countsRoute = (dimension: 'storefront' | 'campaign', keys: ReadonlyArray<string>, name: string) => (q: Filters, position: number) =>
      withFilter(q, async (f) => ({
        position,
        includeTest: f.includeTest === true,
        [name]: aggregate(await countRows(views, cache, dimension, f), keys, f.includeTest === true),
      }))

    on(viewRoutes.storefronts, countsRoute('storefront', storefronts, 'storefronts'))
    on(viewRoutes.campaigns, countsRoute('campaign', campaignTypes, 'campaigns'))
    on(viewRoutes.qualification, (q: Filters, position) =>
      withFilter(q, async (f) => {
        const all = aggregate(await countRows(views, cache, 'all', f), ['all'], f.includeTest === true)['all']!
        return { position, includeTest: f.includeTest === true, total: all.total, states: all.byState }
      }),
    )
    on(viewRoutes.position, async (_q, position) => E.right({ position }))
    on(viewRoutes.leads, async (q: Filters & { limit?: number; cursor?: string }, position) => {
      const f = filterOf(q)
      if (E.isLeft(f)) return f
      try {
        const page = await views.leads(f.right, q.limit ?? 50, q.cursor ?? null)
        return E.right({ position, items: page.items.map(present), next: page.next })
      } catch (e) {
        if (e instanceof BadCursor) return E.left([{ path: 'cursor', reason: e.message }])
        throw e
      }
    })
    on(viewRoutes.lead, async (_q, position, res) => {
      const id = String(res.req.params['id'])
      const lead = await views.lead(id)
      if (lead === null) {
        sendProblem(res, 404, 'LeadNotFound', [{ path: 'id', reason: `no lead ${id} in the views at position ${position}` }])
        return E.right(null)
      }
      return E.right({ position, lead: present(lead), history: lead.history })
    })
    analyticsHandlers(cache, options.now ?? (() => new Date())).forEach(([spec, answer]) => on(spec, answer))
  }
