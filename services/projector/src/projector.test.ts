// Poison events: an event a projection cannot apply stops that projection only (or is parked), the error
// names the event, and after a fix the projection resumes from its checkpoint and applies it.
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters } from '@leadstream/dead-letters'
import { emptyCustomer, event, offer, personalOf, streamOfLead, type NewEvent } from '@leadstream/domain'
import { embeddedEventLog } from '@leadstream/event-log'
import { sqliteEventStore } from '@leadstream/event-store'
import { masterKey, newKey, openingLog, sealEvents, sqliteKeyStore } from '@leadstream/privacy'
import { createLogger, createMetrics } from '@leadstream/runtime'
import { sqliteViewStore, type ProjectionLogic, type ViewStore } from '@leadstream/view-store'
import { leadsLogic, projector, type OnPoison } from './projector.js'
import { setTimeout as sleep } from 'node:timers/promises'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-poison-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))

const capture = (leadId: string) => ({
  eventId: `cap-${leadId}`,
  event: event('LeadCaptured', {
    leadId,
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer('contoso.crm', null),
    country: '',
    // Stored as is (no sealing here): no personal data.
    personal: null,
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-11-25T10:00:00.000Z',
  }),
  metadata: {},
})

/** The leads projection with a defect: it throws on the lead named `poison` until fixed. */
const faulty: ProjectionLogic = {
  needs: leadsLogic.needs,
  project: (events, loaded) => {
    if (events.some((e) => e.event.type === 'LeadCaptured' && e.event.data.leadId === 'poison')) throw new Error('cannot handle this lead')
    return leadsLogic.project(events, loaded)
  },
}

const total = async (views: ViewStore) => (await views.counts('all')).find((r) => r.metric === 'leads' && !r.test)?.n ?? 0

const until = async (check: () => Promise<boolean>, ms = 5000) => {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(20)) if (await check()) return true
  return false
}

const test = suite('projector')

test('poison :: the faulty projection stops at the event and says which; the other keeps going; a fix resumes it', async () => {
  const store = sqliteEventStore({ path: join(dir, 'events-1.db'), pollMs: 10 })
  const append = async (id: string) =>
    E.getOrElseW(() => assert.unreachable('append failed'))(
      await store.append({ streamId: streamOfLead(id), expectedRevision: 'no-stream', events: [capture(id)] })(),
    )
  for (const id of ['a', 'b', 'poison', 'c']) await append(id)
  const ports = { log: embeddedEventLog(store, { idleWaitMs: 50 }), metrics: createMetrics(), logger: createLogger('test', 'silent') }
  const healthy = sqliteViewStore({ path: join(dir, 'healthy.db') })
  const broken = sqliteViewStore({ path: join(dir, 'broken.db') })
  const good = projector({ ...ports, views: healthy })
  const bad = projector({ ...ports, views: broken }, { logic: faulty, maxBatch: 2 })
  good.start()
  bad.start()
  assert.ok(await until(async () => (await bad.status()).state === 'failed'), 'the faulty projection stopped')
  const s = await bad.status()
  assert.is(s.lastError?.eventId, 'cap-poison')
  assert.match(s.lastError?.message ?? '', /cannot handle this lead/)
  assert.is(await total(broken), 2, 'everything before the poison event was applied')
  await append('d')
  assert.ok(await until(async () => (await total(healthy)) === 5), 'the healthy projection kept going')
  await bad.stop()
  // the fix: the same projection name and store, with a working function, resumes from its checkpoint
  const fixed = projector({ ...ports, views: broken }, { maxBatch: 2 })
  fixed.start()
  assert.ok(await until(async () => (await total(broken)) === 5), 'the fixed projection applied the poison event and the rest')
  assert.is((await fixed.status()).lag, 0)
  await Promise.all([good.stop(), fixed.stop()])
  await Promise.all([healthy.close(), broken.close(), store.close()])
})

test('poison :: with onPoison park, the event goes to dead letters and the projection goes on', async () => {
  const store = sqliteEventStore({ path: join(dir, 'events-2.db'), pollMs: 10 })
  for (const id of ['a', 'poison', 'b']) await store.append({ streamId: streamOfLead(id), expectedRevision: 'no-stream', events: [capture(id)] })()
  const deadLetters = sqliteDeadLetters({ path: join(dir, 'dead.db') })
  const views = sqliteViewStore({ path: join(dir, 'parked.db') })
  const park: OnPoison = 'park'
  const p = projector(
    { log: embeddedEventLog(store, { idleWaitMs: 50 }), views, metrics: createMetrics(), logger: createLogger('test', 'silent'), deadLetters },
    { logic: faulty, onPoison: park },
  )
  p.start()
  assert.ok(await until(async () => (await p.status()).lag === 0 && (await total(views)) === 2))
  const s = await p.status()
  assert.is(s.state, 'live')
  assert.is(s.lastError?.eventId, 'cap-poison')
  const parked = await deadLetters.list({ limit: 10 })
  assert.is(parked.length, 1)
  assert.is(parked[0]?.format, 'event')
  assert.match(parked[0]?.payload ?? '', /cap-poison/)
  await p.stop()
  await Promise.all([views.close(), store.close(), deadLetters.close()])
})

/** Three sealed captures in a store; the personal data of `bad` has a flipped tag (altered after sealing). */
const sealedStore = async (path: string) => {
  const keys = await sqliteKeyStore({ path: `${path}-keys.db`, master: { current: masterKey(newKey()), previous: [] } })
  const store = sqliteEventStore({ path: `${path}-events.db`, pollMs: 10 })
  const withContact = (id: string): NewEvent => {
    const c = capture(id)
    const personal = personalOf({ ...emptyCustomer, firstName: 'Ada', email: `${id}@example.com` }, 'call me')
    return { ...c, event: { ...c.event, data: { ...c.event.data, personal } } } as NewEvent
  }
  for (const e of await sealEvents({ keys, secret: { bytes: Buffer.from('projector test') } }, ['a', 'bad', 'b'].map(withContact))) {
    const data = e.event.data as { leadId: string; personal: { tag: string } }
    const tag = Buffer.from(data.personal.tag, 'base64')
    tag[0] = tag[0]! ^ (data.leadId === 'bad' ? 1 : 0)
    const stored = { ...e, event: { ...e.event, data: { ...data, personal: { ...data.personal, tag: tag.toString('base64') } } } } as NewEvent
    const r = await store.append({ streamId: streamOfLead(data.leadId), expectedRevision: 'no-stream', events: [stored] })()
    assert.ok(E.isRight(r))
  }
  return { keys, store }
}

test('tampered record :: follows the poison policy: parked (the rest projected) or stopped at it', async () => {
  const { keys, store } = await sealedStore(join(dir, 'tampered'))
  const deadLetters = sqliteDeadLetters({ path: join(dir, 'tampered-dead.db') })
  const parkViews = sqliteViewStore({ path: join(dir, 'tampered-park.db') })
  const stopViews = sqliteViewStore({ path: join(dir, 'tampered-stop.db') })
  const ports = {
    log: openingLog(embeddedEventLog(store, { idleWaitMs: 50 }), keys),
    metrics: createMetrics(),
    logger: createLogger('test', 'silent'),
    deadLetters,
  }
  const parking = projector({ ...ports, views: parkViews }, { onPoison: 'park' })
  const stopping = projector({ ...ports, views: stopViews }, { onPoison: 'stop' })
  try {
    parking.start()
    stopping.start()
    assert.ok(await until(async () => (await parking.status()).lag === 0 && (await total(parkViews)) === 2), 'parked: the projection went on past it')
    assert.is((await parking.status()).state, 'live')
    const parked = await deadLetters.list({ limit: 10 })
    assert.equal(
      parked.map((d) => d.format),
      ['event'],
    )
    assert.match(parked[0]?.payload ?? '', /cap-bad/)
    assert.match(parked[0]?.problems[0]?.reason ?? '', /fails its authentication/)
    assert.is((await parkViews.lead('a'))?.customer.email, 'a@example.com', 'the good records were opened')
    assert.ok(await until(async () => (await stopping.status()).state === 'failed'), 'stop: the projection stopped at it')
    const s = await stopping.status()
    assert.is(s.lastError?.eventId, 'cap-bad')
    assert.is(await total(stopViews), 1, 'everything before it was applied')
  } finally {
    await Promise.all([parking.stop(), stopping.stop()])
    await Promise.all([parkViews.close(), stopViews.close(), store.close(), keys.close(), deadLetters.close()])
  }
})

test('unknown key :: a projector on the wrong key store stops, even when poison events are parked, and redacts nothing', async () => {
  const { keys, store } = await sealedStore(join(dir, 'unknown'))
  const wrong = await sqliteKeyStore({ path: join(dir, 'unknown-wrong-keys.db'), master: { current: masterKey(newKey()), previous: [] } })
  const deadLetters = sqliteDeadLetters({ path: join(dir, 'unknown-dead.db') })
  const views = sqliteViewStore({ path: join(dir, 'unknown-views.db') })
  const p = projector(
    {
      log: openingLog(embeddedEventLog(store, { idleWaitMs: 50 }), wrong),
      views,
      metrics: createMetrics(),
      logger: createLogger('test', 'silent'),
      deadLetters,
    },
    { onPoison: 'park' },
  )
  try {
    p.start()
    assert.ok(await until(async () => (await p.status()).state === 'failed'))
    assert.match((await p.status()).lastError?.message ?? '', /neither in the key store nor shredded/)
    assert.is(await total(views), 0, 'no lead was projected as erased')
    assert.is(await deadLetters.count('open'), 0, 'nothing was parked: the store is at fault, not the events')
  } finally {
    await p.stop()
    await Promise.all([views.close(), store.close(), keys.close(), wrong.close(), deadLetters.close()])
  }
})

test.run()
