// The analysts' projections over HTTP: leads over time, the qualification funnel and the top lists, computed from
// the query process's in-memory fact columns (factsCache.ts), so SQLite and PostgreSQL answer identically and
// a million leads answer in milliseconds.
import * as E from 'fp-ts/lib/Either.js'
import {
  analyticsRoutes,
  type FunnelAnswer,
  type FunnelQuery,
  type RouteSpec,
  type SeriesAnswer,
  type SeriesQuery,
  type TopAnswer,
  type TopQuery,
} from '@leadstream/api'
import { bucketStarts, problem, type FieldProblem, type SeriesRequest } from '@leadstream/domain'
import { cohortsOfColumns, figuresOfColumns, groupsOfColumns, seriesOfColumns, topOfColumns } from './fastAnalytics.js'
import type { FactsCache } from './factsCache.js'
import { select } from './factsColumns.js'
import { filterOf } from './filters.js'
import type { Answer } from './routes.js'

const day = 86_400_000
/** A series' range when the query does not give one: the last 30 days. */
export const defaultRangeDays = 30
/** `hour` buckets only for ranges up to this long. */
export const hourRangeDays = 31
/** The most buckets one series answers with (a longer range needs a wider interval). */
export const maxBuckets = 2000

type Handlers = ReadonlyArray<readonly [RouteSpec, Answer<never>]>

export const analyticsHandlers = (cache: FactsCache, now: () => Date): Handlers => {
  const series: Answer<SeriesQuery> = async (q, position) => {
    const filter = filterOf(q)
    if (E.isLeft(filter)) return filter
    const to = q.to ?? now().toISOString()
    const from = q.from ?? new Date(Date.parse(to) - defaultRangeDays * day).toISOString()
    const interval = q.interval ?? 'day'
    const tz = q.tz ?? 'UTC'
    const [fromMs, toMs] = [Date.parse(from), Date.parse(to)]
    const problems: FieldProblem[] = []
    if (fromMs >= toMs) problems.push(problem('from', 'must be before to'))
    else if (interval === 'hour' && toMs - fromMs > hourRangeDays * day)
      problems.push(problem('interval', `hour buckets need a range of at most ${hourRangeDays} days`))
    const starts = problems.length > 0 ? [] : bucketStarts(interval, tz, fromMs, toMs, maxBuckets)
    if (starts.length > maxBuckets)
      problems.push(problem('interval', `the range would need more than ${maxBuckets} ${interval} buckets; use a wider interval or a shorter range`))
    if (problems.length > 0) return E.left(problems)
    const req: SeriesRequest = { interval, tz, by: q.by ?? null, from: fromMs, to: toMs }
    const c = await cache.columns()
    const s = seriesOfColumns(c, select(c, { ...filter.right, from, to }), req, starts)
    const by = req.by
    const answer: SeriesAnswer = { position, interval, tz, by, from, to, ...s, buckets: [...s.buckets], groups: [...s.groups] }
    return E.right(answer)
  }

  const funnel: Answer<FunnelQuery> = async (q, position) => {
    const filter = filterOf(q)
    if (E.isLeft(filter)) return filter
    const c = await cache.columns()
    const sel = select(c, filter.right)
    const tz = q.tz ?? 'UTC'
    const cohort = q.cohort ?? 'month'
    const by = q.by ?? null
    const figures = figuresOfColumns(c, sel)
    const answer: FunnelAnswer = {
      position,
      by,
      cohort,
      tz,
      ...figures,
      stages: [...figures.stages],
      groups:
        by === null
          ? []
          : groupsOfColumns(c, sel, by).map(([key, g]) => {
              const f = figuresOfColumns(c, g)
              return { key, ...f, stages: [...f.stages] }
            }),
      cohorts: [...cohortsOfColumns(c, sel, cohort, tz)],
    }
    return E.right(answer)
  }

  const top: Answer<TopQuery> = async (q, position) => {
    const filter = filterOf(q)
    if (E.isLeft(filter)) return filter
    const by = q.by ?? 'offer'
    const sort = q.sort ?? 'leads'
    const c = await cache.columns()
    const rows = topOfColumns(c, select(c, filter.right), { by, sort, limit: q.limit ?? 10, minLeads: q.minLeads ?? 1 })
    const answer: TopAnswer = { position, by, sort, rows: [...rows] }
    return E.right(answer)
  }

  return [
    [analyticsRoutes.series, series as Answer<never>],
    [analyticsRoutes.funnel, funnel as Answer<never>],
    [analyticsRoutes.top, top as Answer<never>],
  ]
}
