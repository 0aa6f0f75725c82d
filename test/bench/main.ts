// `pnpm bench`: raw SQLite limits, direct appends, HTTP ingest, projection and query latency of the embedded
// mode, on a fresh temporary data directory; prints a table and refreshes the figures in BENCHMARKS.md.
import { testPersonalData } from '../support/privacy.js'
import * as E from 'fp-ts/lib/Either.js'
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { sqliteEventStore } from '@leadstream/event-store'
import { describeSettings, IntFromEnv, ListFromEnv, loadConfig, setting, StringFromEnv } from '@leadstream/runtime'
import { sqliteViewStore } from '@leadstream/view-store'
import { appendAll } from './append.js'
import { curveReport, fillWithCurve } from './curve.js'
import { benchExport } from './export.js'
import { leadHistory } from './history.js'
import { ingestRun } from './ingest.js'
import { runImport, writeImportFiles } from './importBench.js'
import { benchAnalytics } from './analytics.js'
import { benchPrivacy } from './privacy.js'
import { benchKafka } from './kafka.js'
import { benchWebhooks } from './webhooks.js'
import { benchEmmett } from './emmett.js'
import { benchScale } from './scale.js'
import { stepRss } from './rss.js'
import { rawPostgresUpserts, rebuildIntoPostgres } from './postgres.js'
import { projectAll } from './projection.js'
import { rawEventTable, rawViewUpserts, type RawResult } from './raw.js'
import { rng } from './random.js'
import { commitOf, int, machine, ms, share, textTable, writeBenchmarks, type Figure } from './report.js'
import { runClient, startServer } from './server.js'

const benchSettings = {
  events: setting('BENCH_EVENTS', IntFromEnv('events', 1000, 100_000_000), 'events in the store the projection and query benchmarks run on', '1000000'),
  httpLeads: setting('BENCH_HTTP_LEADS', IntFromEnv('leads', 1, 100_000_000), 'leads POSTed in the HTTP ingest benchmark', '100000'),
  httpBatch: setting('BENCH_HTTP_BATCH', IntFromEnv('leads', 1, 10000), 'leads per POST', '1000'),
  httpClients: setting('BENCH_HTTP_CLIENTS', IntFromEnv('clients', 1, 64), 'concurrent HTTP clients (connections) during ingest', '4'),
  appendEvents: setting(
    'BENCH_APPEND_EVENTS',
    IntFromEnv('events', 1000, 100_000_000),
    'events in the direct-append and raw event-insert benchmarks',
    '200000',
  ),
  appendBatch: setting('BENCH_APPEND_BATCH', IntFromEnv('events', 1, 100_000), 'requests per appendMany (and rows per raw transaction)', '1000'),
  rawViewRows: setting(
    'BENCH_RAW_VIEW_ROWS',
    IntFromEnv('rows', 0, 100_000_000),
    'view rows upserted in the raw view benchmark (0: as many as BENCH_EVENTS)',
    '0',
  ),
  rebuildBatch: setting(
    'BENCH_REBUILD_BATCH',
    IntFromEnv('events', 1, 100_000),
    'events per transaction of the rebuild step (a new generation loaded in bulk, LEADSTREAM_REBUILD_BATCH)',
    '2000',
  ),
  appendSegment: setting(
    'BENCH_APPEND_SEGMENT',
    IntFromEnv('events', 1000, 10_000_000),
    'events per point of the append-rate curve (the store fill of the projection step)',
    '50000',
  ),
  plot: setting(
    'BENCH_PLOT',
    StringFromEnv,
    'where the append-rate-against-store-size PNG is written when the projection step runs (empty: not written)',
    'BENCHMARKS-append.png',
  ),
  projectorBatch: setting('BENCH_PROJECTOR_BATCH', IntFromEnv('events', 1, 100_000), 'events per projector transaction', '5000'),
  captureShare: setting('BENCH_CAPTURE_PERCENT', IntFromEnv('percent', 1, 100), "share of the projection store's events that capture a new lead", '70'),
  classifications: setting('BENCH_CLASSIFICATIONS', IntFromEnv('events', 0, 10_000), 'OfferClassified events spread over the projection store', '20'),
  analyticsLeads: setting(
    'BENCH_ANALYTICS_LEADS',
    IntFromEnv('leads', 1000, 100_000_000),
    'leads in the analytics step (written into SQLite and PostgreSQL views)',
    '1000000',
  ),
  analyticsPgLeads: setting(
    'BENCH_ANALYTICS_PG_LEADS',
    IntFromEnv('leads', 0, 100_000_000),
    "leads in the analytics step's PostgreSQL views (0: as many as BENCH_ANALYTICS_LEADS)",
    '0',
  ),
  analyticsSqlite: setting(
    'BENCH_ANALYTICS_SQLITE',
    StringFromEnv,
    'an SQLite views file an earlier analytics step filled (kept with BENCH_KEEP=1): measured instead of filling a new one',
    '',
  ),
  analyticsBareRuns: setting(
    'BENCH_ANALYTICS_BARE_RUNS',
    IntFromEnv('requests', 0, 100_000),
    'times the bare SQL beside each slow analytics route runs (fast ones: ten times as many; 0: not at all, it takes minutes per query at 1M leads on SQLite)',
    '3',
  ),
  analyticsRuns: setting(
    'BENCH_ANALYTICS_RUNS',
    IntFromEnv('requests', 1, 100_000),
    'measured requests per slow analytics route (fast ones: ten times as many)',
    '20',
  ),
  queries: setting('BENCH_QUERIES', IntFromEnv('requests', 1, 1_000_000), 'measured requests per query route', '2000'),
  privacyEvents: setting(
    'BENCH_PRIVACY_EVENTS',
    IntFromEnv('events', 1000, 100_000_000),
    'events appended and rebuilt, sealed and plain, in the privacy step',
    '20000',
  ),
  privacyLeads: setting('BENCH_PRIVACY_LEADS', IntFromEnv('leads', 100, 100_000_000), 'leads POSTed, sealed and plain, in the privacy step', '20000'),
  only: setting(
    'BENCH_ONLY',
    ListFromEnv,
    'steps to run, comma-separated: raw, append, ingest, import, projection, postgres, query, export, kafka, webhooks, emmett, analytics, privacy, scale (query, export and postgres need projection); empty: all. `pnpm bench analytics` (or `privacy`, `scale`) runs that step alone',
    '',
  ),
  postgresUrl: setting(
    'BENCH_POSTGRES_URL',
    StringFromEnv,
    'PostgreSQL for the rebuild-into-PostgreSQL step, and for the emmett step (which creates and drops databases of its own there)',
    'postgres://postgres@127.0.0.1:5432/test',
  ),
  kafkaBrokers: setting('KAFKA_BROKERS', ListFromEnv, 'Kafka brokers for the Kafka step (skipped, and said so, when empty)', ''),
  importRows: setting(
    'BENCH_IMPORT_ROWS',
    IntFromEnv('rows', 100, 100_000_000),
    'CRM-export rows in the import step (the CSV file; the NDJSON file holds the same leads as native events)',
    '50000',
  ),
  importBatch: setting('BENCH_IMPORT_BATCH', IntFromEnv('events', 1, 100_000), 'events per request of `leadstream import` in the import step', '2000'),
  webhookLeads: setting(
    'BENCH_WEBHOOK_LEADS',
    IntFromEnv('leads', 100, 10_000_000),
    'leads delivered to a loopback webhook receiver in the webhooks step',
    '20000',
  ),
  emmettEvents: setting(
    'BENCH_EMMETT_EVENTS',
    IntFromEnv('events', 1000, 100_000_000),
    'events appended in batches (BENCH_APPEND_BATCH) and projected, by leadstream and by Emmett (SQLite and PostgreSQL), in the emmett step',
    '100000',
  ),
  emmettSingles: setting(
    'BENCH_EMMETT_SINGLES',
    IntFromEnv('appends', 0, 100_000_000),
    'single appends (one transaction each) per side in the emmett step: the first of the same events (0: as many as BENCH_EMMETT_EVENTS)',
    '20000',
  ),
  scaleEvents: setting(
    'BENCH_SCALE_EVENTS',
    IntFromEnv('events', 1000, 100_000_000),
    'events in the scale step: a store filled to this size with the append curve, then rebuilt in a process of its own (its peak RSS)',
    '10000000',
  ),
  scaleSegment: setting('BENCH_SCALE_SEGMENT', IntFromEnv('events', 1000, 10_000_000), 'events per point of the scale step’s append curve', '250000'),
  scalePlot: setting(
    'BENCH_SCALE_PLOT',
    StringFromEnv,
    'where the scale step’s append-rate-against-store-size PNG is written (empty: not written)',
    'BENCHMARKS-append-scale.png',
  ),
  kafkaLeads: setting('BENCH_KAFKA_LEADS', IntFromEnv('leads', 1000, 10_000_000), 'leads sent through leads.inbound in the Kafka step', '50000'),
  dir: setting('BENCH_DIR', StringFromEnv, 'where the temporary data directory is made', tmpdir()),
  keep: setting('BENCH_KEEP', IntFromEnv('0 or 1', 0, 1), 'keep the data directory afterwards', '0'),
  write: setting('BENCH_WRITE', StringFromEnv, 'refresh BENCHMARKS.md: 1, 0, or auto (only when every step ran)', 'auto'),
  seed: setting('BENCH_SEED', IntFromEnv('seed', 0, 2 ** 31), 'seed of the generated data', '42'),
}

if (process.argv.includes('--help')) {
  process.stdout.write(`pnpm bench: leadstream's embedded-mode benchmarks.\n\nSettings (environment variables):\n${describeSettings(benchSettings)}\n`)
  process.exit(0)
}
const loaded = loadConfig(benchSettings, process.env)
if (E.isLeft(loaded)) {
  process.stderr.write(`bench: fix these settings:\n${loaded.left.map((l) => `  ${l}`).join('\n')}\n`)
  process.exit(2)
}
const alone = (['analytics', 'privacy', 'scale'] as const).find((s) => process.argv.slice(2).includes(s))
const cfg = alone !== undefined ? { ...loaded.right, only: [alone] } : loaded.right

const steps = [
  'raw',
  'append',
  'ingest',
  'import',
  'projection',
  'postgres',
  'query',
  'export',
  'kafka',
  'webhooks',
  'emmett',
  'analytics',
  'privacy',
  'scale',
] as const
const unknownSteps = cfg.only.filter((s) => !(steps as ReadonlyArray<string>).includes(s))
if (unknownSteps.length > 0) {
  process.stderr.write(`bench: unknown BENCH_ONLY steps ${unknownSteps.join(', ')}; known: ${steps.join(', ')}\n`)
  process.exit(2)
}
const runs = (step: (typeof steps)[number]) =>
  cfg.only.length === 0 ||
  cfg.only.includes(step) ||
  (step === 'projection' && (cfg.only.includes('query') || cfg.only.includes('postgres') || cfg.only.includes('export')))
const allSteps = steps.every(runs)

const root = resolve(import.meta.dirname, '..', '..')
const dataDir = mkdtempSync(join(cfg.dir, 'leadstream-bench-'))
const rawViewRows = cfg.rawViewRows === 0 ? cfg.events : cfg.rawViewRows
const figures: Figure[] = []
const notes: string[] = []
/** Each step's peak RSS, beside its figures (rss.ts). */
const rss = stepRss(figures)
const say = (s: string) => process.stdout.write(`${s}\n`)
/** A progress line: rewritten in place on a terminal, one line each otherwise. */
const progress = (s: string) => (process.stdout.isTTY ? process.stdout.write(`\r${s}\x1b[K`) : say(s))
const endProgress = () => {
  if (process.stdout.isTTY) process.stdout.write('\n')
}
const mib = (path: string) => `${int(statSync(path).size / 1024 ** 2)} MiB`
const began = Date.now()
/** CPU seconds this process (the server, the store, the projector) spends while `f` runs. */
const cpuOf = async <A>(f: () => Promise<A>): Promise<{ readonly result: A; readonly cpu: number }> => {
  const c0 = process.cpuUsage()
  const result = await f()
  const c = process.cpuUsage(c0)
  return { result, cpu: (c.user + c.system) / 1e6 }
}
const perCpu = (n: number, cpu: number) => `${int(n / cpu)}/CPU-s`
const loadAtStart = loadavg()
const commit = commitOf()

say(`leadstream bench: data in ${dataDir}`)

try {
  // -- 1 and 2. raw event inserts beside direct appends --------------------------------------------------
  // The same batches go to a bare insert loop and to appendMany, alternately, so both see the same disk and
  // the same competing load (the machine may be shared): the ratio is what the store's own work costs.
  let rawEvents: RawResult | null = null
  /** The direct append rate of the append step: what the Kafka path is measured against (issue 9: at least 80% of it). */
  let directAppend: number | null = null
  if (runs('raw') || runs('append')) {
    rss.begin('append')
    say(`append: ${int(cfg.appendEvents)} new leads, ${int(cfg.appendBatch)} per transaction, alternately as bare inserts and through appendMany…`)
    const raw = rawEventTable(join(dataDir, 'raw-events.db'))
    // As ingest appends: personal data sealed with the key store (the privacy step measures what that costs).
    const personal = await testPersonalData(join(dataDir, 'append'), '')
    const store = personal.sealing(sqliteEventStore({ path: join(dataDir, 'append', 'events.db') }))
    const r = await appendAll(store, leadHistory({ seed: cfg.seed, captureShare: 1, classifications: 0, total: cfg.appendEvents }), {
      batch: cfg.appendBatch,
      alongside: raw.write,
    })
    await store.close()
    await personal.close()
    await raw.close()
    rawEvents = raw.result()
    directAppend = r.eventsPerSecond
    figures.push(
      {
        name: `raw insert: event rows (${int(rawEvents.rows)}, ${int(cfg.appendBatch)}/tx)`,
        value: `${int(rawEvents.rowsPerSecond)} rows/s`,
        raw: '(the limit)',
        target: '',
      },
      {
        name: `direct append: LeadCaptured (${int(r.events)}, ${int(cfg.appendBatch)}/appendMany)`,
        value: `${int(r.eventsPerSecond)} events/s`,
        raw: `${int(rawEvents.rowsPerSecond)} rows/s (${share(r.eventsPerSecond, rawEvents.rowsPerSecond)})`,
        target: '',
      },
    )
  }
  const vsRawEvents = (perSecond: number) =>
    rawEvents === null ? 'not run' : `${int(rawEvents.rowsPerSecond)} rows/s (${share(perSecond, rawEvents.rowsPerSecond)})`

  // -- 3. HTTP ingest ------------------------------------------------------------------------------------
  if (runs('ingest')) {
    rss.begin('ingest')
    const job = { leads: cfg.httpLeads, batch: cfg.httpBatch, concurrency: cfg.httpClients, seed: cfg.seed }
    const shape = `${int(cfg.httpLeads)}, ${int(cfg.httpBatch)}/POST, ${cfg.httpClients} clients`
    for (const pauseProjection of [false, true]) {
      say(
        `ingest: ${int(cfg.httpLeads)} marketplace leads, ${int(cfg.httpBatch)} per POST, ${cfg.httpClients} clients, projection ${pauseProjection ? 'paused' : 'live'}…`,
      )
      const run = await ingestRun(join(dataDir, pauseProjection ? 'ingest-paused' : 'ingest'), { ...job, pauseProjection })
      const r = run.report
      const leadsPerSecond = r.sent / r.seconds
      figures.push({
        name: pauseProjection ? `HTTP ingest, projection paused (${shape})` : `HTTP ingest: POST /v1/marketplace/leads (${shape})`,
        value: `${int(leadsPerSecond)} leads/s (${perCpu(r.sent, run.serverCpu)})`,
        raw: vsRawEvents(leadsPerSecond),
        target: '≥ 20,000 leads/s',
        met: leadsPerSecond >= 20_000,
      })
      if (pauseProjection)
        notes.push(
          `Ingest with the projection paused (POST /v1/admin/projections/leads/pause, the operators' API): ${int(r.sent)} leads in ${r.seconds.toFixed(1)} s, ` +
            `server CPU ${run.serverCpu.toFixed(1)} s; per POST p50 ${ms(r.requestLatency.p50)} ms, p99 ${ms(r.requestLatency.p99)} ms. After resuming, the projection ` +
            `caught up on ${int(r.position)} events in ${run.catchUpSeconds.toFixed(1)} s (${int(r.position / run.catchUpSeconds)} events/s).`,
        )
      else
        notes.push(
          `Ingest: ${int(r.sent)} leads in ${r.seconds.toFixed(1)} s (${int(r.sent / cfg.httpBatch)} POSTs; mix ${Object.entries(r.mix)
            .map(([k, v]) => `${k} ${int(v)}`)
            .join(', ')}): ` +
            `accepted ${int(r.accepted)}, duplicate ${int(r.duplicates)}, rejected ${int(r.rejected)}; HTTP ${Object.entries(r.statuses)
              .map(([k, v]) => `${k}×${v}`)
              .join(', ')}; ` +
            `per POST p50 ${ms(r.requestLatency.p50)} ms, p99 ${ms(r.requestLatency.p99)} ms. Server CPU ${run.serverCpu.toFixed(1)} s (all threads, the projection's included); ` +
            `the projection kept up: the views reached the last position (${int(r.position)}; ${int(run.leadsInViews)} leads) ${run.catchUpSeconds.toFixed(1)} s after the last answer.`,
        )
    }
  }

  // -- 3b. history import: `leadstream import` of a CSV export and of the same leads as NDJSON -------------
  // Beside the raw insert and direct append rates of as many events, measured in this step (same disk, same load).
  if (runs('import')) {
    rss.begin('import')
    const files = writeImportFiles(dataDir, cfg.importRows, cfg.seed + 4)
    // The raw limit of as many event rows (bare inserts into the product's events table), measured in this step.
    say(`import: raw inserts of ${int(files.events)} event rows, ${int(cfg.appendBatch)} per transaction…`)
    const raw = rawEventTable(join(dataDir, 'import-raw-events.db'))
    const history = leadHistory({ seed: cfg.seed + 5, captureShare: 1, classifications: 0, total: files.events })
    for (let requests = history.next(cfg.appendBatch); requests.length > 0; requests = history.next(cfg.appendBatch)) raw.write(requests)
    await raw.close()
    const rawRate = raw.result().rowsPerSecond
    const runsOf: Array<readonly [string, string, number]> = [
      ['CSV', files.csv, files.rows],
      ['NDJSON', files.ndjson, files.events],
    ]
    for (const [what, file, lines] of runsOf) {
      say(
        `import: leadstream import of ${int(lines)} ${what} lines (${int(files.rows)} leads, ${int(files.events)} events), ${int(cfg.importBatch)} events per request…`,
      )
      const r = await runImport(join(dataDir, `import-${what.toLowerCase()}`), file, cfg.importBatch)
      if (r.accepted !== files.events || r.rejected !== 0)
        throw new Error(`import of ${what}: ${r.accepted} events accepted, ${r.rejected} rejected; expected ${files.events} accepted`)
      const eventsPerSecond = r.accepted / r.seconds
      figures.push({
        name: `import: leadstream import ${what} over HTTP (${int(lines)} lines, ${int(files.events)} events, ${int(cfg.importBatch)}/request)`,
        value: `${int(lines / r.seconds)} ${what === 'CSV' ? 'rows' : 'lines'}/s (${int(eventsPerSecond)} events/s)`,
        raw: `${int(rawRate)} rows/s (${share(eventsPerSecond, rawRate)})`,
        target: '1M rows in minutes',
        met: lines / r.seconds >= 1_000_000 / 600,
      })
    }
    notes.push(
      `Import: the CLI as a child process against the embedded server (projection live), whole-run wall time including start-up; ${int(files.rows)} generated CRM-export leads ` +
        `(a third contacted, some qualified, converted or disqualified) make ${int(files.events)} events, sealed by ingest (privacy) before they are stored. Raw inserts of as many event rows: ${int(rawRate)} rows/s, in the same step.`,
    )
  }

  /** Bare upserts of lead view rows: the storage limit of the projection. */
  const rawViewsFigure = async (): Promise<RawResult> => {
    say(`raw: upserting ${int(rawViewRows)} lead view rows, ${int(cfg.projectorBatch)} per transaction…`)
    const r = await rawViewUpserts(join(dataDir, 'raw-views.db'), {
      seed: cfg.seed,
      total: rawViewRows,
      batch: cfg.projectorBatch,
      captureShare: cfg.captureShare / 100,
    })
    figures.push({
      name: `raw upsert: lead view rows (${int(r.rows)}, ${int(cfg.projectorBatch)}/tx, ${cfg.captureShare}% new)`,
      value: `${int(r.rowsPerSecond)} rows/s`,
      raw: '(the limit)',
      target: '',
    })
    return r
  }
  if (runs('raw') && !runs('projection')) {
    rss.begin('raw')
    await rawViewsFigure()
  }

  // -- 4. projection at BENCH_EVENTS ---------------------------------------------------------------------
  /** Lead ids the detail route is queried with; the generated history itself is let go after the projection. */
  let querySample: ReadonlyArray<string> = []
  /** Leads the default export holds (test leads are left out). */
  let exportable = 0
  if (runs('projection')) {
    rss.begin('projection')
    const dir = join(dataDir, 'project')
    const projectPersonal = await testPersonalData(dir, '')
    const rawStore = sqliteEventStore({ path: join(dir, 'events.db') })
    const store = projectPersonal.sealing(rawStore)
    const history = leadHistory({ seed: cfg.seed + 1, captureShare: cfg.captureShare / 100, classifications: cfg.classifications, total: cfg.events })
    say(`projection: filling the event store with ${int(cfg.events)} events through appendMany, bare inserts of the same rows in turn…`)
    // Sealed before the timed appendMany, so the curve is the event store's own (the privacy step measures
    // sealing, and the append step above includes it as ingest pays it); the bare inserts get the sealed rows too.
    const { fill, points } = await fillWithCurve(rawStore, history, {
      dir,
      batch: cfg.appendBatch,
      segment: cfg.appendSegment,
      prepare: (requests) => projectPersonal.seal(requests),
      onPoint: (c, s) => progress(`  filled ${int(c.size)} / ${int(cfg.events)} events (${int(c.size / s)} events/s in appendMany)`),
    })
    endProgress()
    const curve = curveReport({ fill, points }, { batch: cfg.appendBatch, segment: cfg.appendSegment, plot: cfg.plot === '' ? '' : resolve(root, cfg.plot) })
    figures.push(...curve.figures)
    if (curve.note !== '') notes.push(curve.note)
    figures.push({
      name: `direct append: mixed history, sealed beforehand (${int(fill.events)}, ${int(cfg.appendBatch)}/appendMany)`,
      value: `${int(fill.eventsPerSecond)} events/s`,
      raw: vsRawEvents(fill.eventsPerSecond),
      target: '',
    })
    notes.push(
      `Projection store: ${Object.entries(history.byType)
        .map(([k, v]) => `${k} ${int(v)}`)
        .join(', ')}.`,
    )

    // The raw limit of the view writes, measured just before the projection so both see similar conditions.
    const rawViews = runs('raw') ? await rawViewsFigure() : null
    say(`projection: projecting ${int(cfg.events)} events from position 0, ${int(cfg.projectorBatch)} per batch…`)
    const views = sqliteViewStore({ path: join(dir, 'views.db') })
    const { result: p, cpu } = await cpuOf(() =>
      projectAll(store, views, {
        maxBatch: cfg.projectorBatch,
        onProgress: (pos, head, s) => progress(`  projected ${int(pos)} / ${int(head)} events (${int(pos / s)} events/s)`),
        open: (l) => projectPersonal.opening(l),
      }),
    )
    endProgress()
    const all = await views.counts('all')
    const leadsInViews = all.filter((c) => c.metric === 'leads').reduce((n, c) => n + c.n, 0)
    exportable = all.filter((c) => c.metric === 'leads' && !c.test).reduce((n, c) => n + c.n, 0)
    const captured = history.byType['LeadCaptured'] ?? 0
    if (leadsInViews !== captured) throw new Error(`the views count ${leadsInViews} leads, the store captured ${captured}`)
    await views.close()
    const rebuildFigures: Figure[] = []
    // A rebuild: the same events into a new generation loaded in bulk, as the supervisor builds one (no
    // reader-only indexes until caught up, relaxed sync for it alone, LEADSTREAM_REBUILD_BATCH per batch).
    {
      say(`rebuild: projecting ${int(cfg.events)} events into a new generation in bulk, ${int(cfg.rebuildBatch)} per batch, indexes created at the end…`)
      const path = join(dir, 'views-rebuild.db')
      const gen = sqliteViewStore({ path })
      const rss0 = process.memoryUsage().rss
      let rssPeak = rss0
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 100)
      const { result: rb, cpu: rbCpu } = await cpuOf(() =>
        projectAll(store, gen, {
          maxBatch: cfg.rebuildBatch,
          build: true,
          open: (l) => projectPersonal.opening(l),
          onProgress: (pos, head, s) => progress(`  projected ${int(pos)} / ${int(head)} events (${int(pos / s)} events/s)`),
        }),
      )
      clearInterval(sampler)
      endProgress()
      const rebuilt = (await gen.counts('all')).filter((c) => c.metric === 'leads').reduce((n, c) => n + c.n, 0)
      if (rebuilt !== leadsInViews) throw new Error(`the rebuilt views count ${rebuilt} leads, the live projection ${leadsInViews}`)
      await gen.close()
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true })
      rebuildFigures.push({
        name: `rebuild: a new generation in bulk (${int(rb.events)} events, batch ${int(cfg.rebuildBatch)}, indexes at the end)`,
        value: `${int(rb.eventsPerSecond)} events/s (${perCpu(rb.events, rbCpu)})`,
        raw: rawViews === null ? 'not run' : `${int(rawViews.rowsPerSecond)} view rows/s (${share(rb.eventsPerSecond, rawViews.rowsPerSecond)})`,
        target: '≥ 100,000 events/s',
        met: rb.eventsPerSecond >= 100_000,
      })
      notes.push(
        `Rebuild: ${int(rb.events)} events in ${rb.seconds.toFixed(1)} s (of which ${rb.indexSeconds.toFixed(1)} s creating the indexes at the end), ${rbCpu.toFixed(1)} s of CPU; process RSS ${int(rss0 / 1024 ** 2)} MiB before, peak ${int(rssPeak / 1024 ** 2)} MiB.`,
      )
    }
    if (runs('postgres')) {
      rss.begin('postgres')
      // A rebuild of the same store into PostgreSQL views, beside bare upserts of the same lead rows there.
      say(`postgres: bare upserts of the ${int(leadsInViews)} lead rows, ${int(cfg.projectorBatch)} per statement…`)
      const rawPg = await rawPostgresUpserts(cfg.postgresUrl, join(dir, 'views.db'), cfg.projectorBatch)
      figures.push({
        name: `raw upsert into PostgreSQL: the same lead rows (${int(rawPg.rows)}, ${int(cfg.projectorBatch)}/statement)`,
        value: `${int(rawPg.rowsPerSecond)} rows/s`,
        raw: '(the limit)',
        target: '',
      })
      say(`postgres: rebuilding ${int(cfg.events)} events into PostgreSQL views…`)
      const { result: pg, cpu: pgCpu } = await cpuOf(() =>
        rebuildIntoPostgres(cfg.postgresUrl, store, {
          // As a rebuild builds a generation: in bulk, its indexes at the end, personal data opened.
          maxBatch: cfg.rebuildBatch,
          build: true,
          open: (l) => projectPersonal.opening(l),
          onProgress: (pos, head, s) => progress(`  projected ${int(pos)} / ${int(head)} events (${int(pos / s)} events/s)`),
        }),
      )
      endProgress()
      figures.push({
        name: `rebuild into PostgreSQL, a new generation in bulk (${int(pg.events)} events, batch ${int(cfg.rebuildBatch)})`,
        value: `${int(pg.eventsPerSecond)} events/s (${perCpu(pg.events, pgCpu)} of this process)`,
        raw: `${int(rawPg.rowsPerSecond)} PostgreSQL rows/s (${share(pg.eventsPerSecond, rawPg.rowsPerSecond)})`,
        target: '≥ 50,000 events/s',
        met: pg.eventsPerSecond >= 50_000,
      })
    }
    await store.close()
    await projectPersonal.close()
    notes.push(
      `Projection: ${int(p.events)} events in ${p.seconds.toFixed(1)} s, ${cpu.toFixed(1)} s of CPU; the views count all ${int(leadsInViews)} leads. ` +
        `events.db ${mib(join(dir, 'events.db'))}, views.db ${mib(join(dir, 'views.db'))}.`,
    )
    figures.push({
      name: `projection: projector from 0 (${int(p.events)} events, batch ${int(cfg.projectorBatch)})`,
      value: `${int(p.eventsPerSecond)} events/s (${perCpu(p.events, cpu)})`,
      raw: rawViews === null ? 'not run' : `${int(rawViews.rowsPerSecond)} view rows/s (${share(p.eventsPerSecond, rawViews.rowsPerSecond)})`,
      target: '≥ 100,000 events/s',
      met: p.eventsPerSecond >= 100_000,
    })
    figures.push(...rebuildFigures)
    // Only a sample is kept: the query server shares this process's heap, and a heap still holding the whole
    // generated history (hundreds of MB) makes every major GC slower, which showed as p95 query latency.
    const r = rng(cfg.seed + 2)
    querySample = Array.from({ length: Math.min(cfg.queries, history.leads()) }, () => history.leadId(r.int(history.leads())))
  }

  // -- 5. query latency over those views -----------------------------------------------------------------
  if (runs('query')) {
    rss.begin('query')
    const server = await startServer(join(dataDir, 'project'))
    try {
      say(`query: ${int(cfg.queries)} sequential requests per route over one keep-alive connection, views of ${int(cfg.events)} events…`)
      const q = await runClient({ mode: 'query', url: server.url, requests: cfg.queries, warmup: 100, leadIds: querySample })
      for (const route of q.routes) {
        if (route.errors > 0) throw new Error(`${route.name}: ${route.errors} answers were not 200`)
        figures.push({
          name: `query: ${route.name}`,
          value: `p50 ${ms(route.latency.p50)} / p95 ${ms(route.latency.p95)} / p99 ${ms(route.latency.p99)} ms`,
          raw: '',
          target: 'p99 < 10 ms',
          met: route.latency.p99 < 10,
        })
      }
      notes.push(
        `Queries: ${int(cfg.queries)} measured requests per route after 100 warm-up ones; answer sizes ${q.routes.map((x) => `${int(x.bytes / 1024)} KiB`).join(', ')} ` +
          `(in table order); max ${q.routes.map((x) => ms(x.latency.max)).join(', ')} ms.`,
      )
    } finally {
      await server.close()
    }
  }

  // -- 5b. the CSV export of every lead in those views ----------------------------------------------------
  if (runs('export')) {
    rss.begin('export')
    say(`export: GET /v1/exports/leads.csv of all ${int(exportable)} leads, read by a client process…`)
    const [first, x] = await benchExport(join(dataDir, 'project'), exportable)
    const growth = (r: typeof x) => (r.rssPeak - r.rssBefore) / 1024 ** 2
    figures.push(
      {
        name: `CSV export: GET /v1/exports/leads.csv (${int(x.rows)} rows, ${int(x.bytes / 1024 ** 2)} MiB)`,
        value: `${int(x.rowsPerSecond)} rows/s (${perCpu(x.rows, x.cpu)})`,
        raw: '',
        target: '≥ 100,000 rows/s',
        met: x.rowsPerSecond >= 100_000,
      },
      {
        name: 'CSV export: server RSS growth during it (peak over just before)',
        value: `${growth(x).toFixed(1)} MiB`,
        raw: '',
        target: 'a few MiB',
        met: growth(x) <= 8,
      },
    )
    notes.push(
      `Export, run twice through one server: the first ${int(first.rowsPerSecond)} rows/s, RSS ${int(first.rssBefore / 1024 ** 2)} → peak ${int(first.rssPeak / 1024 ** 2)} MiB ` +
        `(+${growth(first).toFixed(1)} MiB: SQLite's page cache and V8's young generation grow once); the second (the figures above) ${x.seconds.toFixed(1)} s, ` +
        `RSS ${int(x.rssBefore / 1024 ** 2)} → peak ${int(x.rssPeak / 1024 ** 2)} MiB, JS heap peak ${int(x.heapPeak / 1024 ** 2)} MiB (sampled every 20 ms), server CPU ${x.cpu.toFixed(1)} s.`,
    )
  }

  // -- 6. the Kafka path: leads.inbound → ingest → store → relay → lead-events → projector → views ------
  if (runs('kafka')) {
    rss.begin('kafka')
    if (cfg.kafkaBrokers.length === 0) notes.push('Kafka step not run: KAFKA_BROKERS is not set (start one with `bash deploy/kafka/broker.sh start`).')
    else {
      const k = await benchKafka([...cfg.kafkaBrokers], cfg.kafkaLeads, say)
      figures.push(
        {
          name: `bare kafkajs: idempotent producer → consumer group (${int(cfg.kafkaLeads)} messages, 3 partitions)`,
          value: `${int(k.bareMessagesPerSecond)} messages/s`,
          raw: '(the limit)',
          target: '',
        },
        {
          name: `Kafka pipeline: leads.inbound → views (${int(k.leads)} leads; ingest, relay, projector, query API as processes)`,
          value: `${int(k.pipelineLeadsPerSecond)} leads/s`,
          // Bounded by its slowest stage, the durable append: measured against the direct append of the same run.
          raw:
            `${int(k.bareMessagesPerSecond)} messages/s (${share(k.pipelineLeadsPerSecond, k.bareMessagesPerSecond)}); ` +
            (directAppend === null
              ? 'direct append not run'
              : `direct append ${int(directAppend)} events/s (${share(k.pipelineLeadsPerSecond, directAppend)})`),
          target: '≥ 80% of the direct append',
          ...(directAppend === null ? {} : { met: k.pipelineLeadsPerSecond >= 0.8 * directAppend }),
        },
        {
          name: `Kafka pipeline: append → queryable (${k.latencyMs.samples} single leads)`,
          value: `p50 ${ms(k.latencyMs.p50)} / p99 ${ms(k.latencyMs.p99)} ms`,
          raw: '',
          target: 'p99 < 100 ms',
          met: k.latencyMs.p99 < 100,
        },
      )
    }
  }

  // -- 6b. webhooks out: deliveries/s and append → delivery beside the raw append rate --------------------------
  if (runs('webhooks')) {
    rss.begin('webhooks')
    const w = await benchWebhooks(dataDir, cfg.webhookLeads, Math.min(cfg.appendBatch, 500), cfg.seed + 4, say)
    figures.push(
      {
        name: `direct append: LeadCaptured (${int(w.leads)}, ${int(Math.min(cfg.appendBatch, 500))}/appendMany), the webhooks step's raw rate`,
        value: `${int(w.appendPerSecond)} events/s`,
        raw: '(the limit)',
        target: '',
      },
      {
        name: `webhooks: POST /v1/leads → signed delivery to a loopback receiver (${int(w.leads)} leads, one subscription)`,
        value: `${int(w.deliveriesPerSecond)} deliveries/s`,
        raw: `${int(w.appendPerSecond)} appends/s (${share(w.deliveriesPerSecond, w.appendPerSecond)})`,
        target: '',
      },
      { name: 'webhooks: append → delivery during that burst', value: `p50 ${ms(w.burst.p50)} / p99 ${ms(w.burst.p99)} ms`, raw: '', target: '' },
      {
        name: `webhooks: append → delivery, single leads 20 ms apart (${w.steady.n})`,
        value: `p50 ${ms(w.steady.p50)} / p99 ${ms(w.steady.p99)} ms`,
        raw: '',
        target: '< 1 s',
        met: w.steady.p99 < 1000,
      },
      {
        name: `webhooks: fan-out, ${int(w.fanOut.leads)} leads to ${w.fanOut.subscriptions} subscriptions`,
        value: `${int(w.fanOut.deliveriesPerSecond)} deliveries/s (p99 ${ms(w.fanOut.latency.p99)} ms)`,
        raw: `${int(w.appendPerSecond)} appends/s (${share(w.fanOut.deliveriesPerSecond, w.appendPerSecond)})`,
        target: '',
      },
    )
  }

  // -- 6c. Emmett, the nearest TypeScript peer, on the same events: batched and single appends, projection ---------
  if (runs('emmett')) {
    rss.begin('emmett')
    const e = await benchEmmett({
      events: cfg.emmettEvents,
      singles: cfg.emmettSingles === 0 ? cfg.emmettEvents : cfg.emmettSingles,
      batch: cfg.appendBatch,
      projectorBatch: cfg.projectorBatch,
      seed: cfg.seed + 6,
      captureShare: cfg.captureShare / 100,
      classifications: cfg.classifications,
      postgresUrl: cfg.postgresUrl,
      dataDir,
      say,
      progress,
      endProgress,
    })
    figures.push(...e.figures)
    notes.push(...e.notes)
    rss.end()
  }

  // -- 7. the analysts' projections at BENCH_ANALYTICS_LEADS leads, SQLite and PostgreSQL ------------------
  if (runs('analytics')) {
    rss.begin('analytics')
    const a = await benchAnalytics({
      leads: cfg.analyticsLeads,
      postgresLeads: cfg.analyticsPgLeads === 0 ? cfg.analyticsLeads : cfg.analyticsPgLeads,
      reuseSqlite: cfg.analyticsSqlite,
      batch: cfg.projectorBatch,
      seed: cfg.seed + 3,
      runs: cfg.analyticsRuns,
      bareRuns: cfg.analyticsBareRuns,
      postgresUrl: cfg.postgresUrl,
      dataDir,
      say,
      progress,
    })
    say('')
    rss.end()
    const aFigures = rss.tag(a.figures, 'analytics')
    say(textTable(aFigures))
    for (const n of a.notes) say(`- ${n}`)
    a.notes.push(
      `Load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(', ')}, at end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} on ${availableParallelism()} cores ` +
        '(the machine is shared with other work: a load above 2 means the figures are slower than on a quiet machine).',
    )
    if (cfg.write !== '0')
      writeBenchmarks(
        join(root, 'BENCHMARKS.md'),
        machine(commit),
        aFigures,
        a.notes,
        `\`pnpm bench analytics\` (BENCH_ANALYTICS_LEADS=${cfg.analyticsLeads} BENCH_ANALYTICS_PG_LEADS=${cfg.analyticsPgLeads} BENCH_ANALYTICS_RUNS=${cfg.analyticsRuns} BENCH_ANALYTICS_BARE_RUNS=${cfg.analyticsBareRuns})`,
        {
          marker: 'analytics',
          heading: '## Analytics',
          rawHeader: 'bare SQL, same answer',
        },
      )
  }

  // -- 8. what sealing personal data costs: append, HTTP ingest, rebuild, each sealed and plain -----------------
  if (runs('privacy')) {
    rss.begin('privacy')
    const f = await benchPrivacy(
      join(dataDir, 'privacy'),
      { events: cfg.privacyEvents, httpLeads: cfg.privacyLeads, httpBatch: cfg.httpBatch, httpClients: cfg.httpClients, seed: cfg.seed + 4 },
      say,
    )
    say('')
    rss.end()
    const fFigures = rss.tag(f, 'privacy')
    say(textTable(fFigures))
    const privacyNotes = [
      'Sealed: what leadstream does (data keys from the SQLite key store, AES-256-GCM per event, opened again by the projector). Plain: the bench-only ' +
        'baseline of test/bench/plain.ts, the same event shape with the contact fields as base64 JSON, no key store and no cipher. Runs alternate ' +
        'plain, sealed, plain, sealed; each mode keeps its best. The HTTP runs project inline (LEADSTREAM_PROJECTOR_THREAD=inline) so both modes open alike.',
      'Where the append overhead goes: 70% of these events capture a new lead, i.e. a new data subject, so each batch also writes a key row and a subject link into keys.db (its own SQLite transaction, whose WAL fsync is awaited before the events are committed) and wraps a new key; CPU profile of sealing alone: about half in SQLite (the key-store transaction), the rest AES-GCM (wrap and seal, ~30 µs each on this loaded machine) and GC. HTTP ingest amortises it over decoding and deciding; a rebuild only unwraps keys (LRU) and opens records.',
      `Load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(', ')}, at end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} on ${availableParallelism()} cores. PRELIMINARY: measured on a machine shared with other work; to be re-measured on a quiet one.`,
    ]
    for (const n of privacyNotes) say(`- ${n}`)
    if (cfg.write !== '0')
      writeBenchmarks(
        join(root, 'BENCHMARKS.md'),
        machine(commit),
        fFigures,
        privacyNotes,
        `\`pnpm bench privacy\` (BENCH_PRIVACY_EVENTS=${cfg.privacyEvents} BENCH_PRIVACY_LEADS=${cfg.privacyLeads} BENCH_HTTP_BATCH=${cfg.httpBatch} BENCH_HTTP_CLIENTS=${cfg.httpClients})`,
        {
          marker: 'privacy',
          heading: '## Personal data: sealing overhead',
          rawHeader: 'overhead (plain − sealed) / plain',
        },
      )
  }

  // -- 9. at scale: the append curve to BENCH_SCALE_EVENTS and a rebuild of that store, its peak RSS ---------
  if (runs('scale')) {
    rss.begin('scale')
    const dir = join(dataDir, 'scale')
    mkdirSync(dir, { recursive: true })
    const x = await benchScale({
      dir,
      events: cfg.scaleEvents,
      batch: cfg.appendBatch,
      segment: cfg.scaleSegment,
      rebuildBatch: cfg.rebuildBatch,
      seed: cfg.seed,
      captureShare: cfg.captureShare,
      classifications: cfg.classifications,
      plot: cfg.scalePlot === '' ? '' : resolve(root, cfg.scalePlot),
      say,
      progress,
      endProgress,
    })
    say('')
    rss.end()
    const xFigures = rss.tag(x.figures, 'scale')
    say(textTable(xFigures))
    x.notes.push(
      `Load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(', ')}, at end ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} on ${availableParallelism()} cores. The RSS column is the benchmark's own process (it holds the generator, ` +
        "17 bytes a lead, and the page caches of both stores it fills); the rebuild's memory is the row that says so.",
    )
    for (const n of x.notes) say(`- ${n}`)
    if (cfg.write !== '0')
      writeBenchmarks(
        join(root, 'BENCHMARKS.md'),
        machine(commit),
        xFigures,
        x.notes,
        `\`pnpm bench scale\` (BENCH_SCALE_EVENTS=${cfg.scaleEvents} BENCH_SCALE_SEGMENT=${cfg.scaleSegment} BENCH_APPEND_BATCH=${cfg.appendBatch} BENCH_REBUILD_BATCH=${cfg.rebuildBatch})`,
        {
          marker: 'scale',
          heading: `## At scale: ${int(cfg.scaleEvents)} events`,
          rawHeader: 'limit',
        },
      )
  }

  // The main section: only when a step other than analytics, privacy and scale ran.
  if (steps.some((st) => st !== 'analytics' && st !== 'privacy' && st !== 'scale' && runs(st))) {
    notes.push(
      `Load clients run in a separate process; the server (and its projector) in the benchmark's own. Raw limits: bare better-sqlite3 insert loops of the same rows ` +
        `into the same tables, opened by the product's own stores (same schema and pragmas: WAL; synchronous=FULL, so each transaction is durable when it returns), same transaction sizes; the event rows alternate ` +
        `batch by batch with the direct appends, the lead view rows (${cfg.captureShare}% new, the rest rewrites of stored leads) run just before the projection. ` +
        `Whole run: ${((Date.now() - began) / 1000).toFixed(0)} s. Load average at start ${loadAtStart.map((l) => l.toFixed(1)).join(', ')}, at end ${loadavg()
          .map((l) => l.toFixed(1))
          .join(', ')} ` +
        `on ${availableParallelism()} cores: the benchmark itself keeps about one core busy, so more means other work competed with it. ` +
        `"/CPU-s" figures count per second of CPU used by the benchmark's process (store, projector, server; not the load client): less sensitive to that competition.`,
    )

    rss.end()
    notes.push(rss.summary())
    const shown = rss.tag(figures)
    say('')
    say(textTable(shown))
    say('')
    for (const n of notes) say(`- ${n}`)

    if (cfg.write === '1' || (cfg.write === 'auto' && allSteps)) {
      const sizes = `BENCH_EVENTS=${cfg.events} BENCH_HTTP_LEADS=${cfg.httpLeads} BENCH_APPEND_EVENTS=${cfg.appendEvents} BENCH_IMPORT_ROWS=${cfg.importRows} BENCH_QUERIES=${cfg.queries}`
      writeBenchmarks(
        join(root, 'BENCHMARKS.md'),
        machine(commit),
        shown,
        notes,
        `\`pnpm bench\` (defaults: ${sizes}; \`pnpm bench --help\` lists every setting)`,
      )
      say(`\nBENCHMARKS.md refreshed.`)
    }
  }
} finally {
  if (cfg.keep === 1) say(`data kept in ${dataDir}`)
  else rmSync(dataDir, { recursive: true, force: true })
}
