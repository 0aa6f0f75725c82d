// A stored v1 log (fixtures/events-v1.sqlite.sql) read by today's code: LeadContacted v1 rows come back as v3
// with channel null, every transition's clear note comes back open (in memory only, never re-sealed), and the views rebuilt from the log, alone or with new v2 events after it, say what it means.
import Database from 'better-sqlite3'
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  decide,
  emptyCustomer,
  fold,
  LeadContactedV1,
  currentVersion,
  keyedHash,
  marketplaceLeadId,
  needsOf,
  offer,
  projectBatch,
  streamOfLead,
  type LeadCommand,
  type LeadEvent,
  type LeadSummary,
  type RecordedEvent,
} from '@leadstream/domain'
import { sqliteEventStore, type EventStore } from '@leadstream/event-store'
import { openEvents } from '@leadstream/privacy'
import { sqliteViewStore, type ViewStore } from '@leadstream/view-store'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { testIdentitySecret, testPersonalData } from '../support/privacy.js'

// ---------------------------------------------------------------------------------------------------------
// the stored log
// ---------------------------------------------------------------------------------------------------------

const fixtureSql = readFileSync(join(import.meta.dirname, 'fixtures', 'events-v1.sqlite.sql'), 'utf8')
const dir = mkdtempSync(join(tmpdir(), 'leadstream-upcast-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
let files = 0
const freshPath = (name: string): string => join(dir, `${++files}-${name}.db`)

/** The fixture loaded into a new database file, optionally changed by `sql` after loading; returns its path. */
const storedLog = (sql = ''): string => {
  const path = freshPath('events')
  const db = new Database(path)
  db.exec(fixtureSql)
  if (sql !== '') db.exec(sql)
  db.close()
  return path
}

/** The leads of the fixture, as its header lists them. */
const lead = {
  ada: 'mk-ebf2344601aebcd70a1c728fb88a0d6f',
  grace: 'mk-edafe023b733c6862d7815170fb76ba4',
  msftTest: 'mk-7e6e2a1276aecbbc1fe3f543ebfd1734',
  linus: 'mk-e11343e88607863f1980e514cd685001',
  margaret: 'mk-751aaebbaad5f3edb839c4e0d9976f6b',
  edsger: 'mk-c00a2ea6ec37fb6fc1ba6e4a9aecda2d',
  katherine: 'mk-7f3baa2cc651fce08c05fa7e53270ccb',
  barbara: 'mk-9ed75ebf4dc3e5213fcedf922e4fa49c',
  edu: 'mk-1e0632c54feac408b657865d4e638949',
  alan: 'mk-ca5141344efd62f852681c40da5e0603',
} as const

const right = <A>(r: E.Either<unknown, A>, what: string): A => {
  if (E.isLeft(r)) throw new Error(`${what}: ${JSON.stringify(r.left)}`)
  return r.right
}

/** The whole log through the port, a few events a page so paging crosses v1 and v2 rows. */
const readLog = async (store: EventStore): Promise<ReadonlyArray<RecordedEvent>> => {
  const out: RecordedEvent[] = []
  for (;;) {
    const page = right(await store.readAll(out.at(-1)?.position ?? 0, 7)(), 'readAll')
    if (page.length === 0) return out
    out.push(...page)
  }
}

const rawRows = (path: string): ReadonlyArray<{ type: string; version: number; data: string }> => {
  const db = new Database(path, { readonly: true })
  try {
    return db.prepare<[], { type: string; version: number; data: string }>('SELECT type, version, data FROM events ORDER BY position').all()
  } finally {
    db.close()
  }
}

// ---------------------------------------------------------------------------------------------------------
// the views
// ---------------------------------------------------------------------------------------------------------

const logic = { needs: needsOf, project: projectBatch }

/** Projects `events` from zero (or on top of what `into` holds) in batches of five, as the embedded projector does. */
const project = async (events: ReadonlyArray<RecordedEvent>, into?: ViewStore): Promise<ViewStore> => {
  const views = into ?? sqliteViewStore({ path: freshPath('views') })
  for (let i = 0; i < events.length; i += 5) {
    const entries = events.slice(i, i + 5).map((event) => ({ offset: event.position, event }))
    right(await views.applyBatch('views', 0, entries, logic), 'applyBatch')
  }
  return views
}

/** Leads by state (analysts' counts leave test leads out; `test` asks for those instead). */
const byState = async (views: ViewStore, test = false): Promise<Record<string, number>> =>
  Object.fromEntries(
    (await views.counts('all'))
      .filter((r) => r.metric === 'state' && r.test === test)
      .map((r) => [r.bucket, r.n])
      .sort(([a], [b]) => String(a).localeCompare(String(b))),
  )

const count = async (views: ViewStore, dimension: 'storefront' | 'campaign' | 'all', key: string, metric: string, bucket: string): Promise<number> =>
  (await views.counts(dimension)).find((r) => r.key === key && r.metric === metric && r.bucket === bucket && !r.test)?.n ?? 0

const summary = async (views: ViewStore, leadId: string): Promise<LeadSummary> => {
  const s = await views.lead(leadId)
  if (s === null) throw new Error(`no view row for ${leadId}`)
  return s
}

/** Everything the views hold about `leadIds`: every counter and every summary. */
const snapshot = async (views: ViewStore, leadIds: ReadonlyArray<string>) => ({
  position: await views.position(),
  counts: [...(await views.counts('storefront')), ...(await views.counts('campaign')), ...(await views.counts('all'))],
  leads: await Promise.all(leadIds.map((id) => views.lead(id))),
})

const contacts = (s: LeadSummary) => s.history.filter((h) => h.type === 'LeadContacted').map((h) => h.detail)

const leadIdsOf = (events: ReadonlyArray<RecordedEvent>): ReadonlyArray<string> =>
  events.flatMap((r) => (r.event.type === 'LeadCaptured' ? [r.event.data.leadId] : []))

// ---------------------------------------------------------------------------------------------------------
// the v1 log alone
// ---------------------------------------------------------------------------------------------------------

const test = suite('upcast')

test('upcast :: the fixture holds the events table the first migration created, at user_version 1, which opening migrates forward', async () => {
  const shape = (path: string) => {
    const db = new Database(path, { readonly: true })
    try {
      const sql = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'events'").get()?.sql ?? ''
      return { sql: sql.replace(/\s+/g, ' '), version: db.pragma('user_version', { simple: true }) }
    } finally {
      db.close()
    }
  }
  const made = freshPath('made')
  await sqliteEventStore({ path: made }).close()
  const stored = storedLog()
  // The first migration's table, with the global UNIQUE(event_id) that migration 3 removes.
  assert.match(shape(stored).sql, /event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL/)
  assert.is(shape(stored).version, 1)
  // Migration 2 (Idempotency-Key answers beside the events) and 3 (event ids per stream) apply to a v1 file on open.
  await sqliteEventStore({ path: stored }).close()
  assert.equal(shape(stored), shape(made))
})

test('upcast :: every stored row is version 1, and the LeadContacted rows are v1 data without a channel', () => {
  const rows = rawRows(storedLog())
  assert.is(rows.length, 28)
  assert.ok(rows.every((r) => r.version === 1))
  const contacted = rows.filter((r) => r.type === 'LeadContacted')
  assert.is(contacted.length, 6)
  for (const r of contacted) {
    const data: unknown = JSON.parse(r.data)
    assert.ok(E.isRight(LeadContactedV1.decode(data)), r.data)
    assert.not.ok('channel' in (data as object), r.data)
  }
})

test('upcast :: reading the v1 log gives every LeadContacted as v3 with channel null, notes open, and leaves the rows as stored', async () => {
  const path = storedLog()
  const store = sqliteEventStore({ path })
  const events = await readLog(store)
  await store.close()
  assert.equal(
    events.map((r) => r.position),
    Array.from({ length: 28 }, (_, i) => i + 1),
  )
  const contacted = events.flatMap((r) => (r.event.type === 'LeadContacted' ? [r.event] : []))
  assert.is(contacted.length, 6)
  for (const e of contacted) assert.equal([e.version, e.data.channel], [3, null], e.data.leadId)
  assert.equal(
    contacted.find((e) => e.data.leadId === lead.ada)?.data.personal,
    { open: { note: 'called, wants a demo' } },
    'a v1 note reads as open personal data',
  )
  assert.ok(
    contacted.some((e) => e.data.personal === null),
    'a v1 transition without a note reads as none',
  )
  // Captures, actions and transitions are read at their current version with their personal data open (v1 held
  // it in clear; never re-sealed); the offers' classifications have one version.
  assert.ok(
    events.every((r) => r.event.version === currentVersion[r.event.type]),
    'every event is read at its current version',
  )
  const personal = events.flatMap((r) => (r.event.type === 'LeadCaptured' ? [r.event.data.personal] : []))
  assert.ok(
    personal.some((p) => p !== null && 'open' in p),
    'the v1 contact fields read as open personal data',
  )
  assert.ok(
    rawRows(path).every((r) => r.version === 1),
    'reading never rewrites the log',
  )
})

test('upcast :: a rebuild over the v1 log gives the views the log means', async () => {
  const store = sqliteEventStore({ path: storedLog() })
  const events = await readLog(store)
  await store.close()
  const views = await project(events)

  assert.is(await views.position(), 28)
  assert.equal(await byState(views), { captured: 2, contacted: 2, converted: 1, disqualified: 2, nurturing: 1, qualified: 1 })
  assert.equal(await byState(views, true), { captured: 1 }, "Microsoft's test lead, counted apart")
  assert.is(await count(views, 'all', 'all', 'leads', 'total'), 9)
  assert.is(await count(views, 'storefront', 'AppSource', 'leads', 'total'), 5)
  assert.is(await count(views, 'storefront', 'AzureMarketplace', 'leads', 'total'), 4)
  assert.is(await count(views, 'all', 'all', 'offerKind', 'saas'), 5, 'the CRM connector was classified after three of its leads')
  assert.is(await count(views, 'all', 'all', 'offerKind', 'unclassified'), 4)

  const ada = await summary(views, lead.ada)
  assert.equal(
    ada.history.map((h) => h.type),
    ['LeadCaptured', 'LeadContacted', 'LeadQualified', 'LeadConverted'],
  )
  assert.equal(contacts(ada), [{ note: 'called, wants a demo', channel: null }])
  const edsger = await summary(views, lead.edsger)
  assert.equal(
    [edsger.state, edsger.history.map((h) => h.type)],
    ['nurturing', ['LeadCaptured', 'LeadContacted', 'LeadDisqualified', 'LeadReopened', 'LeadNurturingStarted']],
  )
  assert.equal(contacts(await summary(views, lead.linus)), [{ note: null, channel: null }])
  assert.equal((await summary(views, lead.katherine)).actions, ['Create', 'INS'])

  // The store, fed five events at a time, holds what one pure fold of the whole log gives.
  const folded = right(projectBatch(events, { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() }), 'projectBatch')
  for (const s of folded.leads) assert.equal(await views.lead(s.leadId), s, s.leadId)
  await views.close()
})

test('upcast :: a v1 log rebuilds into the same views as its v2 equivalent', async () => {
  // The same log as if it had been written after v2: LeadContacted at version 2 with channel null.
  const v2Equivalent = storedLog(`UPDATE events SET version = 2, data = json_set(data, '$.channel', NULL) WHERE type = 'LeadContacted';`)
  assert.equal(
    rawRows(v2Equivalent)
      .filter((r) => r.type === 'LeadContacted')
      .map((r) => [r.version, (JSON.parse(r.data) as { channel?: unknown }).channel]),
    Array.from({ length: 6 }, () => [2, null]),
  )
  const read = async (path: string) => {
    const store = sqliteEventStore({ path })
    const events = await readLog(store)
    await store.close()
    return events
  }
  const fromV1 = await read(storedLog())
  const fromV2 = await read(v2Equivalent)
  assert.equal(fromV1, fromV2, 'the events read back are the same')

  const ids = leadIdsOf(fromV1)
  assert.is(ids.length, 10)
  const v1Views = await project(fromV1)
  const v2Views = await project(fromV2)
  assert.equal(await snapshot(v1Views, ids), await snapshot(v2Views, ids))
  await v1Views.close()
  await v2Views.close()
})

// ---------------------------------------------------------------------------------------------------------
// the v1 log with v2 events after it
// ---------------------------------------------------------------------------------------------------------

const now = '2026-12-01T09:00:00.000Z'
const crm = offer('contoso.crm-connector', 'Contoso CRM Connector')
const newcomer = { ...emptyCustomer, firstName: 'Frances', lastName: 'Allen', email: 'frances@optimizing.example', country: 'US' }
const newcomerId = marketplaceLeadId(keyedHash(Buffer.from(testIdentitySecret)), 'AppSource', crm, newcomer, {})

/** What the ingest service does with a command: decide on the stream as stored, append at its revision. */
const run = async (store: EventStore, command: LeadCommand, eventId: string): Promise<E.Either<string, ReadonlyArray<LeadEvent>>> => {
  const streamId = streamOfLead(command.leadId)
  const stream = right(await store.readStream(streamId)(), 'readStream')
  const decided = decide(command, fold(stream.events.map((r) => r.event as LeadEvent)))
  if (E.isLeft(decided)) return E.left(decided.left._tag)
  const events = decided.right.map((event, i) => ({ eventId: `${eventId}:${i}`, event, metadata: { by: 'by' in command ? command.by : 'ingest' } }))
  right(await store.append({ streamId, expectedRevision: stream.revision, events })(), 'append')
  return E.right(decided.right)
}

test('upcast :: v2 contacts appended to the v1 log project beside the v1 ones, from zero and incrementally', async () => {
  const path = storedLog()
  // As ingest does: what it appends has its personal data sealed (the newcomer's capture).
  const personal = await testPersonalData(freshPath('keys'))
  const store = personal.sealing(sqliteEventStore({ path }))
  const before = await readLog(store)
  const incremental = await project(before)

  // The decider folds upcast v1 events like any other: Katherine was contacted in the v1 log.
  const contactBy = (leadId: string, channel: 'phone' | 'email', note: string | null = null) =>
    ({ type: 'ContactLead', leadId, by: 'sam@contoso.example', at: now, note, channel }) as const
  assert.equal(await run(store, contactBy(lead.katherine, 'phone'), 'k'), E.left('TransitionNotAllowed'))

  const barbara = await run(store, contactBy(lead.barbara, 'phone'), 'b')
  assert.equal(
    barbara,
    E.right([{ type: 'LeadContacted', version: 3, data: { leadId: lead.barbara, by: 'sam@contoso.example', at: now, personal: null, channel: 'phone' } }]),
  )
  const capture: LeadCommand = {
    type: 'CaptureLead',
    leadId: newcomerId,
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'PLT',
    offer: crm,
    customer: newcomer,
    description: null,
    campaigns: [],
    isTest: false,
    format: 'marketplace-https',
    occurredAt: now,
  }
  assert.ok(E.isRight(await run(store, capture, 'f')))
  assert.ok(E.isRight(await run(store, contactBy(newcomerId, 'email', 'wrote to Frances Allen'), 'f2')))

  // The projectors read through the key store (openingLog): the note the store holds sealed opens again.
  const after = await openEvents(personal.keys, await readLog(store))
  await store.close()
  await personal.close()
  assert.equal(
    rawRows(path)
      .filter((r) => r.type === 'LeadContacted')
      .map((r) => r.version),
    [1, 1, 1, 1, 1, 1, 3, 3],
    'the log now holds both versions',
  )
  assert.not.ok(
    rawRows(path).some((r) => r.data.includes('Frances Allen')),
    'the new note is stored sealed',
  )
  assert.is(after.length, 31)

  const rebuilt = await project(after)
  assert.equal(await byState(rebuilt), { captured: 1, contacted: 4, converted: 1, disqualified: 2, nurturing: 1, qualified: 1 })
  assert.is(await count(rebuilt, 'all', 'all', 'leads', 'total'), 10)
  assert.is(await count(rebuilt, 'all', 'all', 'offerKind', 'saas'), 6, 'the newcomer is of the classified offer')
  assert.equal(contacts(await summary(rebuilt, lead.ada)), [{ note: 'called, wants a demo', channel: null }], 'old: not recorded')
  assert.equal(contacts(await summary(rebuilt, lead.barbara)), [{ note: null, channel: 'phone' }], 'new: recorded')
  assert.equal(contacts(await summary(rebuilt, newcomerId)), [{ note: 'wrote to Frances Allen', channel: 'email' }], 'opened with the lead’s subject key')

  // A projector that had the v1 log already takes the new events on top and ends where the rebuild does.
  await project(after.slice(before.length), incremental)
  const ids = leadIdsOf(after)
  assert.equal(await snapshot(incremental, ids), await snapshot(rebuilt, ids))
  await rebuilt.close()
  await incremental.close()
})

test.run()
