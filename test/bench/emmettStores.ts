// The two sides of the Emmett step (emmett.ts), behind one shape: leadstream's embedded event store (sealing
// personal data, as ingest does) and projector, and Emmett's SQLite and PostgreSQL event stores with an async
// projection of each lead into a document. The Emmett projections evolve each document with leadstream's own
// pure projection (projectBatch of one event), so both sides compute the same lead summary; what differs is
// the storage and the pipeline around it.
import * as E from 'fp-ts/lib/Either.js'
import { join } from 'node:path'
import pg from 'pg'
import { STREAM_DOES_NOT_EXIST, type Event, type ReadEvent, type ReadEventMetadataWithGlobalPosition } from '@event-driven-io/emmett'
import { getSQLiteEventStore, messagesTable, sqliteConnection, sqliteProjection, type SQLiteConnection } from '@event-driven-io/emmett-sqlite'
import {
  appendToStream,
  getPostgreSQLEventStore,
  pongoSingleStreamProjection,
  rebuildPostgreSQLProjections,
  type PostgresReadEventMetadata,
} from '@event-driven-io/emmett-postgresql'
import { dumbo, type NodePostgresPool } from '@event-driven-io/dumbo'
import { pongoClient } from '@event-driven-io/pongo'
import { projectBatch, type DomainEvent, type LeadSummary, type RecordedEvent } from '@leadstream/domain'
import { sqliteEventStore, type AppendRequest } from '@leadstream/event-store'
import { sqliteViewStore } from '@leadstream/view-store'
import { eventually } from '../support/eventually.js'
import { testPersonalData } from '../support/privacy.js'
import { rebuildIntoPostgres } from './postgres.js'
import { projectAll } from './projection.js'

/** What one side does; the caller times each call, so generating the events is never counted. */
export interface Side {
  /** One transaction for the whole batch where the side can; resolves to the seconds of it spent sealing (leadstream). */
  readonly appendBatch: (requests: ReadonlyArray<AppendRequest>) => Promise<number>
  /** One append, one transaction; resolves to the seconds of it spent sealing. */
  readonly appendOne: (request: AppendRequest) => Promise<number>
  /** Projects the whole store from its start into fresh views; the documents (lead rows) it holds after. */
  readonly project: (batch: number) => Promise<number>
  /** Waits (untimed) until the side's projection can see every event it stores. */
  readonly settle?: () => Promise<void>
  readonly close: () => Promise<void>
}

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9

// -- leadstream -------------------------------------------------------------------------------------------

/** The embedded store in `dir`, sealing as ingest does; its projector into SQLite views, or PostgreSQL ones. */
export const leadstreamSide = async (dir: string): Promise<Side & { readonly projectIntoPostgres: (batch: number, url: string) => Promise<void> }> => {
  const personal = await testPersonalData(dir, '')
  const store = sqliteEventStore({ path: join(dir, 'events.db') })
  const check = (outcomes: ReadonlyArray<E.Either<unknown, { readonly _tag: string }>>) => {
    for (const o of outcomes) if (E.isLeft(o) || o.right._tag !== 'Appended') throw new Error(`leadstream append: ${JSON.stringify(o)}`)
  }
  return {
    appendBatch: async (requests) => {
      const t0 = process.hrtime.bigint()
      const sealed = await personal.seal(requests)
      const sealing = seconds(t0)
      check(await store.appendMany(sealed)())
      return sealing
    },
    appendOne: async (request) => {
      const t0 = process.hrtime.bigint()
      const [sealed] = await personal.seal([request])
      const sealing = seconds(t0)
      if (sealed === undefined) throw new Error('sealing returned no request')
      check([await store.append(sealed)()])
      return sealing
    },
    project: async (batch) => {
      const views = sqliteViewStore({ path: join(dir, 'views.db') })
      try {
        await projectAll(store, views, { maxBatch: batch, open: (l) => personal.opening(l) })
        return (await views.counts('all')).filter((c) => c.metric === 'leads').reduce((n, c) => n + c.n, 0)
      } finally {
        await views.close()
      }
    },
    // The projector (not the bulk rebuild) into fresh PostgreSQL views in a schema of their own, dropped after.
    projectIntoPostgres: async (batch, url) => {
      await rebuildIntoPostgres(url, store, { maxBatch: batch, open: (l) => personal.opening(l) })
    },
    close: async () => {
      await store.close()
      await personal.close()
    },
  }
}

// -- Emmett: events and the lead document -------------------------------------------------------------------

type LeadsEvent = Event<string, Record<string, unknown>, Record<string, unknown>>

/** leadstream's generated event as an Emmett event: the same type, data (personal data in clear) and event id. */
const toEmmett = (r: AppendRequest): LeadsEvent[] =>
  r.events.map((e) => ({ type: e.event.type, data: e.event.data as unknown as Record<string, unknown>, metadata: { ...e.metadata, messageId: e.eventId } }))

/** leadstream's expected revision (0-based, last event) as Emmett's expected stream version (events in the stream). */
const expectedVersion = (r: AppendRequest) =>
  r.expectedRevision === 'no-stream' ? STREAM_DOES_NOT_EXIST : r.expectedRevision === 'any' ? undefined : BigInt(r.expectedRevision + 1)

const leadEventTypes = [
  'LeadCaptured',
  'LeadActionRecorded',
  'LeadContacted',
  'LeadNurturingStarted',
  'LeadQualified',
  'LeadConverted',
  'LeadDisqualified',
  'LeadReopened',
]

/**
 * The lead summary after `event`, by leadstream's projectBatch of that one event. The Emmett event is the JSON
 * leadstream generated and Emmett stored, read back: a DomainEvent in shape (the cast is that knowledge).
 */
const evolve = (doc: LeadSummary | null, event: ReadEvent<LeadsEvent, ReadEventMetadataWithGlobalPosition>): LeadSummary => {
  const recorded: RecordedEvent = {
    eventId: event.metadata.messageId,
    streamId: event.metadata.streamName,
    revision: Number(event.metadata.streamPosition) - 1,
    position: Number(event.metadata.globalPosition),
    event: { type: event.type, data: event.data } as unknown as DomainEvent,
    metadata: {},
    recordedAt: '',
  }
  const leads = new Map<string, LeadSummary>(doc === null ? [] : [[doc.leadId, doc]])
  const changes = projectBatch([recorded], { leads, offers: new Map(), leadsOfOffer: new Map() })
  if (E.isLeft(changes)) throw new Error(`projection of ${recorded.streamId}@${recorded.revision}: ${changes.left.reason}`)
  const next = changes.right.leads[0] ?? doc
  if (next === null) throw new Error(`projection of ${recorded.streamId}@${recorded.revision}: no lead`)
  return next
}

// -- Emmett on SQLite ---------------------------------------------------------------------------------------

/** Emmett's SQLite event store in `dir`, on one connection (its pool would otherwise open a database per append). */
export const emmettSqliteSide = async (dir: string): Promise<Side & { readonly synchronous: () => Promise<string> }> => {
  const fileName = join(dir, 'emmett.db')
  const connection: SQLiteConnection = sqliteConnection({ fileName })
  const store = getSQLiteEventStore({ fileName, connectionOptions: { singleton: true, connection } })
  await store.schema.migrate()
  const appendOne = async (r: AppendRequest) => {
    const expected = expectedVersion(r)
    await store.appendToStream(r.streamId, toEmmett(r), expected === undefined ? {} : { expectedStreamVersion: expected })
    return 0
  }
  return {
    // Emmett appends one stream per call; its connection nests transactions, so a batch is one SQLite transaction.
    appendBatch: (requests) =>
      connection.withTransaction(async () => {
        for (const r of requests) await appendOne(r)
        return 0
      }),
    appendOne,
    project: async (batch) => {
      // A document table of the shape Pongo gives on PostgreSQL (Emmett 0.42 has no Pongo for SQLite): id → JSON.
      await connection.command('CREATE TABLE IF NOT EXISTS leads (id TEXT PRIMARY KEY, data TEXT NOT NULL)')
      // Not readLastMessageGlobalPosition: in 0.42.4 it orders ascending and answers the first position.
      const last = await connection.querySingle<{ head: number | null }>(`SELECT max(global_position) AS head FROM ${messagesTable.name}`)
      const head = BigInt(last?.head ?? 0)
      const projection = sqliteProjection<LeadsEvent>({
        name: 'leads',
        canHandle: leadEventTypes,
        handle: async (events, { connection: c }) => {
          for (const e of events) {
            // node-sqlite3 answers undefined, not the null its type says, when there is no row.
            const row = (await c.querySingle<{ data: string }>('SELECT data FROM leads WHERE id = ?', [e.metadata.streamName])) ?? null
            const next = evolve(row === null ? null : (JSON.parse(row.data) as LeadSummary), e)
            await c.command('INSERT INTO leads (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data', [
              e.metadata.streamName,
              JSON.stringify(next),
            ])
          }
        },
      })
      // The async projection: Emmett's consumer pulls `batch` events at a time, one transaction per batch with
      // its checkpoint, from the beginning until the last event stored before it started.
      const consumer = store.consumer<LeadsEvent>({ pulling: { batchSize: batch, pullingFrequencyInMs: 10 } })
      consumer.processor({ projection, startFrom: 'BEGINNING', stopAfter: (m) => m.metadata.globalPosition >= head })
      await consumer.start()
      await consumer.stop()
      return (await connection.querySingle<{ n: number }>('SELECT count(*) AS n FROM leads'))?.n ?? 0
    },
    synchronous: async () => String((await connection.querySingle<{ synchronous: number }>('PRAGMA synchronous'))?.synchronous ?? '?'),
    close: async () => connection.close(),
  }
}

// -- Emmett on PostgreSQL -----------------------------------------------------------------------------------

/**
 * node-postgres's parsers of bigint and JSON columns. Emmett's driver (dumbo) replaces them process-wide the
 * first time it opens a pool (bigint as BigInt); leadstream's PostgreSQL code, in this process too, expects
 * the defaults. So the step keeps them and puts back whichever side's set the code about to run needs.
 */
export const pgTypeParsers = () => {
  const oids = [20, 114, 3802]
  const kept = oids.map((oid) => [oid, pg.types.getTypeParser(oid)] as const)
  return { restore: () => kept.forEach(([oid, parse]) => pg.types.setTypeParser(oid, parse)) }
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`

/** A fresh database of its own on the server at `url` (dropped again by `drop`), so nothing else is touched. */
export const emmettDatabase = async (url: string, name: string) => {
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: url })
    await c.connect()
    try {
      await c.query(sql)
    } finally {
      await c.end()
    }
  }
  await admin(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`)
  await admin(`CREATE DATABASE ${quote(name)}`)
  const u = new URL(url)
  u.pathname = `/${name}`
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${quote(name)} WITH (FORCE)`) }
}

/** Emmett's PostgreSQL event store at `url` (a database of its own), with its default pool. */
export const emmettPostgresSide = async (url: string): Promise<Side> => {
  const store = getPostgreSQLEventStore(url)
  await store.schema.migrate()
  const pool = dumbo({ connectionString: url })
  const appendOne = async (r: AppendRequest) => {
    const expected = expectedVersion(r)
    await store.appendToStream(r.streamId, toEmmett(r), expected === undefined ? {} : { expectedStreamVersion: expected })
    return 0
  }
  return {
    // Emmett's event store has no multi-stream append. Appends in flight together (each its own transaction)
    // were tried: its processors read in transaction order but checkpoint by global position, so the rebuild
    // then skipped events. A batch is instead one transaction, as on SQLite: appendToStream, the function its
    // event store calls, opens its transaction through the pool it is given, and this pool hands it the batch's.
    appendBatch: async (requests) => {
      await pool.withTransaction(async (tx) => {
        const joined = { ...pool, withTransaction: <R>(handle: (t: typeof tx) => Promise<R>) => handle(tx) } as unknown as NodePostgresPool
        for (const r of requests) {
          const expected = expectedVersion(r)
          const [type] = r.streamId.split('-')
          const appended = await appendToStream(
            joined,
            r.streamId,
            type ?? 'lead',
            toEmmett(r),
            expected === undefined ? {} : { expectedStreamVersion: expected },
          )
          if (!appended.success) throw new Error(`Emmett append to ${r.streamId}: expected version conflict`)
        }
      })
      return 0
    },
    appendOne,
    // Emmett's reader sees only events whose transaction is older than the oldest one still open on the whole
    // server (pg_snapshot_xmin); on a shared server a long transaction elsewhere hides the newest events, and a
    // rebuild that stops when it sees none left would stop short. So it starts once all are visible.
    settle: async () => {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      try {
        await eventually(
          'every Emmett event visible to its reader (an older transaction open on the server holds them back)',
          async () => {
            // Cast to int: Emmett's driver makes node-postgres read every bigint as a BigInt, process-wide.
            const r = await c.query<{ hidden: number }>(
              'SELECT count(*)::int AS hidden FROM emt_messages WHERE transaction_id >= pg_snapshot_xmin(pg_current_snapshot())',
            )
            return r.rows[0]?.hidden === 0 ? true : undefined
          },
          120_000,
          200,
        )
      } finally {
        await c.end()
      }
    },
    project: async (batch) => {
      // Emmett's rebuild of a Pongo single-stream projection: one document per lead in the `leads` collection.
      // A Pongo document is a plain record: the summary sits under one key of it.
      const projection = pongoSingleStreamProjection<{ summary: LeadSummary }, LeadsEvent, PostgresReadEventMetadata, LeadsEvent>({
        collectionName: 'leads',
        canHandle: leadEventTypes,
        evolve: (doc: { summary: LeadSummary } | null, event: ReadEvent<LeadsEvent, PostgresReadEventMetadata>) => ({
          summary: evolve(doc?.summary ?? null, event),
        }),
      })
      const consumer = rebuildPostgreSQLProjections<LeadsEvent>({ connectionString: url, projections: [projection], pulling: { batchSize: batch } })
      await consumer.start()
      await consumer.close()
      const pongo = pongoClient(url)
      try {
        return Number(await pongo.db().collection<{ summary: LeadSummary }>('leads').countDocuments())
      } finally {
        await pongo.close()
      }
    },
    close: async () => {
      await pool.close()
      await store.close()
    },
  }
}
