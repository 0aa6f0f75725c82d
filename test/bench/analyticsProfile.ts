// A driver to profile the analytics alone (`node --cpu-prof --import tsx test/bench/analyticsProfile.ts`).
// Without PROFILE_VIEWS: builds the fact columns of PROFILE_LEADS generated leads in memory (no store, no HTTP)
// and times the series, funnel and filtered counts as the query API computes them. With PROFILE_VIEWS=<an SQLite
// views file `pnpm bench analytics` filled and kept>: serves it over HTTP and times the first request (the load
// of the facts copy) and then the routes, as the benchmark does, with the CPU each took.
import { PerformanceObserver } from 'node:perf_hooks'
import { bucketStarts, factsOf, type SeriesRequest } from '@leadstream/domain'
import { httpApp, listen } from '@leadstream/http-edge'
import { queryRoutes } from '@leadstream/query-api'
import { createLogger, createMetrics, defaultHttpTimeouts } from '@leadstream/runtime'
import { sqliteViewStore } from '@leadstream/view-store'
import { cohortsOfColumns, figuresOfColumns, seriesOfColumns } from '../../services/query-api/src/fastAnalytics.js'
import { groupCountsOfColumns } from '../../services/query-api/src/groupCounts.js'
import { emptyColumns, put, reserve, select } from '../../services/query-api/src/factsColumns.js'
import { generatedLead, yearFrom, yearTo } from './analyticsData.js'
import { rng } from './random.js'
import { latency } from './stats.js'

const runs = Number(process.env['PROFILE_RUNS'] ?? 20)
const views = process.env['PROFILE_VIEWS'] ?? ''

const time = (name: string, f: () => unknown): void => {
  f()
  const samples: number[] = []
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < runs; i++) {
    const s = performance.now()
    f()
    samples.push(performance.now() - s)
  }
  const cpu = process.cpuUsage(cpu0)
  const l = latency(samples)
  console.log(`${name}: p50 ${l.p50.toFixed(2)} / p99 ${l.p99.toFixed(2)} ms, CPU ${((cpu.user + cpu.system) / 1000 / runs).toFixed(2)} ms each`)
}

const inMemory = (): void => {
  const n = Number(process.env['PROFILE_LEADS'] ?? 200_000)
  const r = rng(42)
  const c = emptyColumns(1024)
  const t0 = performance.now()
  for (let i = 0; i < n; i++) {
    reserve(c, c.n + 1)
    put(c, c.n++, factsOf(generatedLead(r, i)))
  }
  console.log(`built ${n} leads in ${(performance.now() - t0).toFixed(0)} ms`)
  const [from, to] = [new Date(yearFrom).toISOString(), new Date(yearTo).toISOString()]
  const req: SeriesRequest = { interval: 'day', tz: 'UTC', by: null, from: yearFrom, to: yearTo }
  time('select (no filter)', () => select(c, {}))
  time('series: a year by day', () => seriesOfColumns(c, select(c, { from, to }), req, bucketStarts('day', 'UTC', yearFrom, yearTo, 2000)))
  time('series: a year by day and country, Asia/Kolkata', () =>
    seriesOfColumns(c, select(c, { from, to }), { ...req, by: 'country', tz: 'Asia/Kolkata' }, bucketStarts('day', 'Asia/Kolkata', yearFrom, yearTo, 2000)),
  )
  time('funnel: figures', () => figuresOfColumns(c, select(c, {})))
  time('funnel: month cohorts', () => cohortsOfColumns(c, select(c, {}), 'month', 'UTC'))
  time('counts: country=DE', () => groupCountsOfColumns(c, select(c, { country: 'DE' }), ['storefront', 'campaign', 'state', 'offerKind', 'isTest', 'actions']))
}

const overHttp = async (): Promise<void> => {
  const store = sqliteViewStore({ path: views })
  const logger = createLogger('analytics-profile', 'error')
  const tokens = { ingest: [], analyst: [], operator: [] }
  const app = httpApp([queryRoutes({ views: store }, { tokens, defaultWaitMs: 0 })], { metrics: createMetrics(), logger, health: async () => ({ ok: true }) })
  const server = await listen(app, { host: '127.0.0.1', port: 0, tokens, logger, timeouts: defaultHttpTimeouts })
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`)
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`)
    return res.arrayBuffer()
  }
  try {
    const [rss0, t0, cpu0] = [process.memoryUsage().rss, performance.now(), process.cpuUsage()]
    await get('/v1/analytics/funnel')
    const cpu = process.cpuUsage(cpu0)
    global.gc?.()
    const mb = (b: number) => (b / 1e6).toFixed(0)
    console.log(
      `first request (loads the facts): ${(performance.now() - t0).toFixed(0)} ms, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms, RSS +${mb(process.memoryUsage().rss - rss0)} MB`,
    )
    const paths = [
      '/v1/analytics/series?from=2025-12-01&to=2026-12-01&interval=day',
      '/v1/analytics/funnel',
      '/v1/views/storefronts?country=DE',
      '/v1/leads?country=DE&storefront=AzureMarketplace&limit=50',
      '/v1/leads?state=captured&limit=50',
    ]
    // Time in garbage collection pauses while each route ran (the collector's cost shows in the p99).
    let gcMs = 0
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) gcMs += e.duration
    })
    gc.observe({ entryTypes: ['gc'] })
    for (const path of paths) {
      const samples: number[] = []
      await get(path)
      await new Promise((r) => setTimeout(r, 50))
      gcMs = 0
      const c0 = process.cpuUsage()
      for (let i = 0; i < runs; i++) {
        const s = performance.now()
        await get(path)
        samples.push(performance.now() - s)
      }
      const c = process.cpuUsage(c0)
      const l = latency(samples)
      await new Promise((r) => setTimeout(r, 50))
      console.log(
        `GET ${path}: p50 ${l.p50.toFixed(2)} / p99 ${l.p99.toFixed(2)} ms, CPU ${((c.user + c.system) / 1000 / runs).toFixed(2)} ms each, GC pauses ${(gcMs / runs).toFixed(2)} ms each`,
      )
    }
    gc.disconnect()
  } finally {
    await server.close()
    await store.close()
  }
}

if (views === '') inMemory()
else await overHttp()
