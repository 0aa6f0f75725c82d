// The Emmett step of `pnpm bench` (BENCH_ONLY=emmett): leadstream beside its nearest TypeScript peer, Emmett
// (@event-driven-io/emmett-sqlite and -postgresql), on the same generated events in the same run: batched
// appends, one append per transaction, and a projection of every lead from the start of the store. The sides
// take turns batch by batch (request by request for single appends), so they share the disk and the load.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { AppendRequest } from '@leadstream/event-store'
import { emmettDatabase, emmettPostgresSide, emmettSqliteSide, leadstreamSide, pgTypeParsers, type Side } from './emmettStores.js'
import { leadHistory } from './history.js'
import { int, type Figure } from './report.js'
import { sampleRss } from './rss.js'

export interface EmmettSettings {
  readonly events: number
  /** Single appends (one per transaction) per side: the first of the same events, into fresh stores. */
  readonly singles: number
  readonly batch: number
  readonly projectorBatch: number
  readonly seed: number
  readonly captureShare: number
  readonly classifications: number
  readonly postgresUrl: string
  readonly dataDir: string
  readonly say: (s: string) => void
  readonly progress: (s: string) => void
  readonly endProgress: () => void
}

/** Time and CPU spent in one side's calls, and in its sealing (leadstream). */
class Meter {
  events = 0
  seconds = 0
  sealing = 0
  cpu = 0
  async run(events: number, f: () => Promise<number>): Promise<void> {
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    this.sealing += await f()
    this.seconds += Number(process.hrtime.bigint() - t0) / 1e9
    const c = process.cpuUsage(c0)
    this.cpu += (c.user + c.system) / 1e6
    this.events += events
  }
  get rate() {
    return this.events / this.seconds
  }
  get perCpu() {
    return this.events / this.cpu
  }
}

const countEvents = (rs: ReadonlyArray<AppendRequest>) => rs.reduce((n, r) => n + r.events.length, 0)

/** A PostgreSQL side, or why there is none (the server is down, the package failed): said in the row, never faked. */
type Maybe<A> = { readonly ok: A } | { readonly missing: string }
const attempt = async <A>(f: () => Promise<A>): Promise<Maybe<A>> => {
  try {
    return { ok: await f() }
  } catch (e) {
    return { missing: e instanceof Error ? e.message : String(e) }
  }
}

type Result = { readonly figures: ReadonlyArray<Figure>; readonly notes: ReadonlyArray<string> }

export const benchEmmett = async (o: EmmettSettings): Promise<Result> => {
  const defaults = pgTypeParsers()
  /** The databases the step made: dropped here too if it fails half-way (dropping twice is harmless). */
  const made: Array<() => Promise<void>> = []
  try {
    return await sideBySide(o, defaults, made)
  } finally {
    defaults.restore()
    for (const drop of made) await drop().catch(() => undefined)
  }
}

const sideBySide = async (o: EmmettSettings, defaults: ReturnType<typeof pgTypeParsers>, made: Array<() => Promise<void>>): Promise<Result> => {
  const history = leadHistory({ seed: o.seed, captureShare: o.captureShare, classifications: o.classifications, total: o.events })
  const batches: Array<ReadonlyArray<AppendRequest>> = []
  for (let b = history.next(o.batch); b.length > 0; b = history.next(o.batch)) batches.push(b)
  const captured = history.byType['LeadCaptured'] ?? 0
  const dir = (name: string) => {
    const d = join(o.dataDir, 'emmett', name)
    mkdirSync(d, { recursive: true })
    return d
  }
  const dbName = (what: string) => `leadstream_bench_emmett_${what}_${process.pid}`
  const figures: Figure[] = []
  const notes: string[] = []
  const rss: Record<string, number> = {}

  // -- batched appends, then the projections of those stores ------------------------------------------------
  o.say(`emmett: ${int(o.events)} events, ${int(o.batch)} per batch, in turn into leadstream, Emmett SQLite and Emmett PostgreSQL…`)
  const ls = await leadstreamSide(dir('leadstream'))
  const es = await emmettSqliteSide(dir('emmett-sqlite'))
  const db = await attempt(() => emmettDatabase(o.postgresUrl, dbName('batch')))
  if ('ok' in db) made.push(db.ok.drop)
  const ep = 'ok' in db ? await attempt(() => emmettPostgresSide(db.ok.url)) : db
  const m = { ls: new Meter(), es: new Meter(), ep: new Meter() }
  const sync = await es.synchronous()
  const appendSampler = sampleRss()
  for (const [i, b] of batches.entries()) {
    const n = countEvents(b)
    await m.ls.run(n, () => ls.appendBatch(b))
    await m.es.run(n, () => es.appendBatch(b))
    if ('ok' in ep) await m.ep.run(n, () => ep.ok.appendBatch(b))
    if (i % 10 === 9)
      o.progress(
        `  ${int(m.ls.events)} / ${int(o.events)} events: leadstream ${int(m.ls.rate)}, Emmett SQLite ${int(m.es.rate)}, PostgreSQL ${int(m.ep.rate)} events/s`,
      )
  }
  o.endProgress()
  rss['batched appends'] = appendSampler.stop()

  const project = async (what: string, f: () => Promise<number | undefined>) => {
    o.say(`emmett: projecting ${int(o.events)} events, ${what}…`)
    const sampler = sampleRss()
    const c0 = process.cpuUsage()
    const t0 = process.hrtime.bigint()
    const documents = await f()
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9
    const c = process.cpuUsage(c0)
    rss[what] = sampler.stop()
    // Each side must have projected every lead, or its rate means nothing.
    if (documents !== undefined && documents !== captured) throw new Error(`${what}: ${documents} lead documents, ${captured} leads captured`)
    return { rate: o.events / seconds, perCpu: o.events / ((c.user + c.system) / 1e6), seconds }
  }
  const pLs = await project('leadstream projector into SQLite views', () => ls.project(o.projectorBatch))
  const pEs = await project('Emmett async projection into SQLite documents', () => es.project(o.projectorBatch))
  const pgUrl = o.postgresUrl
  const emmettParsers = pgTypeParsers()
  defaults.restore()
  const pLp = await attempt(() =>
    project('leadstream projector into PostgreSQL views', () => ls.projectIntoPostgres(o.projectorBatch, pgUrl).then(() => undefined)),
  )
  emmettParsers.restore()
  const pEp =
    'ok' in ep
      ? await attempt(async () => {
          await ep.ok.settle?.()
          return project('Emmett rebuild of a Pongo projection into PostgreSQL', () => ep.ok.project(o.projectorBatch))
        })
      : ep
  await ls.close()
  await es.close()
  if ('ok' in ep) await ep.ok.close()
  if ('ok' in db) await db.ok.drop()

  // -- one append per transaction, fresh stores, the first of the same events -------------------------------
  const singles = batches.flat().slice(0, o.singles)
  o.say(`emmett: ${int(singles.length)} single appends (one transaction each), in turn, into fresh stores…`)
  const ls1 = await leadstreamSide(dir('leadstream-single'))
  const es1 = await emmettSqliteSide(dir('emmett-sqlite-single'))
  const db1 = await attempt(() => emmettDatabase(o.postgresUrl, dbName('single')))
  if ('ok' in db1) made.push(db1.ok.drop)
  const ep1: Maybe<Side> = 'ok' in db1 ? await attempt(() => emmettPostgresSide(db1.ok.url)) : db1
  const s = { ls: new Meter(), es: new Meter(), ep: new Meter() }
  const singleSampler = sampleRss()
  for (const [i, r] of singles.entries()) {
    const n = r.events.length
    await s.ls.run(n, () => ls1.appendOne(r))
    await s.es.run(n, () => es1.appendOne(r))
    if ('ok' in ep1) await s.ep.run(n, () => ep1.ok.appendOne(r))
    if (i % 1000 === 999)
      o.progress(
        `  ${int(i + 1)} / ${int(singles.length)}: leadstream ${int(s.ls.rate)}, Emmett SQLite ${int(s.es.rate)}, PostgreSQL ${int(s.ep.rate)} appends/s`,
      )
  }
  o.endProgress()
  rss['single appends'] = singleSampler.stop()
  await ls1.close()
  await es1.close()
  if ('ok' in ep1) await ep1.ok.close()
  if ('ok' in db1) await db1.ok.drop()

  // -- the rows: leadstream's figure, Emmett's beside it, and the ratio against the target ------------------
  const row = (what: string, lsRate: number, lsDetail: string, em: Maybe<{ readonly rate: number; readonly detail: string }>): Figure =>
    'ok' in em
      ? {
          name: `${what}`,
          value: `leadstream ${int(lsRate)} events/s (${lsDetail})`,
          raw: `Emmett ${int(em.ok.rate)} events/s (${em.ok.detail}): leadstream ${(lsRate / em.ok.rate).toFixed(1)}×`,
          target: 'leadstream ≥ 5× Emmett',
          met: lsRate >= 5 * em.ok.rate,
        }
      : { name: what, value: `leadstream ${int(lsRate)} events/s (${lsDetail})`, raw: `Emmett not run: ${em.missing}`, target: 'leadstream ≥ 5× Emmett' }
  const appendDetail = (x: Meter) => `${int(x.perCpu)}/CPU-s; store alone ${int(x.events / (x.seconds - x.sealing))} events/s, sealing excluded`
  const emDetail = (x: Meter, pgSide: boolean) => ({ ok: { rate: x.rate, detail: `${int(x.perCpu)}/CPU-s${pgSide ? ' of this process' : ''}` } })
  const shape = `${int(o.events)} events, ${int(o.batch)} per batch`
  figures.push(
    row(`Emmett SQLite: batched append (${shape}; one transaction per batch)`, m.ls.rate, appendDetail(m.ls), emDetail(m.es, false)),
    row(
      `Emmett PostgreSQL: batched append (${shape}; one transaction per batch; leadstream's SQLite store)`,
      m.ls.rate,
      appendDetail(m.ls),
      'ok' in ep ? emDetail(m.ep, true) : ep,
    ),
    row(`Emmett SQLite: one append per transaction (${int(singles.length)} appends)`, s.ls.rate, appendDetail(s.ls), emDetail(s.es, false)),
    row(
      `Emmett PostgreSQL: one append per transaction (${int(singles.length)} appends; leadstream's SQLite store)`,
      s.ls.rate,
      appendDetail(s.ls),
      'ok' in ep1 ? emDetail(s.ep, true) : ep1,
    ),
    row(
      `Emmett SQLite: projection of every lead from the start (${int(o.events)} events, ${int(o.projectorBatch)} per batch)`,
      pLs.rate,
      `${int(pLs.perCpu)}/CPU-s`,
      { ok: { rate: pEs.rate, detail: `${int(pEs.perCpu)}/CPU-s` } },
    ),
  )
  const pgProjection = `Emmett PostgreSQL: projection of every lead from the start (${int(o.events)} events, ${int(o.projectorBatch)} per batch)`
  if ('ok' in pLp)
    figures.push(
      row(
        pgProjection,
        pLp.ok.rate,
        `${int(pLp.ok.perCpu)}/CPU-s of this process`,
        'ok' in pEp ? { ok: { rate: pEp.ok.rate, detail: `${int(pEp.ok.perCpu)}/CPU-s of this process` } } : pEp,
      ),
    )
  else figures.push({ name: pgProjection, value: `leadstream not run: ${pLp.missing}`, raw: '', target: 'leadstream ≥ 5× Emmett' })

  notes.push(
    `Emmett side by side (${int(o.events)} generated events: ${Object.entries(history.byType)
      .map(([k, v]) => `${k} ${int(v)}`)
      .join(', ')}; the same events, ids and expected revisions on both sides). ` +
      'leadstream: its embedded SQLite event store (WAL, synchronous=NORMAL and a group commit: each append resolves after an fsync of the WAL that started after its commit) through appendMany (a batch is one transaction) and append, each request checked against its expected revision, ' +
      'event ids unique (a re-sent event is a Duplicate, not a second copy), the personal data of every event sealed first with the key store (AES-256-GCM, a data key per new lead written to keys.db in a durable transaction of its own: timed, since ingest pays it); ' +
      'its projector writes the lead rows, the aggregate counters, the offer catalogue and the checkpoint, opening the sealed data as it goes.',
    `Emmett 0.42 (@event-driven-io/emmett 0.42.0, -sqlite 0.42.4, -postgresql 0.42.0, Pongo 0.16.11; -sqlite 0.42.4 asks for emmett 0.42.4, which the registry reachable here lacks, so it runs on 0.42.0): ` +
      `SQLite through node-sqlite3 on one connection (WAL, synchronous=${sync === '2' ? 'FULL' : sync === '1' ? 'NORMAL' : sync}, the library's default), appendToStream per stream with the same expected version (a batch: nested in one transaction of its connection); ` +
      'PostgreSQL: appendToStream (the function its event store calls) with the same expected version, a batch in one transaction as on SQLite, single appends through its event store and default pool; synchronous_commit as the server has it. ' +
      "(Appends in flight together, each its own transaction, were tried: Emmett's processors read in transaction order but checkpoint by global position, and its rebuild skipped events.) leadstream has no PostgreSQL event store, so those rows set its SQLite figure beside them. " +
      'Emmett stores personal data in clear (no sealing), gives each event the id it is handed without checking that it is new (no idempotent re-delivery), and checks the expected version as leadstream does.',
    "Projections: both compute the same lead summary (Emmett's evolve calls leadstream's pure projectBatch for one event). Emmett SQLite: its consumer with an async projection (a batch per transaction, a checkpoint per event) reading and rewriting one JSON document per lead; " +
      'Emmett 0.42 has no Pongo for SQLite, so the table is id → JSON, as Pongo makes on PostgreSQL. Emmett PostgreSQL: rebuildPostgreSQLProjections of a Pongo single-stream projection (document per lead, read then written per event). ' +
      'Emmett writes only the lead documents: no counters, no offer catalogue, no reclassification of leads when an offer is classified, nothing to open. leadstream into PostgreSQL: its projector (not the bulk rebuild) into views of a schema of its own.',
    `Peak RSS of this process in the Emmett step: ${Object.entries(rss)
      .map(([k, v]) => `${k} ${int(v / 1024 ** 2)} MiB`)
      .join(
        ', ',
      )} (PostgreSQL's own memory not counted). Projections took ${pLs.seconds.toFixed(1)} s (leadstream, SQLite) and ${pEs.seconds.toFixed(1)} s (Emmett, SQLite)` +
      `${'ok' in pLp ? `, ${pLp.ok.seconds.toFixed(1)} s (leadstream, PostgreSQL)` : ''}${'ok' in pEp ? `, ${pEp.ok.seconds.toFixed(1)} s (Emmett, PostgreSQL)` : ''}.`,
  )
  return { figures, notes }
}
