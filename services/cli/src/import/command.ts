// `leadstream import FILE`: history from a CRM export (CSV, one lead per row) or an event log (NDJSON of native
// events) sent to ingest in batches over HTTP, with the ingest token. Guarantees:
// - idempotent: every event has a deterministic id (CSV: from the lead and the step; NDJSON: its own eventId),
//   so importing the file again writes nothing twice;
// - resumable: after each acknowledged batch a checkpoint file (`FILE.import-checkpoint`) records the last line
//   done; a run after a kill (even -9) skips to it, and anything sent but not recorded is answered duplicate;
// - every row error is reported with its line number (stderr), counted in the summary, and makes the exit 1,
//   also when a resumed run finds it: errors are appended to `FILE.import-checkpoint.errors` as they are found,
//   and a resumed run takes over those up to its checkpoint's line (the rest it finds again).
import { appendFileSync, createReadStream, existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs'
import { basename, resolve } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { BatchAnswer } from '@leadstream/api'
import { exitCode, jsonOut, wholeNumber, type Command, type Context, type Values } from '../command.js'
import type { Result } from '../http.js'
import { problemLines, progressReporter, type ProgressReporter } from '../render.js'
import { csvReader } from './csv.js'
import { csvUnit, ndjsonUnit, readHeader, type Unit } from './rows.js'

const DEFAULT_BATCH = 2000
const SHOWN_ERRORS = 50

const Checkpoint = t.type({
  file: t.string,
  size: t.number,
  mtimeMs: t.number,
  /** Every unit starting on this line or before is done. */
  line: t.number,
})
type Checkpoint = t.TypeOf<typeof Checkpoint>

const RowError = t.type({ line: t.number, problems: t.array(t.string) })
type RowError = t.TypeOf<typeof RowError>

/** A checkpoint that is missing, unreadable or of another shape is no checkpoint: the file is read from its start. */
const readCheckpoint = (path: string): Checkpoint | null => {
  if (!existsSync(path)) return null
  try {
    const decoded = Checkpoint.decode(JSON.parse(readFileSync(path, 'utf8')))
    return E.isRight(decoded) ? decoded.right : null
  } catch {
    return null
  }
}
/** Written beside, then renamed: a kill leaves the old checkpoint or the new one, never half of one. */
const writeCheckpoint = (path: string, c: Checkpoint): void => {
  writeFileSync(`${path}.tmp`, JSON.stringify(c))
  renameSync(`${path}.tmp`, path)
}

/**
 * The row errors an earlier run found on lines up to `upTo` (those are not read again), one per line. The file is
 * rewritten with just them, so what this run appends follows; a line cut short by a kill is dropped.
 */
const takeOverErrors = (path: string, upTo: number): RowError[] => {
  const byLine = new Map<number, RowError>()
  if (upTo > 0 && existsSync(path))
    for (const text of readFileSync(path, 'utf8').split('\n')) {
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        continue
      }
      const e = RowError.decode(value)
      if (E.isRight(e) && e.right.line <= upTo && !byLine.has(e.right.line)) byLine.set(e.right.line, e.right)
    }
  const kept = [...byLine.values()].sort((a, b) => a.line - b.line)
  if (kept.length === 0) rmSync(path, { force: true })
  else {
    writeFileSync(`${path}.tmp`, kept.map((e) => `${JSON.stringify(e)}\n`).join(''))
    renameSync(`${path}.tmp`, path)
  }
  return kept
}

/** Lines in the file (for the progress total), counted without decoding. */
const countLines = async (path: string): Promise<number> => {
  let n = 0
  let last = 10
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) n++
    last = chunk[chunk.length - 1] ?? last
  }
  return last === 10 ? n : n + 1
}

/** The file's units in order: NDJSON lines, or CSV rows after the header. A bad header is one error at line 1. */
async function* unitsOf(path: string, format: 'csv' | 'ndjson'): AsyncGenerator<Unit> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 }) as AsyncIterable<string>
  if (format === 'ndjson') {
    let line = 1
    let rest = ''
    for await (const chunk of stream) {
      const parts = (rest + chunk).split('\n')
      rest = parts.pop() ?? ''
      for (const p of parts) {
        const u = ndjsonUnit(line++, p)
        if (u !== null) yield u
      }
    }
    const u = ndjsonUnit(line, rest)
    if (u !== null) yield u
    return
  }
  const reader = csvReader()
  let header: ReturnType<typeof readHeader> | null = null
  const rows = function* (records: ReturnType<typeof reader.push>): Generator<Unit> {
    for (const r of records) {
      if (header === null) {
        header = readHeader(r.fields)
        if (!header.ok) throw new HeaderError(header.reason)
        continue
      }
      if (!header.ok) continue
      yield r.error !== null ? { line: r.line, events: [], error: r.error } : csvUnit(header, r.line, r.fields)
    }
  }
  for await (const chunk of stream) yield* rows(reader.push(chunk))
  yield* rows(reader.end())
}

class HeaderError extends Error {}

interface Totals {
  rows: number
  skipped: number
  accepted: number
  duplicates: number
  parked: number
  rejected: number
  errors: RowError[]
}

const formatOf = (path: string, given: unknown): 'csv' | 'ndjson' | null =>
  given === undefined ? (/\.csv$/i.test(path) ? 'csv' : 'ndjson') : given === 'csv' || given === 'ndjson' ? given : null

/** Sends one batch and folds its answer into the totals: each rejected event names its row's line. */
const sendBatch = async (ctx: Context, batch: ReadonlyArray<Unit>, totals: Totals, onError: (e: RowError) => void): Promise<Result<void>> => {
  const events = batch.flatMap((u) => u.events)
  const lineOf = batch.flatMap((u) => u.events.map(() => u.line))
  const r = await ctx.api.send('ingest', '/v1/leads', `[${events.join(',')}]`, BatchAnswer, [400])
  if (!r.ok) return r
  totals.accepted += r.value.accepted
  totals.duplicates += r.value.duplicates
  totals.parked += r.value.parked
  totals.rejected += r.value.rejected
  const byLine = new Map<number, string[]>()
  for (const item of r.value.results)
    if (item.status === 'rejected') {
      const line = lineOf[item.index] ?? 0
      // Paths start with the item's index in the batch (`[12].data.offer`): the line replaces it.
      const lines = problemLines(
        item.problems.map((p) => ({ ...p, path: p.path.replace(/^\[\d+\]\.?/, '') || '(event)' })),
        true,
      )
      byLine.set(line, [...(byLine.get(line) ?? []), ...lines])
    }
  for (const [line, problems] of byLine) {
    const e = { line, problems }
    totals.errors.push(e)
    onError(e)
  }
  return { ok: true, value: undefined }
}

interface ImportOptions {
  readonly path: string
  readonly format: 'csv' | 'ndjson'
  readonly batchSize: number
  readonly restart: boolean
}

/** The file and flags, checked; a usage exit code when one is wrong. */
const importOptions = (ctx: Context, file: string, values: Values): ImportOptions | number => {
  const path = resolve(file)
  if (!existsSync(path) || !statSync(path).isFile()) return ctx.usage(`<file>: no such file: ${file}`)
  const format = formatOf(path, values['format'])
  if (format === null) return ctx.usage(`--format: expected csv or ndjson, got ${JSON.stringify(values['format'])}`)
  const batchSize = values['batch'] === undefined ? DEFAULT_BATCH : wholeNumber(values['batch'])
  if (batchSize === null || batchSize < 1) return ctx.usage(`--batch: expected a number of events ≥ 1, got ${JSON.stringify(values['batch'])}`)
  return { path, format, batchSize, restart: values['restart'] === true }
}

interface Resume {
  readonly stat: Stats
  readonly checkpointPath: string
  readonly errorsPath: string
  /** Lines up to this one were done by an earlier run (0: read the whole file). */
  readonly after: number
  /** This run's totals, starting with the row errors the earlier run found on the lines it did. */
  readonly totals: Totals
}

/**
 * Where this run starts: after the checkpoint's line when it is of this very file (same size and mtime) and
 * --restart was not given, else at the start. The earlier run's row errors up to there are taken over, so a
 * resumed run still reports them and exits 1.
 */
const resumePoint = (ctx: Context, options: ImportOptions): Resume => {
  const { path } = options
  const stat = statSync(path)
  const checkpointPath = `${path}.import-checkpoint`
  const errorsPath = `${checkpointPath}.errors`
  const earlier = options.restart ? null : readCheckpoint(checkpointPath)
  const after = earlier !== null && earlier.file === path && earlier.size === stat.size && earlier.mtimeMs === stat.mtimeMs ? earlier.line : 0
  const errors = takeOverErrors(errorsPath, after)
  if (after > 0)
    ctx.io.err(
      `resuming ${basename(path)} after line ${after} (${checkpointPath}; --restart to read it all)` +
        `${
          errors.length > 0
            ? `; ${errors.length} rows with errors before it: lines ${errors
                .slice(0, 20)
                .map((e) => e.line)
                .join(', ')}${errors.length > 20 ? ', …' : ''}`
            : ''
        }\n`,
    )
  return { stat, checkpointPath, errorsPath, after, totals: { rows: 0, skipped: 0, accepted: 0, duplicates: 0, parked: 0, rejected: 0, errors } }
}

/**
 * Reads the file from the resume point and sends it in batches, one in flight while the next is read; the
 * checkpoint moves only past acknowledged batches, in order. Each row error is shown (the first SHOWN_ERRORS),
 * counted and appended to the errors file. Answers ok once the whole file was acknowledged, or the failed call;
 * throws HeaderError for a CSV whose header cannot be read.
 */
const pump = async (ctx: Context, options: ImportOptions, resume: Resume, progress: ProgressReporter): Promise<Result<void>> => {
  const { path, format, batchSize } = options
  const { stat, checkpointPath, errorsPath, after, totals } = resume
  const total = await countLines(path)
  const started = Date.now()
  let shown = 0
  const report = (e: RowError) => {
    appendFileSync(errorsPath, `${JSON.stringify(e)}\n`)
    if (ctx.json || shown++ >= SHOWN_ERRORS) return
    progress.note(`line ${e.line}: ${e.problems.join('; ')}`)
  }
  let doneLine = after
  const show = (force = false) => {
    const seconds = (Date.now() - started) / 1000
    const rate = seconds > 0 ? (doneLine - after) / seconds : 0
    progress.update({ position: doneLine, head: total, eventsPerSecond: rate, etaSeconds: rate > 0 ? (total - doneLine) / rate : null }, force)
  }

  let inFlight: Promise<Result<void>> | null = null
  let inFlightLast = 0
  const settle = async (): Promise<Result<void>> => {
    if (inFlight === null) return { ok: true, value: undefined }
    const r = await inFlight
    inFlight = null
    if (r.ok) {
      doneLine = inFlightLast
      writeCheckpoint(checkpointPath, { file: path, size: stat.size, mtimeMs: stat.mtimeMs, line: doneLine })
      show()
    }
    return r
  }
  let batch: Unit[] = []
  let events = 0
  const flush = async (): Promise<Result<void>> => {
    const previous = await settle()
    if (!previous.ok || batch.length === 0) return previous
    const sending = batch
    inFlightLast = sending[sending.length - 1]!.line
    inFlight = sendBatch(ctx, sending, totals, report)
    batch = []
    events = 0
    return { ok: true, value: undefined }
  }

  for await (const unit of unitsOf(path, format)) {
    if (unit.line <= after) {
      totals.skipped++
      continue
    }
    totals.rows++
    if (unit.error !== null) {
      const e = { line: unit.line, problems: [unit.error] }
      totals.errors.push(e)
      report(e)
      continue
    }
    batch.push(unit)
    events += unit.events.length
    if (events >= batchSize) {
      const r = await flush()
      if (!r.ok) return r
    }
  }
  const last = await flush()
  const settled = last.ok ? await settle() : last
  if (!settled.ok) return settled
  doneLine = total
  show(true)
  return settled
}

/** The summary (or the JSON document); exit 1 when any row had an error, this run or the earlier one it resumed. */
const summary = (ctx: Context, options: ImportOptions, totals: Totals, seconds: number): number => {
  const { path, format } = options
  const rowsPerSecond = seconds > 0 ? Math.round(totals.rows / seconds) : totals.rows
  totals.errors.sort((a, b) => a.line - b.line)
  const code = totals.errors.length === 0 ? exitCode.ok : exitCode.failed
  if (ctx.json) {
    jsonOut(ctx, {
      file: path,
      format,
      rows: totals.rows,
      skipped: totals.skipped,
      accepted: totals.accepted,
      duplicates: totals.duplicates,
      parked: totals.parked,
      rejected: totals.rejected,
      seconds,
      rowsPerSecond,
      errors: totals.errors,
    })
    return code
  }
  ctx.io.out(
    `imported ${basename(path)} (${format}): ${totals.rows} rows${totals.skipped > 0 ? ` (${totals.skipped} done before, skipped)` : ''} in ${seconds.toFixed(1)} s (${rowsPerSecond} rows/s); ` +
      `events: ${totals.accepted} accepted, ${totals.duplicates} duplicate, ${totals.parked} parked, ${totals.rejected} rejected\n`,
  )
  if (totals.errors.length > 0) {
    ctx.io.out(
      `${totals.errors.length} rows with errors${totals.errors.length > SHOWN_ERRORS ? ` (the first ${SHOWN_ERRORS} above; --json lists all)` : ''}: lines ${totals.errors
        .slice(0, 20)
        .map((e) => e.line)
        .join(', ')}${totals.errors.length > 20 ? ', …' : ''}\n`,
    )
    ctx.io.out('rejected events are kept as dead letters: leadstream dead-letters list\n')
  }
  return code
}

const importFile: Command = {
  name: 'import',
  args: ['<file>'],
  summary: 'import a CRM export (CSV) or an event history (NDJSON of native events) into leadstream over HTTP',
  details:
    'NDJSON: one native event per line (LeadCaptured, LeadContacted, …, as POST /v1/leads takes them).\n' +
    'CSV: one lead per row with a header: leadId, storefront (or leadSource), offerId and/or offerTitle, capturedAt,\n' +
    'action, email, firstName, lastName, phone, country, company, title, description, campaigns, isTest, by, and the\n' +
    'lifecycle columns contactedAt (+ contactChannel), nurturingAt, qualifiedAt, convertedAt, disqualifiedAt (+\n' +
    'disqualificationReason). Times are ISO-8601 with an offset, or a date (midnight UTC). See README, Importing history.\n' +
    'Needs a token with the ingest role (--token / LEADSTREAM_TOKEN). Running it again is harmless: nothing is written\n' +
    'twice. After an interruption it resumes from FILE.import-checkpoint (--restart to read the whole file again).\n' +
    'Exit 1 when any row was rejected: each is listed with its line.',
  options: [
    ['--format <format>', 'csv or ndjson (default: csv for a .csv file, else ndjson)'],
    ['--batch <n>', `events per request (default ${DEFAULT_BATCH})`],
    ['--restart', 'ignore the checkpoint of an earlier interrupted run'],
  ],
  json: '{file, format, rows, skipped, accepted, duplicates, parked, rejected, seconds, rowsPerSecond, errors: [{line, problems}]}',
  run: async (ctx, [file = ''], values) => {
    const options = importOptions(ctx, file, values)
    if (typeof options === 'number') return options
    const resume = resumePoint(ctx, options)
    const progress = progressReporter(ctx.io, `import ${basename(options.path)}`, 1000, Date.now, 'lines')
    const started = Date.now()
    try {
      const pumped = await pump(ctx, options, resume, progress)
      progress.end()
      if (!pumped.ok) return ctx.fail(pumped.failure)
    } catch (e) {
      progress.end()
      if (!(e instanceof HeaderError)) throw e
      ctx.io.err(`leadstream: ${basename(options.path)} line 1: ${e.message}\n`)
      return exitCode.failed
    }
    // The whole file is done: a later run reads it all again (and finds every event a duplicate).
    rmSync(resume.checkpointPath, { force: true })
    rmSync(resume.errorsPath, { force: true })
    return summary(ctx, options, resume.totals, (Date.now() - started) / 1000)
  },
}

export const commands: ReadonlyArray<Command> = [importFile]
