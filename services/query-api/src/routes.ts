// The query API: read-only HTTP over the views. Every answer says which log position it reflects.
import * as E from 'fp-ts/lib/Either.js'
import type { Request, Response, Router } from 'express'
import {
  campaignTypes,
  knownActions,
  offerKinds,
  qualificationStates,
  storefronts,
  type LeadSummary,
} from '@leadstream/domain'
import { requireRole, sendProblem, type Tokens } from '@leadstream/http-edge'
import { BadCursor, type CountRow, type ViewReader } from '@leadstream/view-store'
import { decodeQuery, Freshness, LeadQuery } from './params.js'

export interface QueryPorts {
  readonly views: ViewReader
}

export interface QueryHttpOptions {
  readonly tokens: Tokens
  /** How long a reader may wait for `minPosition` when it does not say (ms). */
  readonly defaultWaitMs: number
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits until the views reflect `min`, or the deadline passes. Returns the position reached. */
export const awaitPosition = async (views: ViewReader, min: number, waitMs: number): Promise<number> => {
  const deadline = Date.now() + waitMs
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const p = await views.position()
    if (p >= min || Date.now() >= deadline) return p
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())))
  }
}

/** A lead as analysts see it. Contact details are included: this route needs the analyst role once tokens exist. */
const present = (s: LeadSummary) => ({
  leadId: s.leadId,
  state: s.state,
  storefront: s.storefront,
  campaign: s.campaign,
  leadSource: s.leadSource,
  offer: { id: s.offerId, title: s.offerTitle, kind: s.offerKind },
  actions: s.actions,
  doNotContact: s.doNotContact,
  isTest: s.isTest,
  customer: s.customer,
  description: s.description,
  campaigns: s.campaigns,
  capturedAt: s.capturedAt,
  updatedAt: s.updatedAt,
  revision: s.revision,
})

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

    /** Applies freshness: waits for `minPosition`, sets `X-View-Position`; false when it answered 503 already. */
    const fresh = async (res: Response, f: Freshness): Promise<number | null> => {
      const position = f.minPosition === undefined ? await views.position() : await awaitPosition(views, f.minPosition, f.waitMs ?? options.defaultWaitMs)
      res.setHeader('X-View-Position', String(position))
      if (f.minPosition !== undefined && position < f.minPosition) {
        res.setHeader('Retry-After', '1')
        sendProblem(res, 503, 'NotYetProjected', [{ path: 'minPosition', reason: `the views are at ${position}, not yet at ${f.minPosition}` }])
        return null
      }
      return position
    }

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
