// The CLI's one HTTP client: a call to a service's endpoint (endpoints.ts) with the operator token, and every way a
// call can fail, returned as a value (unreachable, refused with problems, an answer it cannot read, interrupted).
// Answers are decoded with the codecs the servers answer with (packages/api), so the CLI copies no shape.
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import { Problem } from '@leadstream/api'
import { fromValidation, type FieldProblem } from '@leadstream/domain'
import type { Endpoints, Service } from './endpoints.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export type { Endpoint, Endpoints, Service } from './endpoints.js'

export type Failure =
  | {
      readonly _tag: 'Unreachable'
      readonly service: Service
      readonly method: string
      readonly url: string
      readonly reason: string
      /** Connected (or tried to) but no answer in time: a busy server rather than a missing one. */
      readonly timedOut: boolean
    }
  | {
      readonly _tag: 'Refused'
      readonly service: Service
      readonly method: string
      readonly url: string
      readonly status: number
      readonly code: string
      readonly message: string
      readonly problems: ReadonlyArray<FieldProblem>
    }
  | { readonly _tag: 'Unreadable'; readonly service: Service; readonly method: string; readonly url: string; readonly status: number; readonly reason: string }
  | { readonly _tag: 'Interrupted' }

export type Result<A> = { readonly ok: true; readonly value: A } | { readonly ok: false; readonly failure: Failure }

export type Query = Readonly<Record<string, string | number | undefined>>

export interface Api {
  /** `body`, when given, is sent as JSON. */
  call<A>(service: Service, method: 'GET' | 'POST' | 'DELETE', path: string, codec: t.Decoder<unknown, A>, query?: Query, body?: unknown): Promise<Result<A>>
  /**
   * POSTs a JSON body (the import's batches). `answers`: statuses besides 2xx whose body is read with `codec`
   * rather than as an error (a batch with every item rejected is a 400 that carries per-item results).
   */
  send<A>(service: Service, path: string, body: string, codec: t.Decoder<unknown, A>, answers?: ReadonlyArray<number>): Promise<Result<A>>
}

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

const unreachableReason = (e: unknown, timeoutMs: number): string => {
  if (e instanceof Error && e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000}s`
  const cause = (e as { cause?: { code?: string; message?: string } }).cause
  // fetch refuses some ports outright (1, 6000, …: the spec's "bad ports")
  if (cause?.message === 'bad port') return 'fetch refuses to connect to this port'
  switch (cause?.code) {
    case 'ECONNREFUSED':
      return 'connection refused'
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found'
    case 'ECONNRESET':
      return 'connection reset'
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'connection timed out'
    default:
      return cause?.message ?? (e instanceof Error ? e.message : String(e))
  }
}

const parseJson = (text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch {
    return { ok: false }
  }
}

/**
 * Where an answer differs from the contract: the first field's path and what was expected. Never the value: an
 * answer may hold customer data.
 */
const mismatch = (errors: t.Errors): string => {
  const [first] = fromValidation(errors)
  return first === undefined ? '(body): not readable' : `${first.path}: ${first.reason.replace(/, got [\s\S]*$/, '')}`
}

/** Calls go to the service's endpoint, with the operator token when one is given; SIGINT (`signal`) interrupts them. */
export const api = (endpoints: Endpoints, token: string | null, signal: AbortSignal, timeoutMs = 30000): Api => {
  const request = async <A>(
    service: Service,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    codec: t.Decoder<unknown, A>,
    query: Query,
    body: string | undefined,
    answers: ReadonlyArray<number>,
  ): Promise<Result<A>> => {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v))
    const url = `${endpoints[service].url}${path}${params.size > 0 ? `?${params.toString()}` : ''}`
    let res: Response
    let text: string
    try {
      res = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      })
      text = await res.text()
    } catch (e) {
      if (signal.aborted) return { ok: false, failure: { _tag: 'Interrupted' } }
      const timedOut = e instanceof Error && e.name === 'TimeoutError'
      return { ok: false, failure: { _tag: 'Unreachable', service, method, url, reason: unreachableReason(e, timeoutMs), timedOut } }
    }
    const answer = parseJson(text)
    if (!res.ok && !(answers.includes(res.status) && answer.ok && E.isRight(codec.decode(answer.value)))) {
      const error = answer.ok ? Problem.decode(answer.value) : null
      if (error !== null && E.isRight(error)) return { ok: false, failure: { _tag: 'Refused', service, method, url, status: res.status, ...error.right.error } }
      // not our JSON error (a proxy, another program on the port): show the start of what came back
      const snippet = text.trim().slice(0, 200)
      return {
        ok: false,
        failure: { _tag: 'Refused', service, method, url, status: res.status, code: res.statusText || 'Error', message: snippet, problems: [] },
      }
    }
    if (!answer.ok) return { ok: false, failure: { _tag: 'Unreadable', service, method, url, status: res.status, reason: 'the answer is not JSON' } }
    const decoded = codec.decode(answer.value)
    if (E.isLeft(decoded)) return { ok: false, failure: { _tag: 'Unreadable', service, method, url, status: res.status, reason: mismatch(decoded.left) } }
    return { ok: true, value: decoded.right }
  }
  return {
    call: (service, method, path, codec, query = {}, body?: unknown) =>
      request(service, method, path, codec, query, body === undefined ? undefined : JSON.stringify(body), []),
    send: (service, path, body, codec, answers = []) => request(service, 'POST', path, codec, {}, body, answers),
  }
}
