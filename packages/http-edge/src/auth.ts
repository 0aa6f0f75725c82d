// Bearer tokens per role. With no tokens configured every caller is trusted, which is why the server then
// binds to 127.0.0.1 only (see the composition roots).
import { timingSafeEqual } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import { sendProblem } from './errors.js'

export type Role = 'ingest' | 'analyst' | 'operator'

export interface Tokens {
  readonly ingest: ReadonlyArray<string>
  readonly analyst: ReadonlyArray<string>
  readonly operator: ReadonlyArray<string>
}

export const tokensConfigured = (t: Tokens): boolean => t.ingest.length + t.analyst.length + t.operator.length > 0

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The roles a token holds. The operator role may do everything the others may. */
export const rolesOf = (tokens: Tokens, token: string): ReadonlyArray<Role> => {
  const roles: Role[] = []
  for (const role of ['ingest', 'analyst', 'operator'] as const) if (tokens[role].some((t) => same(t, token))) roles.push(role)
  return roles.includes('operator') ? ['ingest', 'analyst', 'operator'] : roles
}

/** Middleware: 401 without a valid token, 403 with a token lacking the role. A no-op when no tokens are configured. */
export const requireRole =
  (tokens: Tokens, role: Role) =>
  (req: Request, res: Response, next: NextFunction): void => {
    if (!tokensConfigured(tokens)) return next()
    const header = req.get('authorization') ?? ''
    const m = /^Bearer\s+(\S+)$/i.exec(header)
    if (m === null || m[1] === undefined) {
      res.setHeader('WWW-Authenticate', 'Bearer')
      return sendProblem(res, 401, 'Unauthorized', [{ path: 'Authorization', reason: 'a bearer token is required' }])
    }
    const roles = rolesOf(tokens, m[1])
    if (roles.length === 0) return sendProblem(res, 401, 'Unauthorized', [{ path: 'Authorization', reason: 'unknown token' }])
    if (!roles.includes(role)) return sendProblem(res, 403, 'Forbidden', [{ path: 'Authorization', reason: `this route needs the ${role} role` }])
    next()
  }
