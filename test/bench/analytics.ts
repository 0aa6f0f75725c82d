// `pnpm bench analytics`: the analysts' routes at BENCH_ANALYTICS_LEADS leads on SQLite and on PostgreSQL, each
// beside the bare SQL query for the same answer; p50/p99 over sequential requests through HTTP.
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'
import { httpApp, listen, type Listening } from '@leadstream/http-edge'
import { queryRoutes } from '@leadstream/query-api'
import { createLogger, createMetrics, defaultHttpTimeouts } from '@leadstream/runtime'
import { postgresViewStore, sqliteViewStore, type ViewStore } from '@leadstream/view-store'
import { fillLeads, yearFrom, yearTo } from './analyticsData.js'
import { int, ms, type Figure } from './report.js'
import { latency, type Latency } from './stats.js'

export interface AnalyticsBenchConfig {
  readonly leads: number
  /** Leads in the PostgreSQL views (filling is the slow part there on a shared machine). */
  readonly postgresLeads: number
  /** An SQLite views file an earlier run filled with `leads` generated leads (same seed): measured as it is. */
  readonly reuseSqlite: string
  readonly batch: number
  readonly seed: number
  /** Measured requests per slow route (series, funnel, filtered counts); fast ones get ten times as many. */
  readonly runs: number
  /** Runs of the bare SQL beside each slow route (fast ones: ten times as many); 0: none. */
  readonly bareRuns: number
  readonly postgresUrl: string
  readonly dataDir: string
  readonly say: (s: string) => void
  readonly progress: (s: string) => void
}

const year = `from=${new Date(yearFrom).toISOString().slice(0, 10)}&to=${new Date(yearTo).toISOString().slice(0, 10)}`

interface Case {
  readonly name: string
  readonly path: string
  readonly target: number
  readonly slow: boolean
  /** The bare SQL for the same answer, per engine: one or more statements run in sequence. */
  readonly sqlite: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]>
  readonly postgres: ReadonlyArray<readonly [string, ReadonlyArray<unknown>]>
}

const stages = ['contacted', 'qualified', 'converted', 'nurturing', 'disqualified'] as const
const from = new Date(yearFrom).toISOString()
const to = new Date(yearTo).toISOString()

const cases = (s: string): ReadonlyArray<Case> => [
  {
    name: 'series: a year by day (UTC)',
    path: `/v1/analytics/series?${year}&interval=day`,
    target: 50,
    slow: true,
    sqlite: [
      ['SELECT captured_ms / 86400000 AS d, count(*) AS n FROM leads WHERE is_test = 0 AND captured_at >= ? AND captured_at < ? GROUP BY d', [from, to]],
    ],
    postgres: [
      [`SELECT captured_ms / 86400000 AS d, count(*) AS n FROM ${s}.leads WHERE NOT is_test AND captured_at >= $1 AND captured_at < $2 GROUP BY d`, [from, to]],
    ],
  },
  {
    name: 'funnel: all leads (stages, median/p90, reasons, month cohorts)',
    path: '/v1/analytics/funnel',
    target: 50,
    slow: true,
    // SQLite has no percentile aggregate: each median/p90 is an ordered scan to its rank.
    sqlite: [
      [`SELECT count(*), ${stages.map((st) => `count(${st}_ms)`).join(', ')} FROM leads WHERE is_test = 0`, []],
      ...stages.flatMap((st) =>
        [0.5, 0.9].map(
          (p) =>
            [
              `SELECT ${st}_ms - captured_ms AS d FROM leads WHERE is_test = 0 AND ${st}_ms IS NOT NULL ORDER BY d LIMIT 1 OFFSET (SELECT CAST(max(0, ceil(${p} * count(*)) - 1) AS INTEGER) FROM leads WHERE is_test = 0 AND ${st}_ms IS NOT NULL)`,
              [],
            ] as const,
        ),
      ),
      ["SELECT dq_reason, count(*) FROM leads WHERE is_test = 0 AND state = 'disqualified' GROUP BY dq_reason", []],
    ],
    postgres: [
      [
        `SELECT count(*), ${stages.map((st) => `count(${st}_ms), percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY ${st}_ms - captured_ms)`).join(', ')} FROM ${s}.leads WHERE NOT is_test`,
        [],
      ],
      [`SELECT dq_reason, count(*) FROM ${s}.leads WHERE NOT is_test AND state = 'disqualified' GROUP BY dq_reason`, []],
    ],
  },
  {
    name: 'filtered list: country=DE&storefront=AzureMarketplace, 50 newest',
    path: '/v1/leads?country=DE&storefront=AzureMarketplace&limit=50',
    target: 10,
    slow: false,
    sqlite: [
      [
        'SELECT doc FROM leads WHERE storefront = ? AND country = ? AND is_test = 0 ORDER BY captured_at DESC, lead_id DESC LIMIT 51',
        ['AzureMarketplace', 'DE'],
      ],
    ],
    postgres: [
      [
        `SELECT doc FROM ${s}.leads WHERE storefront = $1 AND country = $2 AND NOT is_test ORDER BY captured_at DESC, lead_id DESC LIMIT 51`,
        ['AzureMarketplace', 'DE'],
      ],
    ],
  },
  {
    name: 'count view: storefronts (the counters)',
    path: '/v1/views/storefronts',
    target: 10,
    slow: false,
    sqlite: [["SELECT key, metric, bucket, test, n FROM counts WHERE dimension = 'storefront'", []]],
    postgres: [[`SELECT key, metric, bucket, test, n FROM ${s}.counts WHERE dimension = 'storefront'`, []]],
  },
  {
    name: 'count view: storefronts?country=DE (filtered)',
    path: '/v1/views/storefronts?country=DE',
    target: 10,
    slow: true,
    sqlite: [['SELECT storefront, state, offer_kind, action_other, count(*) FROM leads WHERE country = ? AND is_test = 0 GROUP BY 1, 2, 3, 4', ['DE']]],
    postgres: [[`SELECT storefront, state, offer_kind, action_other, count(*) FROM ${s}.leads WHERE country = $1 AND NOT is_test GROUP BY 1, 2, 3, 4`, ['DE']]],
  },
]

/** Latencies, and the CPU this process spent per call (server and client share it: on a shared machine the
 * wall-clock figures include waiting for a core, the CPU figure does not). */
const timed = async (n: number, f: () => Promise<unknown>): Promise<Latency & { readonly cpuMs: number }> => {
  await f() // warm-up: plans, caches
  const samples: number[] = []
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < n; i++) {
    const t0 = performance.now()
    await f()
    samples.push(performance.now() - t0)
  }
  const cpu = process.cpuUsage(cpu0)
  return { ...latency(samples), cpuMs: (cpu.user + cpu.system) / 1000 / n }
}

const serve = async (store: ViewStore): Promise<Listening> => {
  const logger = createLogger('bench-analytics', 'error')
  const app = httpApp([queryRoutes({ views: store }, { tokens: { ingest: [], analyst: [], operator: [] }, defaultWaitMs: 0 })], {
    metrics: createMetrics(),
    logger,
    health: async () => ({ ok: true }),
  })
  return listen(app, {
    host: '127.0.0.1',
    port: 0,
    tokens: { ingest: [], analyst: [], operator: [] },
    logger,
    // The bare SQL runs between requests for longer than the keep-alive timeout: keep the connection open.
    timeouts: { ...defaultHttpTimeouts, keepAliveTimeoutMs: 600_000, requestTimeoutMs: 600_000 },
  })
}

const measure = async (
  engine: string,
  store: ViewStore,
  leads: number,
  bare: (sql: string, args: ReadonlyArray<unknown>) => Promise<unknown>,
  list: ReadonlyArray<Case>,
  cfg: AnalyticsBenchConfig,
  figures: Figure[],
) => {
  const server = await serve(store)
  try {
    // The first analytics request loads every lead's facts into the query process (factsCache.ts): timed alone.
    const rss0 = process.memoryUsage().rss
    const [t0, cpu0] = [performance.now(), process.cpuUsage()]
    const first = await fetch(`${server.url}/v1/analytics/funnel`)
    if (first.status !== 200) throw new Error(`first funnel: ${first.status}`)
    await first.arrayBuffer()
    const cold = performance.now() - t0
    const coldCpu = process.cpuUsage(cpu0)
    global.gc?.()
    const grew = process.memoryUsage().rss - rss0
    figures.push({
      name: `${engine} ${int(leads)} leads: first analytics request (loads the facts into memory)`,
      value: `${ms(cold)} ms (${ms((coldCpu.user + coldCpu.system) / 1000)} ms CPU)`,
      raw: `RSS +${int(grew / 1e6)} MB (${int(grew / leads)} bytes per lead), ${int(process.memoryUsage().rss / 1e6)} MB in all`,
      target: 'once per query API process',
    })
    for (const c of list) {
      const n = c.slow ? cfg.runs : cfg.runs * 10
      const bareN = c.slow ? cfg.bareRuns : cfg.bareRuns * 10
      cfg.say(`  ${engine}: ${c.name} (${n} requests, then the bare SQL ${bareN} times)…`)
      const route = await timed(n, async () => {
        const res = await fetch(`${server.url}${c.path}`)
        if (res.status !== 200) throw new Error(`${c.path}: ${res.status} ${await res.text()}`)
        await res.arrayBuffer()
      })
      const sql =
        bareN === 0
          ? null
          : await timed(bareN, async () => {
              for (const [text, args] of engine === 'SQLite' ? c.sqlite : c.postgres) await bare(text, args)
            })
      figures.push({
        name: `${engine} ${int(leads)} leads: GET ${c.path.replace(/[?&]minPosition=\d+/, '')}`,
        value: `p50 ${ms(route.p50)} / p99 ${ms(route.p99)} ms (n=${n}; ${ms(route.cpuMs)} ms CPU each)`,
        raw: sql === null ? 'not run' : `p50 ${ms(sql.p50)} / p99 ${ms(sql.p99)} ms (n=${bareN})`,
        target: `p99 < ${c.target} ms`,
        met: route.p99 < c.target,
      })
    }
  } finally {
    await server.close()
  }
}

/** Fills both stores with the same generated leads and measures every case on each. */
export const benchAnalytics = async (cfg: AnalyticsBenchConfig): Promise<{ figures: Figure[]; notes: string[] }> => {
  const figures: Figure[] = []
  const notes: string[] = []
  const fill = async (engine: string, store: ViewStore, leads: number) => {
    cfg.say(`analytics: writing ${int(leads)} generated leads into ${engine} through applyBatch, ${int(cfg.batch)} per transaction…`)
    const t0 = Date.now()
    await fillLeads(store, leads, cfg.batch, cfg.seed, (n) => cfg.progress(`  ${int(n)} / ${int(leads)} leads`))
    cfg.progress('')
    notes.push(`${engine}: ${int(leads)} leads written through applyBatch in ${((Date.now() - t0) / 1000).toFixed(0)} s.`)
  }

  const sqlite = sqliteViewStore({ path: cfg.reuseSqlite === '' ? join(cfg.dataDir, 'analytics-views.db') : cfg.reuseSqlite })
  try {
    if (cfg.reuseSqlite === '') await fill('SQLite', sqlite, cfg.leads)
    else notes.push(`SQLite: the ${int(cfg.leads)} leads an earlier run of this step wrote (same generator and seed), measured as they were left.`)
    const db: Database = sqlite.db
    await measure('SQLite', sqlite, cfg.leads, async (sql, args) => db.prepare(sql).all(...args), cases(''), cfg, figures)
  } finally {
    await sqlite.close()
  }

  const schema = `bench_analytics_${process.pid}`
  const postgres = await postgresViewStore({ connectionString: cfg.postgresUrl, schema })
  try {
    await fill('PostgreSQL', postgres, cfg.postgresLeads)
    await postgres.pool.query(`ANALYZE "${schema}".leads`)
    await measure('PostgreSQL', postgres, cfg.postgresLeads, async (sql, args) => postgres.pool.query(sql, [...args]), cases(`"${schema}"`), cfg, figures)
  } finally {
    await postgres.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined)
    await postgres.close()
  }
  notes.push(
    'Routes are timed through HTTP (a query API in the benchmark process, sequential requests on one connection, after one warm-up); ' +
      'the bare SQL beside each is what the engine needs for the same figures (series: counts per UTC day; funnel: stage counts, nearest-rank ' +
      'median and p90 per stage, reasons; SQLite has no percentile aggregate, so there each percentile is an ordered scan to its rank; ' +
      'filtered counts: leads per storefront, state and kind). The generated leads span a year, 23 countries, 300 offers, 60% contacted.',
  )
  return { figures, notes }
}
