// Query-string decoding for the read routes: the codecs are the API contract's (packages/api); this refuses
// parameters the codec does not name, so a typo never silently widens a filter.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as t from 'io-ts'
import { fromValidation, type FieldProblem } from '@leadstream/domain'

const known = (codec: t.Mixed): ReadonlyArray<string> => {
  const c = codec as t.Mixed & { types?: ReadonlyArray<t.Mixed>; props?: Record<string, unknown> }
  if (c.props !== undefined) return Object.keys(c.props)
  return (c.types ?? []).flatMap(known)
}

/** A parameter's name as a problem's path (`?=x` has an empty one). */
const nameOf = (k: string): string => (k === '' ? '(query: a parameter without a name)' : k)

/** Decodes a query string; unknown parameters are refused too (a typo should not silently widen a filter). */
export const decodeQuery = <A>(codec: t.Type<A, unknown, unknown>, query: unknown): E.Either<ReadonlyArray<FieldProblem>, A> => {
  const allowed = new Set(known(codec as unknown as t.Mixed))
  const q = (query ?? {}) as Record<string, unknown>
  const extra = Object.keys(q).filter((k) => !allowed.has(k))
  if (extra.length > 0) return E.left(extra.map((k) => ({ path: nameOf(k), reason: `unknown parameter; known: ${[...allowed].join(', ')}` })))
  const repeated = Object.entries(q).filter(([, v]) => Array.isArray(v))
  if (repeated.length > 0) return E.left(repeated.map(([k]) => ({ path: nameOf(k), reason: 'given more than once' })))
  return pipe(
    codec.decode(q),
    E.mapLeft((errs) => fromValidation(errs)),
  )
}
