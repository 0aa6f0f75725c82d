// Builds an express app from route modules, with the parts every service shares: request metrics,
// /healthz, /metrics, /openapi.json and /docs, JSON 404s and 405s, and one error handler for request errors
// and defects.
import express, { Router, type NextFunction, type Request, type Response } from 'express'
import { docsPage, Health, openApiDocument, siteRoutes, type Service } from '@leadstream/api'
import type { Logger, Metrics } from '@leadstream/runtime'
import type { Tokens } from './auth.js'
import { sendProblem } from './errors.js'
import { mount, reply } from './mount.js'
import { allowedMethods, undecodableParam } from './routing.js'
import { promptHealth } from './health.js'

export type RouteModule = (router: Router) => void

export interface AppOptions {
  readonly metrics: Metrics
  readonly logger: Logger
  /** Health of the process: `ok: false` answers 503 so orchestrators restart or drain it. */
  readonly health: () => Promise<Health>
  /** Which process this is: /openapi.json and /docs describe its routes (all of them when absent: embedded). */
  readonly service?: Service
}

/** The routes every process serves need no token. */
const noTokens: Tokens = { ingest: [], analyst: [], operator: [] }

/** Health, metrics, the OpenAPI document and its page (built once, on the first request for either). */
const siteModule =
  (options: AppOptions): RouteModule =>
  (router) => {
    let doc: ReturnType<typeof openApiDocument> | null = null
    let page: string | null = null
    const document = () => (doc ??= openApiDocument(options.service))
    const health = promptHealth(options.health)
    mount(router, noTokens, siteRoutes.health, async (_req, res) => {
      const h = await health()
      reply(res, Health, h, h.ok ? 200 : 503)
    })
    mount(router, noTokens, siteRoutes.metrics, async (_req, res) => {
      res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics())
    })
    mount(router, noTokens, siteRoutes.openapi, (_req, res) => {
      res.json(document())
    })
    mount(router, noTokens, siteRoutes.docs, (_req, res) => {
      res.type('html').send((page ??= docsPage(document())))
    })
  }

export const httpApp = (modules: ReadonlyArray<RouteModule>, options: AppOptions): express.Express => {
  const app = express()
  app.disable('x-powered-by')
  app.set('query parser', 'simple')
  app.use((req, res, next) => {
    const end = options.metrics.httpDuration.startTimer()
    res.on('finish', () => {
      const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched'
      end({ route, method: req.method, status: String(res.statusCode) })
    })
    next()
  })
  const router = Router()
  for (const m of [siteModule(options), ...modules]) m(router)
  app.use(router)
  app.use((req, res) => {
    const allow = allowedMethods([router], req.path)
    if (allow.length === 0) return sendProblem(res, 404, 'NotFound', [{ path: req.path, reason: `no route ${req.method} ${req.path}` }])
    res.setHeader('Allow', allow.join(', '))
    sendProblem(res, 405, 'MethodNotAllowed', [{ path: '(method)', reason: `${req.method} is not allowed here; allowed: ${allow.join(', ')}` }])
  })
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    // express 5 throws a URIError with status 400 when a path parameter is not valid percent-encoding.
    if (err instanceof URIError && (err as URIError & { status?: number }).status === 400)
      return sendProblem(res, 400, 'Invalid', [
        { path: undecodableParam([router], req.path) ?? '(path)', reason: 'not valid percent-encoding (%XX of UTF-8 bytes)' },
      ])
    // Defects only: known failures are answered by the routes. Never log bodies (they hold personal data), nor
    // the URL: its query string may carry a webhook secret.
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched'
    options.logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), method: req.method, route }, 'request failed')
    if (res.headersSent) return
    // A write may have landed before the defect: the answer must not deny it.
    const message =
      req.method === 'GET' || req.method === 'HEAD'
        ? 'the server failed to answer; nothing was changed'
        : 'the server failed before it could answer; part of this request may have been written before the failure. Sending it again is safe: leads already written are answered as duplicates'
    sendProblem(res, 500, 'InternalError', [], message)
  })
  return app
}
