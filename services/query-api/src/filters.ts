// The shared analyst filters (packages/api `Filters`) as a view store's LeadFilter: the country form is
// normalised here (an unrecognised one is a 400 naming it), and a range must run forwards.
import * as E from 'fp-ts/lib/Either.js'
import type { Filters } from '@leadstream/api'
import { countryCode, problem, unknownCountry, type FieldProblem, type LeadFilter } from '@leadstream/domain'

export const filterOf = (q: Filters): E.Either<ReadonlyArray<FieldProblem>, LeadFilter> => {
  const problems: FieldProblem[] = []
  let country: string | undefined
  if (q.country !== undefined) {
    country = q.country.trim().toLowerCase() === unknownCountry ? unknownCountry : (countryCode(q.country) ?? undefined)
    if (country === undefined)
      problems.push(problem('country', `${JSON.stringify(q.country)} is not a country this API knows (ISO 3166-1 code or English name, or unknown)`))
  }
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) problems.push(problem('from', 'must be before to'))
  if (problems.length > 0) return E.left(problems)
  // Only the filters: the query also holds freshness and paging parameters, which must not narrow anything.
  const { storefront, campaign, offer, offerKind, action, state, from, to, includeTest } = q
  return E.right({ storefront, campaign, offer, offerKind, action, country, state, from, to, includeTest })
}
