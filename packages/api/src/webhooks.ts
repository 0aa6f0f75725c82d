// Signed webhooks out: subscriptions (operators' routes) and their delivery status. Deliveries follow the Standard
// Webhooks spec; what receivers get is in webhookPayloads.ts.
import * as t from 'io-ts'
import { CampaignType, Instant, Storefront } from '@leadstream/domain'
import { withSchema } from './annotate.js'
import { IntParam, TextParam } from './params.js'
import { Problem } from './problem.js'
import { route, type ResponseSpec } from './route.js'

// ---------------------------------------------------------------------------------------------------------
// subscriptions
// ---------------------------------------------------------------------------------------------------------

export const WebhookEventType = t.keyof(
  { 'lead.captured': null, 'lead.action_recorded': null, 'lead.state_changed': null, 'lead.erased': null },
  'WebhookEventType',
)
export type WebhookEventType = t.TypeOf<typeof WebhookEventType>
export const webhookEventTypes = Object.keys(WebhookEventType.keys) as ReadonlyArray<WebhookEventType>

/** True for hosts that never leave the machine: the one case where plain http is accepted. */
export const isLoopbackHost = (hostname: string): boolean => {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/** Where deliveries go: an absolute https URL (http only to a loopback receiver), without credentials, at most 2048 characters. */
export const WebhookUrl = withSchema(
  new t.Type<string, string, unknown>(
    'webhook URL',
    (u): u is string => typeof u === 'string',
    (u, c) => {
      if (typeof u !== 'string' || u.length > 2048) return t.failure(u, c, 'expected an absolute URL of at most 2048 characters')
      let url: URL
      try {
        url = new URL(u)
      } catch {
        return t.failure(u, c, 'expected an absolute URL such as https://crm.example.com/hooks/leads')
      }
      if (url.username !== '' || url.password !== '')
        return t.failure(u, c, 'credentials in the URL are refused (they would be stored and shown); authenticate by the signature')
      if (url.protocol === 'https:') return t.success(url.href)
      if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return t.success(url.href)
      return t.failure(u, c, 'expected an https URL (plain http only to a loopback receiver: localhost, 127.0.0.1, ::1)')
    },
    t.identity,
  ),
  { type: 'string', format: 'uri', maxLength: 2048, description: 'https, or http to a loopback host' },
)

/** A Standard Webhooks secret: `whsec_` and the base64 of 24 to 64 random bytes. */
export const WebhookSecret = withSchema(
  new t.Type<string, string, unknown>(
    'webhook secret',
    (u): u is string => typeof u === 'string',
    (u, c) => {
      const m = typeof u === 'string' ? /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(u) : null
      const bytes = m?.[1] === undefined ? 0 : Buffer.from(m[1], 'base64').length
      return bytes >= 24 && bytes <= 64 ? t.success(u as string) : t.failure(u, c, 'expected whsec_ followed by the base64 of 24 to 64 random bytes')
    },
    t.identity,
  ),
  { type: 'string', pattern: '^whsec_[A-Za-z0-9+/]+={0,2}$' },
)

/** Which leads' events a subscription gets; an absent list means any. Test leads only with `includeTest`. */
export const WebhookFilters = t.partial(
  {
    storefronts: t.readonlyArray(Storefront),
    campaigns: t.readonlyArray(CampaignType),
    /** Offer ids (`publisher.offer`) or offer keys (`id:…`, `title:…`). */
    offers: t.readonlyArray(TextParam(256)),
    includeTest: t.boolean,
  },
  'WebhookFilters',
)
export type WebhookFilters = t.TypeOf<typeof WebhookFilters>

export const NewSubscription = t.intersection(
  [
    t.type({ url: WebhookUrl }),
    t.partial({
      /** Default: every type. `lead.erased` goes to every subscription that received the lead, whatever it asks for. */
      events: t.readonlyArray(WebhookEventType),
      filters: WebhookFilters,
      /** Default: a new random secret, answered once. */
      secret: WebhookSecret,
      /** Whether payloads carry the customer's contact data (default false). */
      includeContact: t.boolean,
      description: TextParam(200),
    }),
  ],
  'NewSubscription',
)
export type NewSubscription = t.TypeOf<typeof NewSubscription>

export const SubscriptionView = t.type(
  {
    id: t.string,
    url: t.string,
    events: t.readonlyArray(WebhookEventType),
    filters: WebhookFilters,
    includeContact: t.boolean,
    description: t.union([t.string, t.null]),
    createdAt: t.string,
  },
  'Subscription',
)
export type SubscriptionView = t.TypeOf<typeof SubscriptionView>

export const CircuitState = t.keyof({ closed: null, open: null, 'half-open': null }, 'CircuitState')
export type CircuitState = t.TypeOf<typeof CircuitState>

export const SubscriptionStatusView = t.type(
  {
    /** Deliveries waiting (including those behind a parked one of the same lead). */
    pending: t.number,
    parked: t.number,
    delivered: t.number,
    /** Age of the oldest pending delivery: how far behind the receiver is, in time. */
    lagSeconds: t.union([t.number, t.null]),
    lastSuccessAt: t.union([t.string, t.null]),
    lastError: t.union([t.type({ at: t.string, message: t.string, status: t.union([t.number, t.null]) }), t.null]),
    /** Failed attempts / attempts over the last 15 minutes (0 without attempts). */
    failureRate: t.number,
    attemptsRecent: t.number,
    circuit: CircuitState,
  },
  'SubscriptionStatus',
)
export type SubscriptionStatusView = t.TypeOf<typeof SubscriptionStatusView>

export const SubscriptionDetail = t.type({ subscription: SubscriptionView, status: SubscriptionStatusView }, 'SubscriptionDetail')
export type SubscriptionDetail = t.TypeOf<typeof SubscriptionDetail>

export const DispatcherView = t.type(
  {
    /** `idle`: no subscription exists, so the log is not read (the first one makes it catch up). */
    state: t.keyof({ idle: null, starting: null, live: null, stopped: null, failed: null }),
    head: t.number,
    lag: t.number,
    lastError: t.union([t.string, t.null]),
  },
  'WebhookDispatcher',
)
export type DispatcherView = t.TypeOf<typeof DispatcherView>

export const SubscriptionList = t.type({ subscriptions: t.readonlyArray(SubscriptionDetail), dispatcher: DispatcherView }, 'SubscriptionList')
export type SubscriptionList = t.TypeOf<typeof SubscriptionList>

/** The secret is in this answer only: it is never shown again. */
export const SubscriptionCreated = t.type({ subscription: SubscriptionView, secret: t.string }, 'SubscriptionCreated')
export type SubscriptionCreated = t.TypeOf<typeof SubscriptionCreated>

export const SubscriptionRemoved = t.type({ removed: t.string }, 'SubscriptionRemoved')

export const DeliveryStatus = t.keyof({ pending: null, delivered: null, parked: null }, 'DeliveryStatus')
export type DeliveryStatus = t.TypeOf<typeof DeliveryStatus>

export const DeliveryView = t.type(
  {
    /** The `webhook-id` header: the same on every attempt and every replay. */
    id: t.string,
    seq: t.number,
    type: WebhookEventType,
    leadId: t.string,
    eventId: t.string,
    position: t.number,
    status: DeliveryStatus,
    attempts: t.number,
    nextAttemptAt: t.union([t.string, t.null]),
    lastError: t.union([t.string, t.null]),
    lastStatus: t.union([t.number, t.null]),
    deliveredAt: t.union([t.string, t.null]),
  },
  'Delivery',
)
export type DeliveryView = t.TypeOf<typeof DeliveryView>

export const DeliveryPage = t.type({ items: t.readonlyArray(DeliveryView), next: t.union([t.string, t.null]) }, 'DeliveryPage')
export type DeliveryPage = t.TypeOf<typeof DeliveryPage>

export const DeliveryQuery = t.partial({ status: DeliveryStatus, after: IntParam(0, Number.MAX_SAFE_INTEGER), limit: IntParam(1, 1000) })

/**
 * Exactly one: the parked deliveries (queued again at once), or the event log re-read from a position or from an
 * instant (the events' recording time) and routed to this subscription alone.
 */
export const WebhookReplay = t.partial({ parked: t.literal(true), fromPosition: t.number, fromTime: Instant }, 'WebhookReplay')
export type WebhookReplay = t.TypeOf<typeof WebhookReplay>

/** A replay that re-reads the event log for one subscription: where it started, how far it is. */
export const LogReplayView = t.type(
  {
    state: t.keyof({ reading: null, done: null, failed: null, stopped: null }),
    fromPosition: t.union([t.number, t.null]),
    fromTime: t.union([t.string, t.null]),
    startedAt: t.string,
    finishedAt: t.union([t.string, t.null]),
    /** Log events read so far (a replay from a time reads from the log's start, to fold each lead's facts). */
    read: t.number,
    /** Deliveries queued (again, same `webhook-id`) so far. */
    requeued: t.number,
    error: t.union([t.string, t.null]),
  },
  'WebhookLogReplay',
)
export type LogReplayView = t.TypeOf<typeof LogReplayView>
export const LogReplayAnswer = t.type({ replay: t.union([LogReplayView, t.null]) }, 'WebhookLogReplayAnswer')
export type LogReplayAnswer = t.TypeOf<typeof LogReplayAnswer>

/** Parked: how many were queued again. From the log: `requeued` is 0 at first, and `replay` says how it goes. */
export const WebhookReplayed = t.intersection([t.type({ requeued: t.number }), t.partial({ replay: LogReplayView })], 'WebhookReplayed')
export type WebhookReplayed = t.TypeOf<typeof WebhookReplayed>

// ---------------------------------------------------------------------------------------------------------
// routes
// ---------------------------------------------------------------------------------------------------------

const operator = { role: 'operator', tags: ['webhooks'], services: ['webhooks'] } as const
const denied: Readonly<Record<number, ResponseSpec>> = {
  401: { description: 'no or unknown bearer token', json: Problem },
  403: { description: 'the token lacks the operator role', json: Problem },
}
const subscriptionId = t.type({ id: TextParam(64) })
const notFound: ResponseSpec = { description: 'no such subscription', json: Problem }

export const webhookRoutes = {
  listWebhooks: route({
    ...operator,
    id: 'listWebhooks',
    method: 'GET',
    path: '/v1/admin/webhooks',
    summary: 'Every subscription with its lag, last success, last error, failure rate and circuit; the dispatcher’s place in the log',
    responses: { 200: { description: 'the subscriptions', json: SubscriptionList }, ...denied },
  }),
  addWebhook: route({
    ...operator,
    id: 'addWebhook',
    method: 'POST',
    path: '/v1/admin/webhooks',
    summary: 'Subscribe a URL to lead events (its secret is answered once)',
    description: 'Deliveries start with events recorded from now on. The URL must be https, except to a loopback receiver.',
    body: NewSubscription,
    responses: {
      201: { description: 'the subscription and its secret', json: SubscriptionCreated },
      400: { description: 'a field is invalid (each named with the reason)', json: Problem },
      ...denied,
    },
  }),
  getWebhook: route({
    ...operator,
    id: 'getWebhook',
    method: 'GET',
    path: '/v1/admin/webhooks/{id}',
    summary: 'One subscription and its delivery status',
    params: subscriptionId,
    responses: { 200: { description: 'the subscription', json: SubscriptionDetail }, 404: notFound, ...denied },
  }),
  removeWebhook: route({
    ...operator,
    id: 'removeWebhook',
    method: 'DELETE',
    path: '/v1/admin/webhooks/{id}',
    summary: 'Remove a subscription and its delivery log (nothing more is sent to it)',
    params: subscriptionId,
    responses: { 200: { description: 'removed', json: SubscriptionRemoved }, 404: notFound, ...denied },
  }),
  listWebhookDeliveries: route({
    ...operator,
    id: 'listWebhookDeliveries',
    method: 'GET',
    path: '/v1/admin/webhooks/{id}/deliveries',
    summary: 'A subscription’s deliveries in log order (filter `status=parked` for what gave up), paged by seq',
    params: subscriptionId,
    query: DeliveryQuery,
    responses: {
      200: { description: 'one page, `next` is the `after` of the next one', json: DeliveryPage },
      400: { description: 'a parameter is invalid', json: Problem },
      404: notFound,
      ...denied,
    },
  }),
  replayWebhook: route({
    ...operator,
    id: 'replayWebhook',
    method: 'POST',
    path: '/v1/admin/webhooks/{id}/replay',
    summary:
      'Send again: the parked deliveries, or the event log re-read from a position or a time and routed to this subscription only (its filters, types and contact option; same webhook-id as any earlier delivery, in order per lead)',
    params: subscriptionId,
    body: WebhookReplay,
    responses: {
      202: { description: 'parked: how many are queued again; from the log: the replay started (follow it with GET)', json: WebhookReplayed },
      400: { description: 'not exactly one of parked, fromPosition, fromTime', json: Problem },
      404: notFound,
      409: { description: 'a replay from the log is already reading for this subscription', json: Problem },
      ...denied,
    },
  }),
  getWebhookReplay: route({
    ...operator,
    id: 'getWebhookReplay',
    method: 'GET',
    path: '/v1/admin/webhooks/{id}/replay',
    summary: 'The latest replay from the log of this subscription (since the dispatcher started): reading, done or failed, events read, deliveries queued',
    params: subscriptionId,
    responses: {
      200: { description: 'the latest replay, or null when none ran', json: LogReplayAnswer },
      404: notFound,
      ...denied,
    },
  }),
} as const
