// Numbers read from a URL, one strict rule everywhere: decimal digits only, so `0x1`, `1e0`, ` 1` and `-0`
// are refused, not read as 1 or 0, and a bad one is a 400 naming the parameter and the accepted range.
import * as E from 'fp-ts/lib/Either.js'
import { IntParam } from '@leadstream/api'
import { problem, type FieldProblem } from '@leadstream/domain'

/** A numeric id in a path (a dead letter's): 1 or more, and no leading zero, so each id has one spelling. */
export const idParam = (name: string, raw: unknown): E.Either<FieldProblem, number> =>
  typeof raw === 'string' && /^[1-9]\d{0,14}$/.test(raw)
    ? E.right(Number(raw))
    : E.left(problem(name, 'expected an id: a decimal integer from 1, without leading zeros'))

/** An integer query parameter in [min, max] (absent: `fallback`); `limit=0` is refused like any other number out of range. */
export const intQuery = (query: unknown, name: string, min: number, max: number, fallback: number): E.Either<FieldProblem, number> => {
  const raw = (query as Record<string, unknown> | undefined)?.[name]
  if (raw === undefined) return E.right(fallback)
  const decoded = IntParam(min, max).decode(raw)
  return E.isRight(decoded) ? E.right(decoded.right) : E.left(problem(name, `expected an integer from ${min} to ${max}`))
}
