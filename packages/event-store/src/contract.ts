// The one contract every event store adapter passes (SQLite here; EventStoreDB when EVENTSTORE_URL is set).
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { event, type NewEvent } from '@leadstream/domain'
import type { EventStore } from './port.js'

let counter = 0
const uid = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`

const contacted = (leadId: string, eventId = uid('ev')): NewEvent => ({
  eventId,
  event: event('LeadContacted', { leadId, by: 'tester', at: '2026-11-25T10:00:00.000Z', personal: null, channel: null }),
  metadata: { by: 'tester' },
})

const ok = async <A>(te: () => Promise<E.Either<unknown, A>>): Promise<A> => {
  const r = await te()
  if (E.isLeft(r)) throw new Error(`expected success, got ${JSON.stringify(r.left)}`)
  return r.right
}

/** Registers the contract suite for one adapter. `make` gives a fresh or shared store; streams are unique per case. */
export const eventStoreContract = (name: string, make: () => Promise<EventStore>): void => {
  const test = suite<{ store: EventStore }>(`event store contract :: ${name}`)
  test.before(async (ctx) => {
    ctx.store = await make()
  })
  test.after(async (ctx) => {
    await ctx.store.close()
  })

  test('append :: a new stream starts at revision 0 and reads back in order', async ({ store }) => {
    const s = uid('lead')
    const r = await ok(store.append({ streamId: s, expectedRevision: 'no-stream', events: [contacted(s), contacted(s)] }))
    assert.is(r._tag, 'Appended')
    assert.is(r.lastRevision, 1)
    const read = await ok(store.readStream(s))
    assert.is(read.revision, 1)
    assert.equal(
      read.events.map((e) => e.revision),
      [0, 1],
    )
    assert.is(read.events[0]?.event.type, 'LeadContacted')
    assert.ok((read.events[1]?.position ?? 0) > (read.events[0]?.position ?? 0))
  })

  test('append :: a wrong expected revision is refused and writes nothing', async ({ store }) => {
    const s = uid('lead')
    await ok(store.append({ streamId: s, expectedRevision: 'no-stream', events: [contacted(s)] }))
    const r = await store.append({ streamId: s, expectedRevision: 'no-stream', events: [contacted(s)] })()
    assert.ok(E.isLeft(r) && r.left._tag === 'WrongExpectedRevision')
    const r2 = await store.append({ streamId: s, expectedRevision: 5, events: [contacted(s)] })()
    assert.ok(E.isLeft(r2) && r2.left._tag === 'WrongExpectedRevision')
    assert.is((await ok(store.readStream(s))).events.length, 1)
    const r3 = await ok(store.append({ streamId: s, expectedRevision: 0, events: [contacted(s)] }))
    assert.is(r3.lastRevision, 1)
  })

  test('append :: re-appending the same event ids is a Duplicate, even with a stale revision', async ({ store }) => {
    const s = uid('lead')
    const evs = [contacted(s), contacted(s)]
    const first = await ok(store.append({ streamId: s, expectedRevision: 'no-stream', events: evs }))
    const again = await ok(store.append({ streamId: s, expectedRevision: 'no-stream', events: evs }))
    assert.is(again._tag, 'Duplicate')
    assert.is(again.lastPosition, first.lastPosition)
    assert.is((await ok(store.readStream(s))).events.length, 2)
  })

  test('append :: some ids stored and some new is refused as a partial duplicate', async ({ store }) => {
    const s = uid('lead')
    const a = contacted(s)
    await ok(store.append({ streamId: s, expectedRevision: 'no-stream', events: [a] }))
    const r = await store.append({ streamId: s, expectedRevision: 0, events: [a, contacted(s)] })()
    assert.ok(E.isLeft(r) && r.left._tag === 'PartialDuplicate')
  })

  test('appendMany :: each request is judged on its own', async ({ store }) => {
    const s1 = uid('lead')
    const s2 = uid('lead')
    await ok(store.append({ streamId: s2, expectedRevision: 'no-stream', events: [contacted(s2)] }))
    const results = await store.appendMany([
      { streamId: s1, expectedRevision: 'no-stream', events: [contacted(s1)] },
      { streamId: s2, expectedRevision: 'no-stream', events: [contacted(s2)] },
    ])()
    assert.ok(E.isRight(results[0]!))
    assert.ok(E.isLeft(results[1]!))
    assert.is((await ok(store.readStream(s1))).events.length, 1)
  })

  test('readStream :: a missing stream has revision -1 and no events', async ({ store }) => {
    const read = await ok(store.readStream(uid('missing')))
    assert.is(read.revision, -1)
    assert.is(read.events.length, 0)
  })

  test('readAll :: global order from a position, exclusive, limited', async ({ store }) => {
    const before = await ok(store.head())
    const s = uid('lead')
    await ok(store.append({ streamId: s, expectedRevision: 'any', events: [contacted(s), contacted(s), contacted(s)] }))
    const head = await ok(store.head())
    assert.ok(head >= before + 3)
    const all = await ok(store.readAll(before, 1000))
    const mine = all.filter((e) => e.streamId === s)
    assert.is(mine.length, 3)
    const positions = all.map((e) => e.position)
    assert.equal(
      positions,
      [...positions].sort((a, b) => a - b),
    )
    assert.ok(positions.every((p) => p > before))
    const limited = await ok(store.readAll(before, 2))
    assert.is(limited.length, 2)
    const rest = await ok(store.readAll(limited[1]!.position, 1000))
    assert.ok(rest.every((e) => e.position > limited[1]!.position))
  })

  test('waitFor :: resolves when an event lands after the position', async ({ store }) => {
    const head = await ok(store.head())
    const s = uid('lead')
    const started = Date.now()
    const waiting = store.waitFor(head, 5000)
    setTimeout(() => void store.append({ streamId: s, expectedRevision: 'any', events: [contacted(s)] })(), 20)
    await waiting
    assert.ok(Date.now() - started < 4000, 'woke before the timeout')
    assert.ok((await ok(store.head())) > head)
  })

  test('waitFor :: times out when nothing lands', async ({ store }) => {
    const head = await ok(store.head())
    const started = Date.now()
    await store.waitFor(head, 150)
    assert.ok(Date.now() - started >= 100)
  })

  test.run()
}
