// Embedded event store on SQLite: one table in global order, unique (stream, revision); event ids unique per stream.
import * as E from 'fp-ts/lib/Either.js'
import type * as TE from 'fp-ts/lib/TaskEither.js'
import { decodeEvent, type NewEvent, type RecordedEvent } from '@leadstream/domain'
import { idempotencyScope, openSqlite, walGroupCommit, type Sqlite } from '@leadstream/runtime'
import {
  assertStorable,
  revisionMatches,
  storeUnavailable,
  wrongExpectedRevision,
  type AppendOutcome,
  type AppendRequest,
  type EventStore,
  type IdempotencyRecords,
  type StoreError,
} from '../port.js'
import { durableMark } from './durableMark.js'
import { waiter } from './waiter.js'

const migrations = [
  `CREATE TABLE events (
     position    INTEGER PRIMARY KEY,
     event_id    TEXT    NOT NULL UNIQUE,
     stream_id   TEXT    NOT NULL,
     revision    INTEGER NOT NULL,
     type        TEXT    NOT NULL,
     version     INTEGER NOT NULL,
     data        TEXT    NOT NULL,
     metadata    TEXT    NOT NULL,
     recorded_at TEXT    NOT NULL,
     UNIQUE (stream_id, revision)
   );`,
  // Idempotency-Key answers live here, not in a file of their own, so a claim commits with its append.
  `CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, body TEXT, stored_at TEXT NOT NULL) WITHOUT ROWID;
   CREATE INDEX idempotency_keys_by_age ON idempotency_keys (stored_at);`,
  // Event ids are checked per stream, as EventStoreDB does, against the stream's own rows: the global
  // UNIQUE(event_id) index took a random leaf page per event (hashed ids), a page write at every commit once
  // it outgrew a batch. Existing stores are copied once into the table without it (same columns, same rowids).
  `CREATE TABLE events_v3 (
     position    INTEGER PRIMARY KEY,
     event_id    TEXT    NOT NULL,
     stream_id   TEXT    NOT NULL,
     revision    INTEGER NOT NULL,
     type        TEXT    NOT NULL,
     version     INTEGER NOT NULL,
     data        TEXT    NOT NULL,
     metadata    TEXT    NOT NULL,
     recorded_at TEXT    NOT NULL,
     UNIQUE (stream_id, revision)
   );
   INSERT INTO events_v3 SELECT position, event_id, stream_id, revision, type, version, data, metadata, recorded_at FROM events ORDER BY stream_id, revision;
   DROP TABLE events;
   ALTER TABLE events_v3 RENAME TO events;`,
]

/** How long an Idempotency-Key answer is kept. */
const ANSWER_TTL_MS = 24 * 3600 * 1000

export interface SqliteEventStoreOptions {
  /** A file path, or `:memory:` for tests. */
  readonly path: string
  readonly now?: () => Date
  /** How often another process's appends are noticed by `waitFor` (this process's are noticed at once). */
  readonly pollMs?: number
  /** The fsync of the file's WAL (tests: instrumented); default walFsync (runtime/groupCommit.ts). */
  readonly sync?: () => Promise<void>
}

interface Row {
  position: number
  event_id: string
  stream_id: string
  revision: number
  type: string
  version: number
  data: string
  metadata: string
  recorded_at: string
}

/**
 * Guarantees: an append is one SQLite transaction (`synchronous=NORMAL`) and resolves after a group commit has
 * fsynced the WAL behind it, off the event loop, so once it resolves it is durable (power loss included);
 * `UNIQUE(stream_id, revision)` makes a concurrent writer that skipped the revision check fail rather than fork
 * the stream; a request whose event ids the stream already holds is a Duplicate (re-appends are idempotent per
 * stream: the same event id in another stream is another event, as in EventStoreDB).
 */
export const sqliteEventStore = (options: SqliteEventStoreOptions): EventStore & { readonly db: Sqlite; readonly idempotency: IdempotencyRecords } => {
  const db = openSqlite(options.path, migrations, { kind: 'events', synchronous: 'NORMAL' })
  const now = options.now ?? (() => new Date())
  const notify = waiter(() => headSync(), options.pollMs ?? 100)
  const commits = walGroupCommit(options.path, options.sync)

  const q = {
    readStream: db.prepare<[string], Row>('SELECT * FROM events WHERE stream_id = ? ORDER BY revision'),
    // What an append decides on: the stream's ids and revisions (a lead's stream holds a handful of events).
    streamIds: db.prepare<[string], { event_id: string; position: number; revision: number }>(
      'SELECT event_id, position, revision FROM events WHERE stream_id = ?',
    ),
    insert: db.prepare('INSERT INTO events (event_id, stream_id, revision, type, version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    readAll: db.prepare<[number, number], Row>('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
    head: db.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM events'),
    claim: db.prepare('INSERT OR IGNORE INTO idempotency_keys (key, fingerprint, status, body, stored_at) VALUES (?, ?, NULL, NULL, ?)'),
    answer: db.prepare<[string, string], { fingerprint: string; status: number | null; body: string | null }>(
      'SELECT fingerprint, status, body FROM idempotency_keys WHERE key = ? AND stored_at > ?',
    ),
    putAnswer: db.prepare('INSERT OR REPLACE INTO idempotency_keys (key, fingerprint, status, body, stored_at) VALUES (?, ?, ?, ?, ?)'),
    purgeAnswers: db.prepare('DELETE FROM idempotency_keys WHERE stored_at <= ?'),
    forgetAnswers: db.prepare('DELETE FROM idempotency_keys WHERE body IS NOT NULL AND instr(body, ?) > 0'),
  }

  const headSync = (): number => q.head.get()?.p ?? 0
  /**
   * Positions known to be on disk. Events at or below it are handed on at once; a read that returns later ones
   * (committed by another process, or by this one and not synced yet) waits for a sync first, so a relay,
   * projector or webhook never acts on an event a power loss could take back.
   */
  const durable = durableMark(options.path, headSync())

  const appendOne = (req: AppendRequest, recordedAt: string): E.Either<StoreError, AppendOutcome> => {
    const rows = q.streamIds.all(req.streamId)
    let actual = -1
    const positions = new Map<string, number>()
    for (const r of rows) {
      if (r.revision > actual) actual = r.revision
      positions.set(r.event_id, r.position)
    }
    // Idempotency first: a re-delivery carrying a stale expected revision is still a re-delivery.
    const known = req.events.map((e) => positions.get(e.eventId))
    const stored = known.filter((k) => k !== undefined)
    if (stored.length > 0) {
      if (stored.length < req.events.length)
        return E.left({ _tag: 'PartialDuplicate', streamId: req.streamId, eventIds: req.events.filter((_, i) => known[i] !== undefined).map((e) => e.eventId) })
      return E.right({ _tag: 'Duplicate', streamId: req.streamId, lastRevision: actual, lastPosition: Math.max(...stored) })
    }
    if (!revisionMatches(req.expectedRevision, actual)) return E.left(wrongExpectedRevision(req.streamId, req.expectedRevision, actual))
    let revision = actual
    let position = 0
    for (const e of req.events) {
      revision += 1
      position = Number(
        q.insert.run(e.eventId, req.streamId, revision, e.event.type, e.event.version, JSON.stringify(e.event.data), JSON.stringify(e.metadata), recordedAt)
          .lastInsertRowid,
      )
    }
    return E.right({ _tag: 'Appended', streamId: req.streamId, lastRevision: revision, lastPosition: position })
  }

  const appendAll = db.transaction((requests: ReadonlyArray<AppendRequest>, recordedAt: string) => {
    assertStorable(requests)
    const results = requests.map((r) => appendOne(r, recordedAt))
    // The request's Idempotency-Key, claimed in the transaction that wrote its events (see IdempotencyRecords).
    const claim = idempotencyScope.getStore()
    if (claim !== undefined && results.some((r) => E.isRight(r) && r.right._tag === 'Appended')) q.claim.run(claim.key, claim.fingerprint, recordedAt)
    return results
  })

  let answersPut = 0
  const idempotency: IdempotencyRecords = {
    // A stored answer found may be another request's, committed and not yet synced: it is repeated once durable.
    get: async (key) => {
      const found = q.answer.get(key, new Date(now().getTime() - ANSWER_TTL_MS).toISOString()) ?? null
      if (found !== null) await commits.durable()
      return found
    },
    // Both resolve once durable, as an append does: the answer is sent after it is stored, an erasure reported done.
    put: async (key, a, at) => {
      q.putAnswer.run(key, a.fingerprint, a.status, a.body, at.toISOString())
      if (++answersPut % 1000 === 0) q.purgeAnswers.run(new Date(at.getTime() - ANSWER_TTL_MS).toISOString())
      await commits.durable()
    },
    forgetLeads: async (leadIds) => commits.durably(leadIds.reduce((n, id) => n + q.forgetAnswers.run(JSON.stringify(id)).changes, 0)),
    // The store's own close closes the file.
    close: async () => undefined,
  }

  const toRecorded = (row: Row): E.Either<StoreError, RecordedEvent> => {
    const decoded = decodeEvent(row.type, row.version, JSON.parse(row.data))
    if (E.isLeft(decoded)) return E.left({ _tag: 'CorruptEvent', position: row.position, problems: decoded.left })
    return E.right({
      eventId: row.event_id,
      streamId: row.stream_id,
      revision: row.revision,
      position: row.position,
      event: decoded.right,
      metadata: JSON.parse(row.metadata) as NewEvent['metadata'],
      recordedAt: row.recorded_at,
    })
  }

  const decodeRows = (rows: ReadonlyArray<Row>): E.Either<StoreError, ReadonlyArray<RecordedEvent>> => {
    const out: RecordedEvent[] = []
    for (const row of rows) {
      const r = toRecorded(row)
      if (E.isLeft(r)) return r
      out.push(r.right)
    }
    return E.right(out)
  }

  const sync =
    <A>(f: () => E.Either<StoreError, A>): TE.TaskEither<StoreError, A> =>
    () => {
      try {
        return Promise.resolve(f())
      } catch (e) {
        return Promise.resolve(E.left(storeUnavailable(e)))
      }
    }

  /**
   * Answers once the transaction is fsynced. A request answered Duplicate waits too: the events it found may be
   * another request's, committed and not yet synced. A failed fsync answers StoreUnavailable: not acknowledged.
   */
  const appendMany = (requests: ReadonlyArray<AppendRequest>) => async () => {
    try {
      const results = appendAll.immediate(requests, now().toISOString())
      await commits.durable()
      for (const r of results) if (E.isRight(r)) durable.raise(r.right.lastPosition)
      // Woken once durable: a reader in this process then hands the events on without a sync of its own.
      if (results.some(E.isRight)) notify.wake()
      return results
    } catch (e) {
      return requests.map(() => E.left(storeUnavailable(e)))
    }
  }

  /** Rows read from the log, once every one of them is durable (see `durable`). */
  const durableRows = async (rows: ReadonlyArray<Row>): Promise<ReadonlyArray<Row>> => {
    const last = rows[rows.length - 1]?.position ?? 0
    if (last > durable.get()) {
      await commits.durable()
      durable.raise(last)
    }
    return rows
  }

  return {
    db,
    idempotency,
    readStream: (streamId) =>
      sync(() => {
        const rows = q.readStream.all(streamId)
        return E.map((events: ReadonlyArray<RecordedEvent>) => ({ revision: rows.length === 0 ? -1 : (rows[rows.length - 1]?.revision ?? -1), events }))(
          decodeRows(rows),
        )
      }),
    append: (request) => async () => {
      const [result] = await appendMany([request])()
      return result ?? E.left(storeUnavailable('no result'))
    },
    appendMany,
    readAll: (after, limit) => async () => {
      try {
        return decodeRows(await durableRows(q.readAll.all(after, limit)))
      } catch (e) {
        return E.left(storeUnavailable(e))
      }
    },
    head: () => sync(() => E.right(headSync())),
    waitFor: (position, timeoutMs) => notify.waitFor(position, timeoutMs),
    close: async () => {
      notify.close()
      db.close()
    },
  }
}
