// Request bodies read as raw bytes and parsed here, so a body that is not JSON can still be kept in dead letters.
import express, { type NextFunction, type Request, type Response } from 'express'

export type ParsedBody = { readonly ok: true; readonly value: unknown; readonly raw: string } | { readonly ok: false; readonly raw: string; readonly reason: string }

export const rawBody = (limitBytes: number) => express.raw({ type: () => true, limit: limitBytes })

export const parseBody = (req: Request): ParsedBody => {
  const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : ''
  if (raw.trim() === '') return { ok: false, raw, reason: 'the body is empty; expected JSON' }
  try {
    return { ok: true, value: JSON.parse(raw) as unknown, raw }
  } catch (e) {
    return { ok: false, raw, reason: `malformed JSON: ${e instanceof Error ? e.message : String(e)}` }
  }
}

/** Express's own body errors (too large, bad encoding) as JSON; the caller records them as dead letters. */
export const isBodyError = (err: unknown): err is { type: string; status: number; length?: number; limit?: number; message: string } =>
  typeof err === 'object' && err !== null && typeof (err as { type?: unknown }).type === 'string' && typeof (err as { status?: unknown }).status === 'number'

export type ErrorMiddleware = (err: unknown, req: Request, res: Response, next: NextFunction) => void
