// Registers a handler for a route of the API contract (packages/api): its path, its method and its role come
// from the route table, so the table, the server and the OpenAPI document cannot disagree.
import type { RequestHandler, Response, Router } from 'express'
import type * as t from 'io-ts'
import { expressPath, type RouteSpec } from '@leadstream/api'
import { requireRole, type Tokens } from './auth.js'

export const mount = (router: Router, tokens: Tokens, spec: RouteSpec, ...handlers: ReadonlyArray<RequestHandler>): void =>
  mountGuarded(router, spec.role === null ? [] : [requireRole(tokens, spec.role)], spec, ...handlers)

/** `mount` with its own access check, for a route whose callers may prove their role another way (a webhook secret). */
export const mountGuarded = (router: Router, guard: ReadonlyArray<RequestHandler>, spec: RouteSpec, ...handlers: ReadonlyArray<RequestHandler>): void => {
  const path = expressPath(spec.path)
  switch (spec.method) {
    case 'GET':
      return void router.get(path, ...guard, ...handlers)
    case 'POST':
      return void router.post(path, ...guard, ...handlers)
    case 'PUT':
      return void router.put(path, ...guard, ...handlers)
    case 'PATCH':
      return void router.patch(path, ...guard, ...handlers)
    case 'DELETE':
      return void router.delete(path, ...guard, ...handlers)
    default: {
      const never: never = spec.method
      return never
    }
  }
}

/** Sends a JSON answer typed by its codec in the route table, so a handler cannot drift from the document. */
export const reply = <C extends t.Mixed>(res: Response, _codec: C, body: t.OutputOf<C>, status = 200): void => {
  res.status(status).json(body)
}
