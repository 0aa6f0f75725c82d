// Operators' HTTP: projection status and dead letters (operator role once tokens are configured).
import type { Router } from 'express'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { DeadLetters } from '@leadstream/dead-letters'
import { IntParam } from '@leadstream/api'
import { idParam, requireRole, sendProblem, type Tokens } from '@leadstream/http-edge'
import { decodeQuery } from './params.js'

export interface AdminPorts {
  readonly deadLetters: DeadLetters
}

const Status = t.keyof({ open: null, replayed: null, discarded: null })
const DeadLetterQuery = t.partial({ status: Status, after: IntParam(0, Number.MAX_SAFE_INTEGER), limit: IntParam(1, 1000) })

export const adminRoutes =
  (ports: AdminPorts, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    const operator = requireRole(options.tokens, 'operator')

    router.get('/v1/admin/dead-letters', operator, async (req, res) => {
      const q = decodeQuery(DeadLetterQuery, req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
      const limit = q.right.limit ?? 100
      const items = await ports.deadLetters.list({ ...(q.right.status === undefined ? {} : { status: q.right.status }), after: q.right.after ?? 0, limit })
      const last = items[items.length - 1]
      res.json({ items, next: items.length === limit && last !== undefined ? String(last.id) : null, open: await ports.deadLetters.count('open') })
    })

    router.get('/v1/admin/dead-letters/:id', operator, async (req, res) => {
      const id = idParam('id', req.params['id'])
      if (E.isLeft(id)) return sendProblem(res, 400, 'Invalid', [id.left])
      const d = await ports.deadLetters.get(id.right)
      if (d === null) return sendProblem(res, 404, 'NotFound', [{ path: 'id', reason: `no dead letter ${String(req.params['id'])}` }])
      res.json(d)
    })
  }
