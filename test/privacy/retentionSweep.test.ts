// The retention sweep's decisions over real SQLite stores (event store, key store, audit, dead letters, views),
// with a clock the test steps: which time counts (recorded, not occurred), views that lag behind the store, and
// one scrub per sweep however many subjects it erases.
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters, sqliteParkedEvents } from '@leadstream/dead-letters'
import { campaignOf, event, offer, streamOfLead, type LeadEvent } from '@leadstream/domain'
import { sqliteEventStore, type EventStore } from '@leadstream/event-store'
import { sweep, type RetentionPorts } from '@leadstream/ingest'
import { masterKey, newKey, sqliteErasureAudit, sqliteKeyStore } from '@leadstream/privacy'
import { leadsLogic } from '@leadstream/projector'
import { createLogger, createMetrics } from '@leadstream/runtime'
import { sqliteViewStore, type ViewStore } from '@leadstream/view-store'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-retention-sweep-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))

const capture = (leadId: string, occurredAt: string): LeadEvent =>
  event('LeadCaptured', {
    leadId,
    storefront: 'AppSource',
    campaign: campaignOf('AppSource'),
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer(`contoso.${leadId}`, null),
    country: 'GB',
    personal: null,
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt,
  })

const DAY = 24 * 3600 * 1000

interface World {
  readonly store: EventStore
  readonly views: ViewStore
  readonly ports: RetentionPorts
  readonly scrubs: number[]
  readonly waits: number[]
  /** The wall clock of the store (recordedAt) and of the sweep. */
  clock: number
  capture(subject: string, leadId: string, occurredAt: string): Promise<number>
  /** Applies everything the store holds to the views (the projector, in one batch). */
  project(): Promise<void>
  close(): Promise<void>
}

let worlds = 0
const world = async (): Promise<World> => {
  const n = ++worlds
  const w = { clock: Date.parse('2026-01-10T00:00:00Z') } as { clock: number }
  const store = sqliteEventStore({ path: join(dir, `events-${n}.db`), now: () => new Date(w.clock) })
  const views = sqliteViewStore({ path: join(dir, `views-${n}.db`) })
  const keys = await sqliteKeyStore({ path: join(dir, `keys-${n}.db`), master: { current: masterKey(newKey()), previous: [] } })
  const deadLetters = sqliteDeadLetters({ path: join(dir, `dl-${n}.db`), subjectsOf: () => [] })
  const audit = sqliteErasureAudit({ path: join(dir, `audit-${n}.db`) })
  const parked = sqliteParkedEvents({ path: join(dir, `parked-${n}.db`) })
  const scrubs: number[] = []
  const waits: number[] = []
  let ids = 0
  const ports: RetentionPorts = {
    store,
    keys,
    deadLetters,
    parked,
    answers: { forgetLeads: async () => 0 },
    audit,
    views,
    viewsAt: async (p) => {
      waits.push(p)
      return (await views.position()) >= p
    },
    secret: async () => ({ bytes: Buffer.alloc(32) }),
    scrub: async (p) => void scrubs.push(p),
    now: () => new Date(w.clock),
    newId: () => `erasure-${n}-${++ids}`,
    metrics: createMetrics(),
    logger: createLogger('test', 'silent'),
  }
  let applied = 0
  return Object.assign(w, {
    store,
    views,
    ports,
    scrubs,
    waits,
    capture: async (subject: string, leadId: string, occurredAt: string) => {
      await keys.linkLeads([{ subject, leadId }])
      await keys.keysFor([subject])
      const r = await store.append({
        streamId: streamOfLead(leadId),
        expectedRevision: 'no-stream',
        events: [{ eventId: `c-${leadId}`, event: capture(leadId, occurredAt), metadata: {} }],
      })()
      if (E.isLeft(r) || r.right._tag !== 'Appended') throw new Error(`append ${leadId}: ${JSON.stringify(r)}`)
      return r.right.lastPosition
    },
    project: async () => {
      const read = await store.readAll(applied, 1000)()
      if (E.isLeft(read)) throw new Error(read.left._tag)
      const done = await views.applyBatch(
        'leads',
        0,
        read.right.map((event) => ({ offset: event.position, event })),
        leadsLogic,
      )
      if (E.isLeft(done)) throw new Error(JSON.stringify(done.left))
      applied = read.right[read.right.length - 1]?.position ?? applied
    },
    close: async () => {
      await Promise.all([store.close(), views.close(), keys.close(), deadLetters.close(), audit.close(), parked.close()])
    },
  })
}

const erasedIn = async (store: EventStore, leadId: string): Promise<boolean> => {
  const read = await store.readStream(streamOfLead(leadId))()
  return E.isRight(read) && read.right.events.some((e) => e.event.type === 'PersonalDataErased')
}

const test = suite('retention sweep')

test('a lead the views have not applied yet keeps its person: the sweep reads the store, not only the views', async () => {
  const w = await world()
  try {
    await w.capture('sub-amy', 'amy-old', '2026-01-09T00:00:00Z')
    await w.project()
    w.clock = Date.parse('2026-11-25T12:00:00Z')
    // Amy comes back today; the projector has not applied it yet (views lag, or are down).
    await w.capture('sub-amy', 'amy-new', '2026-11-25T12:00:00Z')
    assert.is(await w.views.lead('amy-new'), null, 'the views do not know the new lead yet')
    const run = await sweep(w.ports, { days: 90 }, new Date(w.clock))
    assert.equal([run.subjects, run.leads], [0, 0])
    assert.not.ok(await erasedIn(w.store, 'amy-old'), 'amy is active: her old lead is kept too')
    assert.equal(w.waits, [2], 'the sweep waited for the views to reach the store head first')
  } finally {
    await w.close()
  }
})

test('recorded time counts, not the upstream occurredAt: imported old history is not erased at the first sweep', async () => {
  const w = await world()
  try {
    w.clock = Date.parse('2026-11-20T00:00:00Z')
    // A backfill: events that occurred years ago, recorded (imported) five days before the sweep.
    await w.capture('sub-imp', 'imp-1', '2023-03-01T00:00:00Z')
    await w.project()
    w.clock = Date.parse('2026-11-25T00:00:00Z')
    const first = await sweep(w.ports, { days: 90 }, new Date(w.clock))
    assert.equal([first.subjects, first.leads], [0, 0])
    assert.not.ok(await erasedIn(w.store, 'imp-1'))
    // 90 days after the import it is due.
    w.clock += 91 * DAY
    const later = await sweep(w.ports, { days: 90 }, new Date(w.clock))
    assert.equal([later.subjects, later.leads], [1, 1])
    assert.ok(await erasedIn(w.store, 'imp-1'))
  } finally {
    await w.close()
  }
})

test('one scrub per sweep, at the highest position it wrote, however many subjects it erases', async () => {
  const w = await world()
  try {
    await w.capture('sub-a', 'a-1', '2026-01-09T00:00:00Z')
    await w.capture('sub-b', 'b-1', '2026-01-09T00:00:00Z')
    await w.capture('sub-c', 'c-1', '2026-01-09T00:00:00Z')
    await w.project()
    w.clock = Date.parse('2026-11-25T12:00:00Z')
    const run = await sweep(w.ports, { days: 90 }, new Date(w.clock))
    assert.equal([run.subjects, run.leads], [3, 3])
    const head = await w.store.head()()
    assert.ok(E.isRight(head))
    assert.equal(w.scrubs, [E.isRight(head) ? head.right : -1], 'one scrub, at the last erasure event')
    // Nothing to erase: no scrub at all.
    await w.project()
    const again = await sweep(w.ports, { days: 90 }, new Date(w.clock))
    assert.equal([again.subjects, w.scrubs.length], [0, 1])
  } finally {
    await w.close()
  }
})

test.run()
