// Operators' HTTP for projections: status of every generation, rebuild, pause, resume (operator role).
import type { Router } from 'express'
import { operatorRoutes, PauseChanged, ProjectionsAnswer, RebuildStarted } from '@leadstream/api'
import { mount, reply, sendProblem, type Tokens } from '@leadstream/http-edge'
import type { Supervisor } from './supervisor.js'

export const projectionRoutes =
  (supervisors: ReadonlyMap<string, Supervisor>, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    mount(router, options.tokens, operatorRoutes.listProjections, async (_req, res) => {
      reply(res, ProjectionsAnswer, { projections: await Promise.all([...supervisors.values()].map((s) => s.status())) })
    })
    mount(router, options.tokens, operatorRoutes.projectionAction, async (req, res) => {
      const name = String(req.params['name'])
      const action = String(req.params['action'])
      const s = supervisors.get(name)
      if (s === undefined)
        return sendProblem(res, 404, 'NotFound', [{ path: 'name', reason: `no projection ${name}; known: ${[...supervisors.keys()].join(', ')}` }])
      if (action === 'rebuild') {
        const r = await s.rebuild()
        if (!r.ok) return sendProblem(res, 409, 'RebuildRunning', [{ path: 'name', reason: r.reason }])
        return reply(res, RebuildStarted, { projection: name, building: r.generation, status: await s.status() }, 202)
      }
      if (action === 'pause' || action === 'resume') {
        const entry = await s.setPaused(action === 'pause')
        return reply(res, PauseChanged, { projection: name, registry: entry })
      }
      sendProblem(res, 404, 'NotFound', [{ path: 'action', reason: `unknown action ${action}; one of rebuild, pause, resume` }])
    })
  }
