// Routes every process serves without a token: health, metrics, this API's own document and docs page, and the
// analysts' dashboard (the page asks for a token itself and sends it with each read).
import * as t from 'io-ts'
import { Problem } from './problem.js'
import { TextParam } from './params.js'
import { route } from './route.js'

/** `ok: false` answers 503; the rest says what each part of the process reports (projections, relay, Kafka). */
export const Health = t.intersection([t.type({ ok: t.boolean }), t.record(t.string, t.unknown)], 'Health')
export type Health = t.TypeOf<typeof Health>

/** The OpenAPI 3.1 document (an object; its own schema is the OpenAPI specification's). */
export const OpenApiDocument = t.UnknownRecord

const open = { role: null, tags: ['service'], services: ['ingest', 'query-api', 'projector', 'relay', 'webhooks'] } as const

export const siteRoutes = {
  health: route({
    ...open,
    id: 'getHealth',
    method: 'GET',
    path: '/healthz',
    summary: 'Whether the process is healthy (orchestrators restart or drain it on 503)',
    responses: { 200: { description: 'healthy', json: Health }, 503: { description: 'unhealthy: the body says which part failed', json: Health } },
  }),
  metrics: route({
    ...open,
    id: 'getMetrics',
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (text exposition format)',
    responses: { 200: { description: 'the metrics', media: 'text/plain' } },
  }),
  openapi: route({
    ...open,
    id: 'getOpenApi',
    method: 'GET',
    path: '/openapi.json',
    summary: 'This document: the OpenAPI 3.1 description of every route this process serves',
    responses: { 200: { description: 'the document', json: OpenApiDocument } },
  }),
  docs: route({
    ...open,
    id: 'getDocs',
    method: 'GET',
    path: '/docs',
    summary: 'This document as a web page (works offline)',
    responses: { 200: { description: 'the page', media: 'text/html' } },
  }),
  dashboard: route({
    role: null,
    tags: ['dashboard'],
    services: ['query-api'],
    id: 'getDashboard',
    method: 'GET',
    path: '/',
    summary: 'The analysts’ dashboard page (it asks for an analyst token and sends it with its reads)',
    responses: { 200: { description: 'the page', media: 'text/html' } },
  }),
  dashboardAsset: route({
    role: null,
    tags: ['dashboard'],
    services: ['query-api'],
    id: 'getDashboardAsset',
    method: 'GET',
    path: '/dashboard/{file}',
    summary: 'The dashboard’s scripts and styles',
    params: t.type({ file: TextParam(128) }),
    responses: {
      200: { description: 'the file (JavaScript, CSS)', media: '*/*' },
      404: { description: 'no such file', json: Problem },
    },
  }),
} as const
