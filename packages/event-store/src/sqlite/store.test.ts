// The SQLite event store against the shared contract, plus what only the embedded store promises.
import Database from 'better-sqlite3'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { event, type NewEvent } from '@leadstream/domain'
import { eventStoreContract } from '../contract.js'
import { sqliteEventStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-es-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
eventStoreContract('sqlite', async () => sqliteEventStore({ path: join(dir, 'events.db'), pollMs: 20 }))

const contacted = (leadId: string, eventId: string): NewEvent => ({
  eventId,
  event: event('LeadContacted', { leadId, by: 'tester', at: '2026-11-25T10:00:00.000Z', personal: null, channel: null }),
  metadata: { by: 'tester' },
})
const right = <A>(r: E.Either<unknown, A>): A => {
  if (E.isLeft(r)) throw new Error(`expected success, got ${JSON.stringify(r.left)}`)
  return r.right
}

test('sqlite :: event ids are idempotent per stream (as in EventStoreDB): the same id in another stream is another event', async () => {
  const store = sqliteEventStore({ path: join(dir, 'per-stream.db') })
  right(await store.append({ streamId: 'lead-a', expectedRevision: 'no-stream', events: [contacted('a', 'ev-1')] })())
  const other = right(await store.append({ streamId: 'lead-b', expectedRevision: 'no-stream', events: [contacted('b', 'ev-1')] })())
  assert.is(other._tag, 'Appended')
  const again = right(await store.append({ streamId: 'lead-a', expectedRevision: 'any', events: [contacted('a', 'ev-1')] })())
  assert.is(again._tag, 'Duplicate')
  assert.is(again.lastPosition, 1)
  // Two requests of one appendMany on one stream: the second sees the first's rows.
  const [first, second] = await store.appendMany([
    { streamId: 'lead-c', expectedRevision: 'no-stream', events: [contacted('c', 'ev-2')] },
    { streamId: 'lead-c', expectedRevision: 'no-stream', events: [contacted('c', 'ev-2')] },
  ])()
  assert.is(right(first!)._tag, 'Appended')
  assert.is(right(second!)._tag, 'Duplicate')
  await store.close()
})

test('sqlite :: a store written before the per-stream ids migrates: same events, positions and answers', async () => {
  const path = join(dir, 'old.db')
  // The schema as the first two migrations left it, with a global UNIQUE(event_id).
  const old = new Database(path)
  old.pragma('journal_mode = WAL')
  old.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
      type TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream_id, revision));
    CREATE TABLE idempotency_keys (key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, status INTEGER, body TEXT, stored_at TEXT NOT NULL) WITHOUT ROWID;
    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (stored_at);`)
  const insert = old.prepare(
    'INSERT INTO events (position, event_id, stream_id, revision, type, version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  )
  for (const [position, id, stream, revision] of [
    [1, 'x1', 'lead-x', 0],
    [2, 'y1', 'lead-y', 0],
    [5, 'x2', 'lead-x', 1],
  ] as const) {
    const e = contacted(stream.slice(5), id)
    insert.run(
      position,
      id,
      stream,
      revision,
      e.event.type,
      e.event.version,
      JSON.stringify(e.event.data),
      JSON.stringify(e.metadata),
      '2026-11-25T10:00:00.000Z',
    )
  }
  old.pragma('user_version = 2')
  old.close()

  const store = sqliteEventStore({ path })
  const all = right(await store.readAll(0, 100)())
  assert.equal(
    all.map((e) => [e.position, e.eventId, e.streamId, e.revision]),
    [
      [1, 'x1', 'lead-x', 0],
      [2, 'y1', 'lead-y', 0],
      [5, 'x2', 'lead-x', 1],
    ],
  )
  assert.is(right(await store.head()()), 5)
  assert.is(right(await store.append({ streamId: 'lead-x', expectedRevision: 0, events: [contacted('x', 'x2')] })())._tag, 'Duplicate')
  const next = right(await store.append({ streamId: 'lead-x', expectedRevision: 1, events: [contacted('x', 'x3')] })())
  assert.equal([next.lastRevision, next.lastPosition], [2, 6])
  const stale = await store.append({ streamId: 'lead-y', expectedRevision: 'no-stream', events: [contacted('y', 'y2')] })()
  assert.ok(E.isLeft(stale) && stale.left._tag === 'WrongExpectedRevision')
  const indexes = store.db.prepare<[], { sql: string | null }>("SELECT sql FROM sqlite_master WHERE tbl_name = 'events'").all()
  assert.ok(!indexes.some((i) => /event_id\s+TEXT\s+NOT NULL UNIQUE/i.test(i.sql ?? '')), 'the global event id index is gone')
  await store.close()
})
test('sqlite :: a failed fsync answers StoreUnavailable naming the WAL, for that append and every later one', async () => {
  const path = join(dir, 'eio.db')
  let fsyncs = 0
  const store = sqliteEventStore({
    path,
    sync: async () => {
      fsyncs += 1
      throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' })
    },
  })
  for (const id of ['e-1', 'e-2']) {
    const [r] = await store.appendMany([{ streamId: `lead-${id}`, expectedRevision: 'no-stream', events: [contacted(id, id)] }])()
    assert.ok(r !== undefined && E.isLeft(r) && r.left._tag === 'StoreUnavailable')
    assert.match(r.left._tag === 'StoreUnavailable' ? r.left.message : '', `${path}-wal`)
  }
  assert.is(fsyncs, 1, 'the failure stays: no fsync is tried after it')
  await store.close()
})

test('sqlite :: readAll hands on events another store committed only after an fsync of its own', async () => {
  const path = join(dir, 'reader.db')
  const held: Array<() => void> = []
  const hold = () => new Promise<void>((resolve) => held.push(resolve))
  const writer = sqliteEventStore({ path, sync: hold })
  const reader = sqliteEventStore({ path, sync: hold })
  const appended = writer.append({ streamId: 'lead-r', expectedRevision: 'no-stream', events: [contacted('r', 'r-1')] })()
  assert.is(held.length, 1, "the writer's fsync is pending")
  let read = false
  const events = reader
    .readAll(0, 10)()
    .finally(() => {
      read = true
    })
  await new Promise((r) => setImmediate(r))
  assert.is(held.length, 2, 'the reader asked for an fsync of its own')
  assert.not.ok(read, 'nothing handed on before it')
  held[1]?.()
  assert.is(right(await events).length, 1)
  held[0]?.()
  assert.is(right(await appended)._tag, 'Appended')
  // Now known durable (the mark is shared by the stores on the file): read again without an fsync.
  assert.is(right(await reader.readAll(0, 10)()).length, 1)
  assert.is(held.length, 2)
  await writer.close()
  await reader.close()
})

test('sqlite :: a stored idempotency answer another store put is repeated only after an fsync of its own', async () => {
  const path = join(dir, 'answers.db')
  const held: Array<() => void> = []
  const hold = () => new Promise<void>((resolve) => held.push(resolve))
  const writer = sqliteEventStore({ path, sync: hold })
  const reader = sqliteEventStore({ path, sync: hold })
  const put = writer.idempotency.put('k-1', { fingerprint: 'f', status: 201, body: '{}' }, new Date())
  assert.is(held.length, 1, "the writer's fsync is pending")
  let answered = false
  const got = reader.idempotency.get('k-1').finally(() => {
    answered = true
  })
  await new Promise((r) => setImmediate(r))
  assert.is(held.length, 2, 'the reader asked for an fsync of its own')
  assert.not.ok(answered, 'the answer is not repeated before it')
  held[1]?.()
  assert.is((await got)?.status, 201)
  held[0]?.()
  await put
  assert.is(await reader.idempotency.get('k-2'), null, 'a miss waits for nothing')
  assert.is(held.length, 2)
  await writer.close()
  await reader.close()
})

test.run()
