// `Idempotency-Key` on write routes: the first answer to a key is stored and replayed for repeats of it.
import { createHash } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import { sendProblem } from './errors.js'

export interface StoredAnswer {
  readonly fingerprint: string
  readonly status: number
  readonly body: string
}

export interface IdempotencyKeys {
  get(key: string): Promise<StoredAnswer | null>
  put(key: string, answer: StoredAnswer, now: Date): Promise<void>
  close(): Promise<void>
}

/**
 * Middleware for a write route (after the raw body is read). A repeat with the same key and the same request
 * gets the stored answer, marked `Idempotent-Replayed: true`; the same key on a different request is a 422.
 * Answers with a 5xx status are not stored, so a retry after a failure runs again.
 */
export const idempotent =
  (keys: IdempotencyKeys, now: () => Date) =>
  async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = req.get('idempotency-key')
    if (key === undefined) return next()
    if (key.length === 0 || key.length > 200)
      return sendProblem(res, 400, 'Invalid', [{ path: 'Idempotency-Key', reason: 'must be 1 to 200 characters' }])
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const fingerprint = createHash('sha256').update(`${req.method} ${req.originalUrl}\n`).update(raw).digest('hex')
    const stored = await keys.get(key)
    if (stored !== null) {
      if (stored.fingerprint !== fingerprint)
        return sendProblem(res, 422, 'IdempotencyKeyReused', [{ path: 'Idempotency-Key', reason: 'this key was used for a different request' }])
      res.status(stored.status).setHeader('Idempotent-Replayed', 'true').type('application/json').send(stored.body)
      return
    }
    const json = res.json.bind(res)
    res.json = (body: unknown) => {
      if (res.statusCode < 500) void keys.put(key, { fingerprint, status: res.statusCode, body: JSON.stringify(body) }, now())
      return json(body)
    }
    next()
  }
