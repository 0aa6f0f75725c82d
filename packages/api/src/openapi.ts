// The OpenAPI 3.1 document, generated from the route table: paths, parameters, bodies, responses per status
// with their headers and media types, bearer security with each route's role. Served at GET /openapi.json.
import type * as t from 'io-ts'
import type { JsonSchema } from './annotate.js'
import { components, membersOf, schemaOf, type Components } from './jsonSchema.js'
import type { ResponseSpec, RouteSpec, Service } from './route.js'
import { routesOf } from './table.js'
import { webhookPayloads, webhookPayloadSummary } from './webhookPayloads.js'
import type { WebhookEventType } from './webhooks.js'

export type OpenApi = JsonSchema

const tagDescriptions: Readonly<Record<string, string>> = {
  ingest: 'Leads in: native events, marketplace leads, qualification commands, the offer catalogue (ingest role).',
  views: 'The analysts’ views: counts, lead lists and one lead (analyst role).',
  analytics: 'Leads over time, the qualification funnel, top lists and exports (analyst role).',
  operators: 'The event store, dead letters, projections and the relay (operator role).',
  webhooks: 'Signed webhooks out: subscriptions, their delivery status, replay (operator role). The payloads are under `webhooks`.',
  service: 'Health, metrics and this documentation (no token).',
  dashboard: 'The analysts’ dashboard (the page asks for a token).',
}

const roleText = (role: RouteSpec['role']): string =>
  role === null
    ? 'No token needed.'
    : `Needs a bearer token with the **${role}** role${role === 'operator' ? '' : ' (or operator)'} once tokens are configured.`

const parameters = (r: RouteSpec, into: Components): ReadonlyArray<JsonSchema> => [
  ...(r.params === undefined ? [] : membersOf(r.params).map((m) => ({ name: m.name, in: 'path', required: true, schema: schemaOf(m.codec, into) }))),
  ...(r.query === undefined
    ? []
    : membersOf(r.query).map((m) => ({ name: m.name, in: 'query', ...(m.required ? { required: true } : {}), schema: schemaOf(m.codec, into) }))),
  ...Object.entries(r.requestHeaders ?? {}).map(([name, description]) => ({ name, in: 'header', description, schema: { type: 'string' } })),
]

const response = (spec: ResponseSpec, into: Components): JsonSchema => ({
  description: spec.description,
  ...(spec.headers === undefined
    ? {}
    : { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }),
  ...(spec.json !== undefined
    ? { content: { 'application/json': { schema: schemaOf(spec.json as t.Any, into) } } }
    : spec.media !== undefined
      ? { content: { [spec.media]: { schema: { type: 'string' } } } }
      : {}),
})

const operation = (r: RouteSpec, into: Components): JsonSchema => {
  const params = parameters(r, into)
  return {
    operationId: r.id,
    summary: r.summary,
    description: [r.description, roleText(r.role)].filter((s) => s !== undefined).join('\n\n'),
    tags: r.tags,
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(r.body === undefined ? {} : { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body as t.Any, into) } } } }),
    responses: Object.fromEntries(Object.entries(r.responses).map(([status, spec]) => [status, response(spec, into)])),
    ...(r.role === null ? { security: [] } : { security: [{ bearer: [] }] }),
    'x-role': r.role,
    'x-services': r.services,
  }
}

const signatureHeaders = [
  { name: 'webhook-id', description: 'The message id: the same on every retry and replay of this delivery (deduplicate on it)' },
  { name: 'webhook-timestamp', description: 'Seconds since the epoch when this attempt was signed (refuse ones far from now)' },
  { name: 'webhook-signature', description: '`v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under the subscription secret (Standard Webhooks)' },
]

/** OpenAPI 3.1 `webhooks`: what leadstream POSTs to a subscription's URL, one entry per event type. */
const webhooksOf = (into: Components): Record<string, JsonSchema> =>
  Object.fromEntries(
    (Object.keys(webhookPayloads) as ReadonlyArray<WebhookEventType>).map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace('.', '_')}`,
          summary: webhookPayloadSummary[type],
          description:
            'Signed per the Standard Webhooks specification; verify with the `standardwebhooks` package. Delivered at least once, in order per lead. ' +
            'Answer 2xx within the timeout; 429 or 503 with Retry-After is honoured; anything else is retried with backoff, then parked.',
          tags: ['webhooks'],
          parameters: signatureHeaders.map((h) => ({ name: h.name, in: 'header', required: true, description: h.description, schema: { type: 'string' } })),
          requestBody: { required: true, content: { 'application/json': { schema: schemaOf(webhookPayloads[type], into) } } },
          responses: { '2XX': { description: 'received' }, default: { description: 'not received: retried later' } },
        },
      },
    ]),
  )

/** The document for the routes one kind of process serves (all of them for the embedded server). */
export const openApiDocument = (service?: Service, table: ReadonlyArray<RouteSpec> = routesOf(service)): OpenApi => {
  const into = components()
  const paths: Record<string, Record<string, JsonSchema>> = {}
  for (const r of table) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r, into)
  const used = [...new Set(table.flatMap((r) => r.tags))]
  return {
    openapi: '3.1.0',
    info: {
      title: `leadstream${service === undefined ? '' : ` ${service}`} API`,
      version: '1',
      description:
        'An event-sourced pipeline for the commercial marketplace’s leads. Every error answers with one body (`Problem`): ' +
        'a code, a message, and the field paths at fault. Without configured tokens every caller is trusted and the server listens on 127.0.0.1 only.',
    },
    tags: used.map((name) => ({ name, ...(tagDescriptions[name] === undefined ? {} : { description: tagDescriptions[name] }) })),
    paths,
    ...(service === undefined || service === 'webhooks' ? { webhooks: webhooksOf(into) } : {}),
    components: {
      schemas: Object.fromEntries(Object.entries(into.schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A token from LEADSTREAM_INGEST_TOKENS, LEADSTREAM_ANALYST_TOKENS or LEADSTREAM_OPERATOR_TOKENS; the operator role may do everything.',
        },
      },
    },
  }
}
