// Operators' HTTP for webhooks: subscriptions (list, add, show, remove), their deliveries, replay. Operator role.
import { randomBytes } from 'node:crypto'
import type { NextFunction, Request, Response, Router } from 'express'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { pipe } from 'fp-ts/lib/function.js'
import {
  DeliveryPage,
  DeliveryQuery,
  LogReplayAnswer,
  NewSubscription,
  SubscriptionCreated,
  SubscriptionDetail,
  SubscriptionList,
  SubscriptionRemoved,
  WebhookReplay,
  WebhookReplayed,
  webhookEventTypes,
  webhookRoutes,
  type SubscriptionStatusView,
  type SubscriptionView,
} from '@leadstream/api'
import { fromValidation, problem, type FieldProblem } from '@leadstream/domain'
import { isBodyError, mount, parseBody, rawBody, reply, sendProblem, type Tokens } from '@leadstream/http-edge'
import { newSecret, type Delivery, type Subscription, type WebhookStore } from '@leadstream/delivery-log'
import type { DispatcherControl } from './dispatcher.js'

export interface WebhookRoutePorts {
  readonly store: WebhookStore
  readonly dispatcher: DispatcherControl
  readonly now: () => Date
}

const bodyLimitBytes = 64 * 1024

/** Reads the body; a body that cannot be read is answered here (these bodies are operators' settings, not leads: no dead letter). */
const body = (req: Request, res: Response, next: NextFunction): void =>
  rawBody(bodyLimitBytes)(req, res, (err?: unknown) => {
    if (err === undefined) return next()
    if (isBodyError(err))
      return sendProblem(res, err.status, err.status === 413 ? 'PayloadTooLarge' : err.status === 415 ? 'UnsupportedMediaType' : 'Invalid', [
        problem(err.path, err.reason),
      ])
    next(err)
  })

const decodeBody = <A>(codec: t.Decoder<unknown, A>, req: Request): E.Either<ReadonlyArray<FieldProblem>, A> => {
  const parsed = parseBody(req)
  if (!parsed.ok) return E.left([problem('(body)', parsed.reason)])
  return pipe(
    codec.decode(parsed.value),
    E.mapLeft((errs) => fromValidation(errs)),
  )
}

export const viewOf = (s: Subscription): SubscriptionView => ({
  id: s.id,
  url: s.url,
  events: s.events,
  filters: s.filters,
  includeContact: s.includeContact,
  description: s.description,
  createdAt: s.createdAt,
})

export const deliveryView = (d: Delivery) => ({
  id: d.id,
  seq: d.seq,
  type: d.type,
  leadId: d.leadId,
  eventId: d.eventId,
  position: d.position,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' ? d.nextAttemptAt : null,
  lastError: d.lastError,
  lastStatus: d.lastStatus,
  deliveredAt: d.deliveredAt,
})

export const statusOf = async (ports: WebhookRoutePorts, id: string): Promise<SubscriptionStatusView> => {
  const now = ports.now()
  const s = await ports.store.stats(id, now)
  return {
    pending: s.pending,
    parked: s.parked,
    delivered: s.delivered,
    lagSeconds: s.oldestPendingAt === null ? null : Math.max(0, Math.round((now.getTime() - Date.parse(s.oldestPendingAt)) / 100) / 10),
    lastSuccessAt: s.lastSuccessAt,
    lastError: s.lastError,
    failureRate: s.attemptsRecent === 0 ? 0 : Math.round((s.failuresRecent / s.attemptsRecent) * 1000) / 1000,
    attemptsRecent: s.attemptsRecent,
    circuit: await ports.dispatcher.circuit(id),
  }
}

export const webhookAdminRoutes =
  (ports: WebhookRoutePorts, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    const found = async (req: Request, res: Response): Promise<Subscription | null> => {
      const id = String(req.params['id'])
      const s = await ports.store.subscription(id)
      if (s === null) sendProblem(res, 404, 'NotFound', [{ path: 'id', reason: `no subscription ${id}` }])
      return s
    }

    mount(router, options.tokens, webhookRoutes.listWebhooks, async (_req, res) => {
      const subs = await ports.store.subscriptions()
      const subscriptions = []
      for (const s of subs) subscriptions.push({ subscription: viewOf(s), status: await statusOf(ports, s.id) })
      reply(res, SubscriptionList, { subscriptions, dispatcher: await ports.dispatcher.status() })
    })

    mount(router, options.tokens, webhookRoutes.addWebhook, body, async (req, res) => {
      const decoded = decodeBody(NewSubscription, req)
      if (E.isLeft(decoded)) return sendProblem(res, 400, 'Invalid', decoded.left)
      const n = decoded.right
      if (n.events !== undefined && n.events.length === 0)
        return sendProblem(res, 400, 'Invalid', [problem('events', `expected at least one of ${webhookEventTypes.join(', ')}`)])
      const secret = n.secret ?? newSecret()
      const s: Subscription = {
        id: `wh_${randomBytes(12).toString('base64url')}`,
        url: n.url,
        events: n.events === undefined ? webhookEventTypes : [...new Set(n.events)],
        filters: n.filters ?? {},
        secret,
        includeContact: n.includeContact ?? false,
        description: n.description ?? null,
        createdAt: ports.now().toISOString(),
      }
      await ports.store.addSubscription(s)
      ports.dispatcher.subscriptionsChanged()
      reply(res, SubscriptionCreated, { subscription: viewOf(s), secret }, 201)
    })

    mount(router, options.tokens, webhookRoutes.getWebhook, async (req, res) => {
      const s = await found(req, res)
      if (s !== null) reply(res, SubscriptionDetail, { subscription: viewOf(s), status: await statusOf(ports, s.id) })
    })

    mount(router, options.tokens, webhookRoutes.removeWebhook, async (req, res) => {
      const id = String(req.params['id'])
      if (!(await ports.store.removeSubscription(id))) return sendProblem(res, 404, 'NotFound', [{ path: 'id', reason: `no subscription ${id}` }])
      ports.dispatcher.subscriptionsChanged()
      reply(res, SubscriptionRemoved, { removed: id })
    })

    mount(router, options.tokens, webhookRoutes.listWebhookDeliveries, async (req, res) => {
      const q = DeliveryQuery.decode(req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', fromValidation(q.left))
      const s = await found(req, res)
      if (s === null) return
      const limit = q.right.limit ?? 100
      const items = await ports.store.deliveries(s.id, {
        ...(q.right.status === undefined ? {} : { status: q.right.status }),
        after: q.right.after ?? 0,
        limit,
      })
      const last = items[items.length - 1]
      reply(res, DeliveryPage, { items: items.map(deliveryView), next: items.length === limit && last !== undefined ? String(last.seq) : null })
    })

    mount(router, options.tokens, webhookRoutes.replayWebhook, body, async (req, res) => {
      const decoded = decodeBody(WebhookReplay, req)
      if (E.isLeft(decoded)) return sendProblem(res, 400, 'Invalid', decoded.left)
      const given = (['parked', 'fromPosition', 'fromTime'] as const).filter((k) => decoded.right[k] !== undefined)
      if (given.length !== 1)
        return sendProblem(res, 400, 'Invalid', [
          problem('(body)', `expected exactly one of parked, fromPosition, fromTime; got ${given.length === 0 ? 'none' : given.join(', ')}`),
        ])
      const s = await found(req, res)
      if (s === null) return
      const r = decoded.right
      if (r.parked === true) {
        const requeued = await ports.store.replay(s.id, r, ports.now())
        ports.dispatcher.wake()
        return reply(res, WebhookReplayed, { requeued }, 202)
      }
      const from = r.fromPosition !== undefined ? { position: r.fromPosition } : { time: new Date(r.fromTime ?? 0).toISOString() }
      const replay = await ports.dispatcher.replayFromLog(s, from)
      if (replay === null) return sendProblem(res, 409, 'Conflict', [problem('id', `a replay from the log is already reading for ${s.id}`)])
      reply(res, WebhookReplayed, { requeued: 0, replay }, 202)
    })

    mount(router, options.tokens, webhookRoutes.getWebhookReplay, async (req, res) => {
      const s = await found(req, res)
      if (s !== null) reply(res, LogReplayAnswer, { replay: await ports.dispatcher.replayProgress(s.id) })
    })
  }
