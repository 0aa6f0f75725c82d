// `leadstream events check`: an integrity check of the embedded event store on demand, read-only, that an
// operator runs before trusting a restored or suspect events.db.
import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import * as E from 'fp-ts/lib/Either.js'
import { decodeEvent } from '@leadstream/domain'
import { truncation } from '@leadstream/runtime'

export interface CheckResult {
  readonly name: string
  readonly ok: boolean
  /** What was found: a count when sound, the first problems when not. */
  readonly detail: string
}

export interface CheckReport {
  readonly file: string
  readonly ok: boolean
  readonly events: number
  readonly streams: number
  readonly checks: ReadonlyArray<CheckResult>
}

/** Problems past this many are counted, not listed. */
const SHOWN = 10

const result = (name: string, problems: ReadonlyArray<string>, total: number, whenOk: string): CheckResult => ({
  name,
  ok: total === 0,
  detail: total === 0 ? whenOk : `${total} problem(s): ${problems.slice(0, SHOWN).join('; ')}${total > SHOWN ? '; …' : ''}`,
})

const failedReport = (file: string, name: string, detail: string): CheckReport => ({
  file,
  ok: false,
  events: 0,
  streams: 0,
  checks: [{ name, ok: false, detail }],
})

/**
 * Runs SQLite's `PRAGMA integrity_check`, then the store's own invariants: positions start at 1 and have no
 * gap; each stream's revisions run 0..n in the order of their positions; every event decodes with today's
 * codecs (upcasting old versions) and its metadata is JSON. Opens the file read-only and never creates it.
 */
export const checkSqliteEventStore = (file: string): CheckReport => {
  if (!existsSync(file)) return failedReport(file, 'file', 'no such file')
  const cut = truncation(file)
  if (cut !== null) return failedReport(file, 'file', cut)
  let db: Database.Database
  try {
    db = new Database(file, { readonly: true, fileMustExist: true })
  } catch (e) {
    return failedReport(file, 'open', e instanceof Error ? e.message : String(e))
  }
  try {
    const integrity = db.pragma('integrity_check', { simple: false }) as ReadonlyArray<{ integrity_check: string }>
    const messages = integrity.map((r) => r.integrity_check).filter((m) => m !== 'ok')
    const checks: CheckResult[] = [result('sqlite integrity_check', messages, messages.length, 'ok')]
    if (messages.length > 0) return { file, ok: false, events: 0, streams: 0, checks }

    const stats = db
      .prepare('SELECT count(*) AS n, coalesce(min(position), 1) AS lo, coalesce(max(position), 0) AS hi, count(DISTINCT stream_id) AS s FROM events')
      .get() as {
      n: number
      lo: number
      hi: number
      s: number
    }
    const gaps = db
      .prepare(
        `SELECT prev + 1 AS from_p, position - 1 AS to_p FROM (SELECT position, lag(position, 1, 0) OVER (ORDER BY position) AS prev FROM events)
         WHERE position <> prev + 1 LIMIT ${SHOWN}`,
      )
      .all() as ReadonlyArray<{ from_p: number; to_p: number }>
    checks.push(
      result(
        'positions contiguous from 1',
        gaps.map((g) => `missing positions ${g.from_p}..${g.to_p}`),
        gaps.length,
        `1..${stats.hi}`,
      ),
    )

    const revisionQuery = `SELECT stream_id, position, revision, prev FROM (
         SELECT stream_id, position, revision, lag(revision, 1, -1) OVER (PARTITION BY stream_id ORDER BY position) AS prev FROM events)
       WHERE revision <> prev + 1`
    const badRevisions = db.prepare(`${revisionQuery} LIMIT ${SHOWN}`).all() as ReadonlyArray<{
      stream_id: string
      position: number
      revision: number
      prev: number
    }>
    const badRevisionCount = (db.prepare(`SELECT count(*) AS n FROM (${revisionQuery})`).get() as { n: number }).n
    checks.push(
      result(
        'revisions per stream 0..n in position order',
        badRevisions.map((r) => `${r.stream_id} has revision ${r.revision} after ${r.prev} (position ${r.position})`),
        badRevisionCount,
        `${stats.s} streams`,
      ),
    )

    const undecodable: string[] = []
    let undecodableCount = 0
    for (const row of db.prepare('SELECT position, type, version, data, metadata FROM events ORDER BY position').iterate() as Iterable<{
      position: number
      type: string
      version: number
      data: string
      metadata: string
    }>) {
      let why: string | null = null
      try {
        JSON.parse(row.metadata)
        const decoded = decodeEvent(row.type, row.version, JSON.parse(row.data))
        if (E.isLeft(decoded)) why = decoded.left.map((p) => `${p.path}: ${p.reason}`).join(', ')
      } catch (e) {
        why = `not JSON (${e instanceof Error ? e.message : String(e)})`
      }
      if (why !== null && ++undecodableCount <= SHOWN) undecodable.push(`position ${row.position} (${row.type} v${row.version}): ${why}`)
    }
    checks.push(result('every event decodes', undecodable, undecodableCount, `${stats.n} events`))
    return { file, ok: checks.every((c) => c.ok), events: stats.n, streams: stats.s, checks }
  } catch (e) {
    return failedReport(file, 'read', e instanceof Error ? e.message : String(e))
  } finally {
    db.close()
  }
}
