// Builds an express app from route modules, with the parts every service shares: request metrics,
// /healthz, /metrics, JSON 404s and one error handler for defects.
import express, { Router, type NextFunction, type Request, type Response } from 'express'
import type { Logger, Metrics } from '@leadstream/runtime'
import { sendProblem } from './errors.js'

export type RouteModule = (router: Router) => void

export interface AppOptions {
  readonly metrics: Metrics
  readonly logger: Logger
  /** Health of the process: `ok: false` answers 503 so orchestrators restart or drain it. */
  readonly health: () => Promise<{ readonly ok: boolean } & Record<string, unknown>>
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
  app.get('/healthz', async (_req, res) => {
    const h = await options.health()
    res.status(h.ok ? 200 : 503).json(h)
  })
  app.get('/metrics', async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics())
  })
  const router = Router()
  for (const m of modules) m(router)
  app.use(router)
  app.use((req, res) => sendProblem(res, 404, 'NotFound', [{ path: req.path, reason: `no route ${req.method} ${req.path}` }]))
  // Defects only: known failures are answered by the routes. Never log bodies (they hold personal data).
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    options.logger.error({ err: err instanceof Error ? { message: err.message, stack: err.stack } : String(err), method: req.method, path: req.path }, 'request failed')
    if (!res.headersSent) sendProblem(res, 500, 'InternalError', [], 'the server failed to answer; nothing from this request was acknowledged')
  })
  return app
}
