// The query API: read-only HTTP over the views. Every answer says which log position it reflects.
import * as E from 'fp-ts/lib/Either.js'
import type { Request, Response, Router } from 'express'
import {
  campaignTypes,
  knownActions,
  offerKinds,
  qualificationStates,
  storefronts,
} from '@leadstream/domain'
import { requireRole, sendProblem, type Tokens } from '@leadstream/http-edge'
import { BadCursor, type CountRow, type ViewReader } from '@leadstream/view-store'
import { freshness } from './fresh.js'
import { present } from './present.js'
import { decodeQuery, Freshness, LeadQuery } from './params.js'

export interface QueryPorts {
  readonly views: ViewReader
}

export interface QueryHttpOptions {
  readonly tokens: Tokens
  /** How long a reader may wait for `minPosition` when it does not say (ms). */
  readonly defaultWaitMs: number
}

const zeroes = (keys: ReadonlyArray<string>): Record<string, number> => Object.fromEntries(keys.map((k) => [k, 0]))

/** Folds counter rows of one dimension into `{ key: { total, byState, byOfferKind, byAction, otherActions } }`. */
export const aggregate = (rows: ReadonlyArray<CountRow>, keys: ReadonlyArray<string>, includeTest: boolean) => {
  const out: Record<string, { total: number; byState: Record<string, number>; byOfferKind: Record<string, number>; byAction: Record<string, number>; otherActions: Record<string, number> }> = {}
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

export const queryRoutes =
  (ports: QueryPorts, options: QueryHttpOptions) =>
  (router: Router): void => {
    const read = requireRole(options.tokens, 'analyst')
    const { views } = ports

    const fresh = freshness(views, options.defaultWaitMs)

    const countsRoute = (dimension: 'storefront' | 'campaign', keys: ReadonlyArray<string>, name: string) => async (req: Request, res: Response) => {
      const q = decodeQuery(Freshness, req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
      const position = await fresh(res, q.right)
      if (position === null) return
      const includeTest = q.right.includeTest === true
      res.json({ position, includeTest, [name]: aggregate(await views.counts(dimension), keys, includeTest) })
    }

    router.get('/v1/views/storefronts', read, countsRoute('storefront', storefronts, 'storefronts'))
    router.get('/v1/views/campaigns', read, countsRoute('campaign', campaignTypes, 'campaigns'))
    router.get('/v1/views/qualification', read, async (req, res) => {
      const q = decodeQuery(Freshness, req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
      const position = await fresh(res, q.right)
      if (position === null) return
      const includeTest = q.right.includeTest === true
      const all = aggregate(await views.counts('all'), ['all'], includeTest)['all']!
      res.json({ position, includeTest, total: all.total, states: all.byState })
    })

    router.get('/v1/leads', read, async (req, res) => {
      const q = decodeQuery(LeadQuery, req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
      const position = await fresh(res, q.right)
      if (position === null) return
      const { state, storefront, campaign, offerKind, includeTest } = q.right
      try {
        const page = await views.leads({ state, storefront, campaign, offerKind, includeTest }, q.right.limit ?? 50, q.right.cursor ?? null)
        res.json({ position, items: page.items.map(present), next: page.next })
      } catch (e) {
        if (e instanceof BadCursor) return sendProblem(res, 400, 'Invalid', [{ path: 'cursor', reason: e.message }])
        throw e
      }
    })

    router.get('/v1/leads/:id', read, async (req, res) => {
      const q = decodeQuery(Freshness, req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
      const position = await fresh(res, q.right)
      if (position === null) return
      const lead = await views.lead(String(req.params['id']))
      if (lead === null) return sendProblem(res, 404, 'LeadNotFound', [{ path: 'id', reason: `no lead ${String(req.params['id'])} in the views at position ${position}` }])
      res.json({ position, lead: present(lead), history: lead.history })
    })
  }
