// Operators' HTTP: projection status and dead letters (operator role once tokens are configured).
import type { Router } from 'express'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { DeadLetters } from '@leadstream/dead-letters'
import { requireRole, sendProblem, type Tokens } from '@leadstream/http-edge'
import { decodeQuery } from './params.js'

export interface AdminPorts {
  readonly deadLetters: DeadLetters
}

const Status = t.keyof({ open: null, replayed: null, discarded: null })
const IntString = t.refinement(t.string, (s) => /^\d{1,15}$/.test(s), 'integer')
const DeadLetterQuery = t.partial({ status: Status, after: IntString, limit: IntString })

export const adminRoutes =
  (ports: AdminPorts, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    const operator = requireRole(options.tokens, 'operator')

    router.get('/v1/admin/dead-letters', operator, async (req, res) => {
      const q = decodeQuery(DeadLetterQuery, req.query)
      if (E.isLeft(q)) return sendProblem(res, 400, 'Invalid', q.left)
      const limit = Math.min(1000, Math.max(1, Number(q.right.limit ?? 100)))
      const items = await ports.deadLetters.list({ ...(q.right.status === undefined ? {} : { status: q.right.status }), after: Number(q.right.after ?? 0), limit })
      const last = items[items.length - 1]
      res.json({ items, next: items.length === limit && last !== undefined ? String(last.id) : null, open: await ports.deadLetters.count('open') })
    })

    router.get('/v1/admin/dead-letters/:id', operator, async (req, res) => {
      const id = Number(req.params['id'])
      const d = Number.isSafeInteger(id) ? await ports.deadLetters.get(id) : null
      if (d === null) return sendProblem(res, 404, 'NotFound', [{ path: 'id', reason: `no dead letter ${String(req.params['id'])}` }])
      res.json(d)
    })
  }
