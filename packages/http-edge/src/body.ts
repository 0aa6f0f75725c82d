// Request bodies read as raw bytes (decompressed here) and parsed here, so a body that is not JSON, too
// deep, or not what its Content-Encoding says can still be kept in dead letters as it was received.
import { brotliDecompress, gunzip, inflate, type InputType, type ZlibOptions } from 'node:zlib'
import type { NextFunction, Request, Response } from 'express'
import * as E from 'fp-ts/lib/Either.js'
import { readJson, readJsonInSlices, type JsonRead } from '@leadstream/domain'
import { loopTurns } from '@leadstream/runtime'

export type ParsedBody =
  | { readonly ok: true; readonly value: unknown; readonly raw: string }
  | { readonly ok: false; readonly raw: string; readonly reason: string }

/** A body that could not be read: the status to answer, the header or `(body)` at fault, and what to keep. */
export class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly path: string,
    readonly reason: string,
    /** The bytes as received, for dead letters: `base64:<…>` (they were not readable text), or null when not kept (too large). */
    readonly payload: string | null,
  ) {
    super(reason)
  }
}

type Inflate = (buf: InputType, options: ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void
const decoders: Readonly<Record<string, Inflate>> = { gzip: gunzip, 'x-gzip': gunzip, deflate: inflate, br: brotliDecompress }
export const supportedEncodings = ['identity', ...Object.keys(decoders)]

const tooLarge = (size: string, limitBytes: number) =>
  new BodyReadError(413, '(body)', `the body is ${size}; the limit is ${limitBytes} bytes (LEADSTREAM_BODY_LIMIT_BYTES; send smaller batches)`, null)

/**
 * Middleware: reads the whole body into `req.body` (a Buffer), decompressing gzip, deflate and br. The limit
 * applies to the bytes received and to the bytes they inflate to. Errors go to the route's error handler as a
 * `BodyReadError`: 413 past the limit (the connection is then closed rather than read to its end), 415 for
 * an encoding not listed above, 400 for bytes that are not what their Content-Encoding says.
 */
export const rawBody =
  (limitBytes: number) =>
  (req: Request, res: Response, next: NextFunction): void => {
    const encoding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase()
    const decoder = decoders[encoding]
    if (decoder === undefined && encoding !== 'identity')
      return next(new BodyReadError(415, 'Content-Encoding', `"${encoding}" is not supported; send one of ${supportedEncodings.join(', ')}`, null))
    const declared = Number(req.get('content-length') ?? 0)
    if (declared > limitBytes) {
      res.setHeader('Connection', 'close')
      return next(tooLarge(`${declared} bytes`, limitBytes))
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    const finish = (err: BodyReadError | null, body?: Buffer) => {
      if (done) return
      done = true
      req.removeListener('data', onData)
      if (err !== null) return next(err)
      req.body = body
      next()
    }
    const onData = (chunk: Buffer) => {
      size += chunk.length
      if (size <= limitBytes) return void chunks.push(chunk)
      res.setHeader('Connection', 'close')
      finish(tooLarge(`over ${limitBytes} bytes`, limitBytes))
    }
    req.on('data', onData)
    req.once('error', () => finish(new BodyReadError(400, '(body)', 'the body was cut off before its end', null)))
    req.once('end', () => {
      const raw = Buffer.concat(chunks)
      if (decoder === undefined) return finish(null, raw)
      decoder(raw, { maxOutputLength: limitBytes }, (err, out) => {
        if (err === null) return finish(null, out)
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return finish(tooLarge(`over ${limitBytes} bytes once inflated`, limitBytes))
        finish(new BodyReadError(400, 'Content-Encoding', `the body is not valid ${encoding}: ${err.message}`, `base64:${raw.toString('base64')}`))
      })
    })
  }

const textOf = (req: Request): string => (Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '')

/** The body as leads: one value or a batch whose items are read one by one (see `readJson`), with its text; read in slices. */
export const readLeadsBody = async (req: Request): Promise<{ readonly raw: string; readonly read: JsonRead }> => {
  const raw = textOf(req)
  return { raw, read: await readJsonInSlices(raw, loopTurns()) }
}

/** The body as one JSON value (a command, catalogue entries): any part past the nesting limit refuses it whole. */
export const parseBody = (req: Request): ParsedBody => {
  const raw = textOf(req)
  const read = readJson(raw)
  switch (read._tag) {
    case 'Unreadable':
      return { ok: false, raw, reason: read.reason }
    case 'One':
      return { ok: true, value: read.value, raw }
    case 'Many': {
      const values: unknown[] = []
      for (const item of read.items) {
        if (E.isLeft(item.value)) return { ok: false, raw, reason: item.value.left }
        values.push(item.value.right)
      }
      return { ok: true, value: values, raw }
    }
    default: {
      const never: never = read
      return never
    }
  }
}

export const isBodyError = (err: unknown): err is BodyReadError => err instanceof BodyReadError

export type ErrorMiddleware = (err: unknown, req: Request, res: Response, next: NextFunction) => void
