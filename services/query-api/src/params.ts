// Query-string parameters of the read routes, decoded with io-ts so a bad one is named in the 400.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import { CampaignType, fromValidation, OfferKind, QualificationState, Storefront, type FieldProblem } from '@leadstream/domain'

const IntParam = (min: number, max: number) =>
  new t.Type<number, string, unknown>(
    `integer ${min}..${max}`,
    (u): u is number => typeof u === 'number',
    (u, c) => {
      const n = typeof u === 'string' && /^\d+$/.test(u) ? Number(u) : NaN
      return Number.isSafeInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c, `expected an integer from ${min} to ${max}`)
    },
    String,
  )

const BoolParam = new t.Type<boolean, string, unknown>(
  'boolean',
  (u): u is boolean => typeof u === 'boolean',
  (u, c) => (u === 'true' || u === '1' ? t.success(true) : u === 'false' || u === '0' ? t.success(false) : t.failure(u, c, 'expected true or false')),
  String,
)

/** Read-your-writes: `minPosition` (a position an ingest answer returned) and how long to wait for it. */
export const Freshness = t.partial({ minPosition: IntParam(0, Number.MAX_SAFE_INTEGER), waitMs: IntParam(0, 30000), includeTest: BoolParam })
export type Freshness = t.TypeOf<typeof Freshness>

export const LeadQuery = t.intersection([
  Freshness,
  t.partial({
    state: QualificationState,
    storefront: Storefront,
    campaign: CampaignType,
    offerKind: OfferKind,
    limit: IntParam(1, 1000),
    cursor: t.string,
  }),
])
export type LeadQuery = t.TypeOf<typeof LeadQuery>

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
  return pipe(codec.decode(q), E.mapLeft((errs) => fromValidation(errs)))
}
