// `Idempotency-Key` on write routes: the first answer to a key is stored and replayed for repeats of it.
import { createHash } from 'node:crypto'
import type { NextFunction, Request, Response } from 'express'
import type { IdempotencyRecord, IdempotencyRecords } from '@leadstream/event-store'
import { idempotencyScope } from '@leadstream/runtime'
import { sendProblem } from './errors.js'

/**
 * Where answers are kept: the event store's own records (SQLite: a claim commits with the append, and
 * `status: null` means the append committed but the answer was never stored), idempotency.db, or PostgreSQL.
 */
export type StoredAnswer = IdempotencyRecord
export type IdempotencyKeys = IdempotencyRecords

/** A deterministic id base for the events a keyed request writes: a retry after a lost answer writes the same ids. */
export const eventIdOfKey = (key: string): string => `idem-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`

/**
 * Middleware for a write route (after the raw body is read). A repeat with the same key and the same request
 * gets the stored answer, marked `Idempotent-Replayed: true`; the same key on a different request is a 422;
 * a repeat while the first is still running here is a 409. Answers with a 5xx status are not stored, so a
 * retry after a failure runs again. The request runs inside `idempotencyScope`, so a store that can
 * (SQLite) claims the key in the transaction of the request's append. A retry that finds a claim without
 * an answer (the process died between the two) runs the request again: its events carry ids derived from
 * the request (the lead, the native event id, the commandId or this key), so nothing is written twice and
 * the answer says what the store holds; it is marked `Idempotent-Replayed: rebuilt`.
 */
export const idempotent = (keys: IdempotencyKeys, now: () => Date) => {
  const inFlight = new Set<string>()
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const key = req.get('idempotency-key')
    if (key === undefined) return next()
    if (key.length === 0 || key.length > 200) return sendProblem(res, 400, 'Invalid', [{ path: 'Idempotency-Key', reason: 'must be 1 to 200 characters' }])
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const fingerprint = createHash('sha256').update(`${req.method} ${req.originalUrl}\n`).update(raw).digest('hex')
    const stored = await keys.get(key)
    if (stored !== null && stored.fingerprint !== fingerprint)
      return sendProblem(res, 422, 'IdempotencyKeyReused', [{ path: 'Idempotency-Key', reason: 'this key was used for a different request' }])
    if (stored !== null && stored.status !== null) {
      res
        .status(stored.status)
        .setHeader('Idempotent-Replayed', 'true')
        .type('application/json')
        .send(stored.body ?? '')
      return
    }
    if (inFlight.has(key))
      return sendProblem(res, 409, 'IdempotencyKeyInFlight', [{ path: 'Idempotency-Key', reason: 'a request with this key is still being handled; retry' }])
    inFlight.add(key)
    res.once('close', () => inFlight.delete(key))
    if (stored !== null) res.setHeader('Idempotent-Replayed', 'rebuilt')
    const send = res.send.bind(res)
    // The answer is stored before it is sent: a client that retries the moment it has an answer (or lost it)
    // must find it, not run the request again (a second dead letter for a rejected payload). A store that
    // fails here still lets the answer go out; the retry then runs again, as after a crash. Taken at res.send,
    // which res.json calls with its text, and replyInSlices with its bytes: the answer is serialised once.
    res.send = (body?: unknown) => {
      if (res.statusCode >= 500 || (typeof body !== 'string' && !Buffer.isBuffer(body))) return send(body)
      const text = typeof body === 'string' ? body : body.toString('utf8')
      keys.put(key, { fingerprint, status: res.statusCode, body: text }, now()).then(
        () => send(body),
        () => send(body),
      )
      return res
    }
    idempotencyScope.run({ key, fingerprint }, next)
  }
}
