// The privacy routes (operator role): erase a person, export everything held about a person, the status of
// retention and erasures. A request here is never kept as a dead letter: it holds the very email being erased.
import * as E from 'fp-ts/lib/Either.js'
import type { NextFunction, Request, Response, Router } from 'express'
import { ErasureAnswer, ErasureRequest, PrivacyStatus, privacyRoutes, RetentionRunView, SubjectExport, SubjectSearch } from '@leadstream/api'
import { fromValidation, problem } from '@leadstream/domain'
import { isBodyError, mount, parseBody, rawBody, reply, sendProblem, type Tokens } from '@leadstream/http-edge'
import type { ErasureAudit, RetentionRun } from '@leadstream/privacy'
import { eraseEmail, messageOf, type ErasurePorts } from './erasure.js'
import { exportSubject, type SubjectAccessPorts } from './subjectAccess.js'

export interface PrivacyHttpOptions {
  readonly tokens: Tokens
  readonly bodyLimitBytes: number
  /** LEADSTREAM_RETENTION_DAYS, null when retention is off (reported in the status). */
  readonly retentionDays: number | null
  /** Runs one retention sweep now (null when retention is off). */
  readonly sweepNow: (() => Promise<RetentionRun>) | null
}

export type PrivacyPorts = ErasurePorts & SubjectAccessPorts & { readonly audit: ErasureAudit }

/** The subject search body: exactly `{ email }` (an unknown field is refused, not ignored). */
const emailOf = (body: unknown): E.Either<ReadonlyArray<{ path: string; reason: string }>, string> => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return E.left([problem('(body)', 'expected a JSON object {"email": …}')])
  const extra = Object.keys(body).filter((k) => k !== 'email')
  if (extra.length > 0) return E.left(extra.map((k) => problem(k, 'unknown field; known: email')))
  const decoded = SubjectSearch.decode(body)
  return E.isLeft(decoded) ? E.left(fromValidation(decoded.left)) : E.right(decoded.right.email)
}

export const privacyHttpRoutes =
  (ports: PrivacyPorts, options: PrivacyHttpOptions) =>
  (router: Router): void => {
    mount(router, options.tokens, privacyRoutes.erase, rawBody(options.bodyLimitBytes), async (req: Request, res: Response) => {
      const body = parseBody(req)
      if (!body.ok) return sendProblem(res, 400, 'Invalid', [problem('(body)', body.reason)])
      const decoded = ErasureRequest.decode(body.value)
      if (E.isLeft(decoded)) return sendProblem(res, 400, 'Invalid', fromValidation(decoded.left))
      const { email, by, reason } = decoded.right
      const r = await eraseEmail(ports, { email, by, note: reason, reason: 'request' })
      if (r === null) return sendProblem(res, 400, 'Invalid', [problem('email', 'expected an email address')])
      reply(res, ErasureAnswer, {
        erasureId: r.erasureId,
        outcome: r.outcome,
        subject: r.subject,
        counts: r.counts,
        position: r.position,
        message: messageOf(r),
      })
    })

    // POST with the email in the body: a URL (and so every proxy's access log) never names the person.
    mount(router, options.tokens, privacyRoutes.exportSubject, rawBody(options.bodyLimitBytes), async (req: Request, res: Response) => {
      const body = parseBody(req)
      if (!body.ok) return sendProblem(res, 400, 'Invalid', [problem('(body)', body.reason)])
      const email = emailOf(body.value)
      if (E.isLeft(email)) return sendProblem(res, 400, 'Invalid', email.left)
      const doc = await exportSubject(ports, email.right)
      if (doc === null) return sendProblem(res, 400, 'Invalid', [problem('email', 'expected an email address')])
      // A person's data: not for shared caches.
      res.setHeader('Cache-Control', 'no-store')
      reply(res, SubjectExport, doc)
    })

    mount(router, options.tokens, privacyRoutes.runRetention, async (_req: Request, res: Response) => {
      if (options.sweepNow === null)
        return sendProblem(res, 409, 'RetentionOff', [problem('LEADSTREAM_RETENTION_DAYS', 'retention is off (0 days): set it to run the sweep')])
      reply(res, RetentionRunView, await options.sweepNow())
    })

    mount(router, options.tokens, privacyRoutes.privacyStatus, async (_req: Request, res: Response) => {
      const [lastRetentionRun, pending, recent] = await Promise.all([ports.audit.lastRetentionRun(), ports.audit.pending(), ports.audit.recent(20)])
      reply(res, PrivacyStatus, { retentionDays: options.retentionDays, lastRetentionRun, pending: pending.length, recent: [...recent] })
    })

    // A body that could not be read is answered here, never kept as a dead letter (it names the person).
    router.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
      if (!isBodyError(err) || !req.path.startsWith('/v1/privacy/')) return next(err)
      sendProblem(res, err.status, err.status === 413 ? 'PayloadTooLarge' : err.status === 415 ? 'UnsupportedMediaType' : 'Invalid', [
        problem(err.path, err.reason),
      ])
    })
  }
