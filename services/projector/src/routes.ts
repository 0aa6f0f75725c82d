// Operators' HTTP for projections: status of every generation, rebuild, pause, resume (operator role).
import type { Router } from 'express'
import { requireRole, sendProblem, type Tokens } from '@leadstream/http-edge'
import type { Supervisor } from './supervisor.js'

export const projectionRoutes =
  (supervisors: ReadonlyMap<string, Supervisor>, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    const operator = requireRole(options.tokens, 'operator')
    router.get('/v1/admin/projections', operator, async (_req, res) => {
      res.json({ projections: await Promise.all([...supervisors.values()].map((s) => s.status())) })
    })
    router.post('/v1/admin/projections/:name/:action', operator, async (req, res) => {
      const name = String(req.params['name'])
      const action = String(req.params['action'])
      const s = supervisors.get(name)
      if (s === undefined) return sendProblem(res, 404, 'NotFound', [{ path: 'name', reason: `no projection ${name}; known: ${[...supervisors.keys()].join(', ')}` }])
      if (action === 'rebuild') {
        const r = await s.rebuild()
        if (!r.ok) return sendProblem(res, 409, 'RebuildRunning', [{ path: 'name', reason: r.reason }])
        return void res.status(202).json({ projection: name, building: r.generation, status: await s.status() })
      }
      if (action === 'pause' || action === 'resume') {
        const entry = await s.setPaused(action === 'pause')
        return void res.json({ projection: name, registry: entry })
      }
      sendProblem(res, 404, 'NotFound', [{ path: 'action', reason: `unknown action ${action}; one of rebuild, pause, resume` }])
    })
  }
