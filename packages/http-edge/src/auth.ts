// Bearer tokens per role. With no tokens configured every caller is trusted, which is why the server then
// binds to 127.0.0.1 only (see the composition roots).
import { createHash, timingSafeEqual } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import { sendProblem } from './errors.js'

export type Role = 'ingest' | 'analyst' | 'operator'

export interface Tokens {
  readonly ingest: ReadonlyArray<string>
  readonly analyst: ReadonlyArray<string>
  readonly operator: ReadonlyArray<string>
}

export const tokensConfigured = (t: Tokens): boolean => t.ingest.length + t.analyst.length + t.operator.length > 0

/** Compares digests, not the strings, so neither the content nor the length of a secret shows in the timing. */
const same = (a: string, b: string): boolean => {
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(a), digest(b))
}

/** Every secret is compared (no early exit), so the time does not say which one matched. */
const anyOf = (secrets: ReadonlyArray<string>, candidate: string): boolean => secrets.reduce((found, s) => same(s, candidate) || found, false)

/** The roles a token holds. The operator role may do everything the others may. */
export const rolesOf = (tokens: Tokens, token: string): ReadonlyArray<Role> => {
  const roles: Role[] = []
  for (const role of ['ingest', 'analyst', 'operator'] as const) if (anyOf(tokens[role], token)) roles.push(role)
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

/**
 * Middleware for the one route a sender cannot add a header to: Partner Center's HTTPS-endpoint destination
 * POSTs to a pasted URL and nothing else, so a webhook secret may come as `?code=<secret>`. A request with a
 * `code` must carry one of `secrets` (else 401); a request without one is held to the role's bearer token.
 * The URL is never logged (see the app's error handler), so the secret stays out of logs and metric labels.
 */
export const requireRoleOrCode = (tokens: Tokens, role: Role, secrets: ReadonlyArray<string>) => {
  const byToken = requireRole(tokens, role)
  return (req: Request, res: Response, next: NextFunction): void => {
    const code = req.query['code']
    if (code === undefined || secrets.length === 0) return byToken(req, res, next)
    if (typeof code === 'string' && anyOf(secrets, code)) return next()
    sendProblem(res, 401, 'Unauthorized', [{ path: 'code', reason: 'unknown webhook secret' }])
  }
}
