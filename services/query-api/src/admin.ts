// Operators' HTTP: projection status and dead letters (operator role once tokens are configured).
import type { Router } from 'express'
import * as E from 'fp-ts/lib/Either.js'
import { DeadLetterPage, DeadLetterQuery, DeadLetterView, operatorRoutes } from '@leadstream/api'
import type { DeadLetters } from '@leadstream/dead-letters'
import { idParam, mount, reply, sendProblem, type Tokens } from '@leadstream/http-edge'
import { decodeQuery } from './params.js'

export interface AdminPorts {
  readonly deadLetters: DeadLetters
}

export const adminRoutes =
  (ports: AdminPorts, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    mount(router, options.tokens, operatorRoutes.listDeadLetters, async (req, res) => {
      const q = decodeQuery(DeadLetterQuery, req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
      const limit = q.right.limit ?? 100
      const items = await ports.deadLetters.list({ ...(q.right.status === undefined ? {} : { status: q.right.status }), after: q.right.after ?? 0, limit })
      const last = items[items.length - 1]
      reply(res, DeadLetterPage, {
        items,
        next: items.length === limit && last !== undefined ? String(last.id) : null,
        open: await ports.deadLetters.count('open'),
      })
    })

    mount(router, options.tokens, operatorRoutes.getDeadLetter, async (req, res) => {
      const id = idParam('id', req.params['id'])
      if (E.isLeft(id)) return sendProblem(res, 400, 'Invalid', [id.left])
      const d = await ports.deadLetters.get(id.right)
      if (d === null) return sendProblem(res, 404, 'NotFound', [{ path: 'id', reason: `no dead letter ${String(req.params['id'])}` }])
      reply(res, DeadLetterView, d)
    })
  }
