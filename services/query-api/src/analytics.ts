// The analysts' projections over HTTP: leads over time, the qualification funnel and the top lists. The store
// supplies the facts of the filtered leads; the pure analytics of the domain compute the answer, so SQLite and
// PostgreSQL answer identically.
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
import { actionBucket, bucketStarts, cohortsOf, funnelFigures, groupFacts, problem, seriesOf, seriesOfTallies, topOf, type FieldProblem, type LeadFilter, type SeriesRequest } from '@leadstream/domain'
import { parseActionTokens, quarterHourMs, type ViewReader } from '@leadstream/view-store'
import { filterOf } from './filters.js'
import type { Answer } from './routes.js'

const day = 86_400_000
/** A series' range when the query does not give one: the last 30 days. */
export const defaultRangeDays = 30
/** `hour` buckets only for ranges up to this long. */
export const hourRangeDays = 31
/** The most buckets one series answers with (a longer range needs a wider interval). */
export const maxBuckets = 2000

/**
 * A series from the store's counts per UTC quarter-hour (and group): exact whenever every bucket starts on a
 * quarter-hour, as in every zone in use today; otherwise (historical offsets) from the leads one by one.
 */
export const seriesFrom = async (views: ViewReader, filter: LeadFilter, req: SeriesRequest, starts: ReadonlyArray<number>) => {
  if (!starts.every((s) => s % quarterHourMs === 0)) return seriesOf(await views.facts(filter), req, starts)
  const by = req.by
  const rows = await views.groupCounts(filter, by === null ? ['quarterHour'] : ['quarterHour', by === 'action' ? 'actions' : by])
  return seriesOfTallies(
    rows.map((r) => ({
      ms: (r.values[0] as number) * quarterHourMs,
      keys: by === null ? [] : by === 'action' ? [...new Set(parseActionTokens(String(r.values[1])).map(actionBucket))] : [String(r.values[1])],
      n: r.n,
    })),
    req,
    starts,
  )
}

type Handlers = ReadonlyArray<readonly [RouteSpec, Answer<never>]>

export const analyticsHandlers = (views: ViewReader, now: () => Date): Handlers => {
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
    else if (interval === 'hour' && toMs - fromMs > hourRangeDays * day) problems.push(problem('interval', `hour buckets need a range of at most ${hourRangeDays} days`))
    const starts = problems.length > 0 ? [] : bucketStarts(interval, tz, fromMs, toMs, maxBuckets)
    if (starts.length > maxBuckets) problems.push(problem('interval', `the range would need more than ${maxBuckets} ${interval} buckets; use a wider interval or a shorter range`))
    if (problems.length > 0) return E.left(problems)
    const req: SeriesRequest = { interval, tz, by: q.by ?? null, from: fromMs, to: toMs }
    const s = await seriesFrom(views, { ...filter.right, from, to }, req, starts)
    const by = req.by
    const answer: SeriesAnswer = { position, interval, tz, by, from, to, ...s, buckets: [...s.buckets], groups: [...s.groups] }
    return E.right(answer)
  }

  const funnel: Answer<FunnelQuery> = async (q, position) => {
    const filter = filterOf(q)
    if (E.isLeft(filter)) return filter
    const facts = await views.facts(filter.right)
    const tz = q.tz ?? 'UTC'
    const cohort = q.cohort ?? 'month'
    const by = q.by ?? null
    const figures = funnelFigures(facts)
    const answer: FunnelAnswer = {
      position,
      by,
      cohort,
      tz,
      ...figures,
      stages: [...figures.stages],
      groups: by === null ? [] : groupFacts(facts, by).map(([key, g]) => {
        const f = funnelFigures(g)
        return { key, ...f, stages: [...f.stages] }
      }),
      cohorts: [...cohortsOf(facts, cohort, tz)],
    }
    return E.right(answer)
  }

  const top: Answer<TopQuery> = async (q, position) => {
    const filter = filterOf(q)
    if (E.isLeft(filter)) return filter
    const by = q.by ?? 'offer'
    const sort = q.sort ?? 'leads'
    const rows = topOf(await views.facts(filter.right), { by, sort, limit: q.limit ?? 10, minLeads: q.minLeads ?? 1 })
    const answer: TopAnswer = { position, by, sort, rows: [...rows] }
    return E.right(answer)
  }

  return [
    [analyticsRoutes.series, series as Answer<never>],
    [analyticsRoutes.funnel, funnel as Answer<never>],
    [analyticsRoutes.top, top as Answer<never>],
  ]
}
