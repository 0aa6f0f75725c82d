// Registers a handler for a route of the API contract (packages/api): its path, its method and its role come
// from the route table, so the table, the server and the OpenAPI document cannot disagree.
import type { RequestHandler, Response, Router } from 'express'
import type * as t from 'io-ts'
import { expressPath, type RouteSpec } from '@leadstream/api'
import { loopTurns } from '@leadstream/runtime'
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

/** Items serialised per slice by `replyInSlices` (about 100 kB of a batch's results). */
const REPLY_SLICE = 500

/**
 * `reply` for an answer whose last field `key` is a long array (a batch's 10,000 results): its JSON text and bytes
 * are made a slice of items at a time, with loop turns between, where res.json makes 2 MB in one stretch (30 to
 * 100 ms as the machine's load goes, mostly the UTF-8 encoding). The same bytes and headers as `reply`, through
 * the same `res.send` (an Idempotency-Key stores the text there); an answer whose last field is not an array
 * named `key` is sent by `reply`.
 */
export const replyInSlices = async <C extends t.Mixed>(res: Response, codec: C, body: t.OutputOf<C>, key: string, status = 200, turn = loopTurns()) => {
  const items: unknown = (body as Record<string, unknown>)[key]
  // The other fields as res.json writes them, the array empty: it ends `"key":[]}` when `key` is the last field.
  const head = JSON.stringify({ ...(body as Record<string, unknown>), [key]: [] })
  if (!Array.isArray(items) || !head.endsWith(`"${key}":[]}`)) return reply(res, codec, body, status)
  const chunks = [Buffer.from(head.slice(0, -2))]
  for (let i = 0; i < items.length; i += REPLY_SLICE) {
    await turn()
    // JSON.stringify of an array joins its items' texts with commas: the slices' texts joined the same way.
    const text = JSON.stringify(items.slice(i, i + REPLY_SLICE)).slice(1, -1)
    chunks.push(Buffer.from(i === 0 ? text : `,${text}`))
  }
  chunks.push(Buffer.from(']}'))
  // res.json's Content-Type (express adds `; charset=utf-8`); a Buffer leaves it as set.
  if (res.get('Content-Type') === undefined) res.set('Content-Type', 'application/json')
  res.status(status).send(Buffer.concat(chunks))
}
