// The window between an append and its Idempotency-Key answer: the process dies after the events commit and
// before the answer is stored. Injected in-process with the real SQLite event store (the kill cannot be aimed at
// that instant from outside): the answer store drops the write, as a process killed there would, then the server
// restarts on the same file. The retry must be recognised (its claim committed with the append), write nothing
// new and never be decided afresh; another request under the same key is still refused.
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters, sqliteParkedEvents } from '@leadstream/dead-letters'
import { defaultSources } from '@leadstream/domain'
import { sqliteEventStore } from '@leadstream/event-store'
import { httpApp, listen, type IdempotencyKeys } from '@leadstream/http-edge'
import { ingestRoutes } from '@leadstream/ingest'
import { createLogger, createMetrics, defaultHttpTimeouts } from '@leadstream/runtime'
import { CommandAnswer, LeadAccepted, LeadDuplicate, Problem, Rejected } from '@leadstream/api'
import { http, typed } from '../support/embedded.js'
import { testPersonalData } from '../support/privacy.js'

const test = suite('idempotency :: lost answers')
const dir = mkdtempSync(join(tmpdir(), 'leadstream-idem-'))
const tokens = { ingest: [], analyst: [], operator: [] }

/** Ingest over the real SQLite files in `dir`; `dropAnswers` makes it die, in effect, right after each append. */
const start = async (dropAnswers: boolean) => {
  const store = sqliteEventStore({ path: join(dir, 'events.db') })
  const deadLetters = sqliteDeadLetters({ path: join(dir, 'dead-letters.db') })
  const keys: IdempotencyKeys = dropAnswers ? { ...store.idempotency, put: async () => undefined } : store.idempotency
  const logger = createLogger('test', 'silent')
  const metrics = createMetrics()
  const personal = await testPersonalData(dir)
  const parked = sqliteParkedEvents({ path: join(dir, 'parked.db') })
  const ports = {
    store,
    seal: personal.seal,
    deadLetters,
    parked,
    parkForMs: 60_000,
    sources: defaultSources,
    identity: personal.identity,
    now: () => new Date(),
    newId: randomUUID,
    metrics,
    logger,
  }
  const app = httpApp([ingestRoutes(ports, { tokens, idempotencyKeys: keys, bodyLimitBytes: 1 << 20, maxBatch: 100, marketplaceSecrets: [] })], {
    metrics,
    logger,
    health: async () => ({ ok: true }),
  })
  const server = await listen(app, { host: '127.0.0.1', port: 0, tokens, logger, timeouts: defaultHttpTimeouts })
  return {
    url: server.url,
    store,
    close: async () => {
      await server.close()
      await store.close()
      await deadLetters.close()
      await parked.close()
      await personal.close()
    },
  }
}

const lead = { UserDetails: { Email: 'window@contoso.com' }, LeadSource: 'SPZA', ActionCode: 'PLT', OfferTitle: 'Contoso CRM' }

test('lost answer :: the retry is recognised by the claim written with the append, and writes nothing new', async () => {
  const dying = await start(true)
  const first = typed(LeadAccepted, await http('POST', `${dying.url}/v1/marketplace/leads`, lead, { 'Idempotency-Key': 'lead-1' }))
  assert.is(first.status, 201)
  const command = { type: 'ContactLead', by: 'sam' }
  const contacted = typed(CommandAnswer, await http('POST', `${dying.url}/v1/leads/${first.body.leadId}/commands`, command, { 'Idempotency-Key': 'contact-1' }))
  assert.is(contacted.status, 201)
  const head = await dying.store.head()()
  assert.equal(head, { _tag: 'Right', right: 2 })
  // The claims are in events.db although no answer was stored.
  assert.equal((await dying.store.idempotency.get('lead-1'))?.status, null)
  assert.ok((await dying.store.idempotency.get('contact-1')) !== null)
  await dying.close()

  const restarted = await start(false)
  try {
    const leadRetry = typed(LeadDuplicate, await http('POST', `${restarted.url}/v1/marketplace/leads`, lead, { 'Idempotency-Key': 'lead-1' }))
    assert.is(leadRetry.headers.get('idempotent-replayed'), 'rebuilt')
    assert.is(leadRetry.body.leadId, first.body.leadId)
    assert.is(leadRetry.body.status, 'duplicate', 'the stored event is found, not a second one written')

    // Decided afresh, ContactLead on a contacted lead would be a 409: the key names the command, so it replays.
    const commandRetry = typed(
      CommandAnswer,
      await http('POST', `${restarted.url}/v1/leads/${first.body.leadId}/commands`, command, { 'Idempotency-Key': 'contact-1' }),
    )
    assert.is(commandRetry.status, 200, JSON.stringify(commandRetry.body))
    assert.is(commandRetry.body.replayed, true)
    assert.equal(commandRetry.body.eventIds, contacted.body.eventIds)
    assert.is(commandRetry.body.position, contacted.body.position)

    // Another request under a key whose answer was lost is still another request.
    const reused = typed(
      Problem,
      await http('POST', `${restarted.url}/v1/leads/${first.body.leadId}/commands`, { type: 'StartNurturing', by: 'sam' }, { 'Idempotency-Key': 'contact-1' }),
    )
    assert.is(reused.status, 422)
    assert.is(reused.body.error.code, 'IdempotencyKeyReused')

    const h = await restarted.store.head()()
    assert.equal(h, head, 'no event was written by the retries')
    // The rebuilt answer is stored now: the next retry is a plain replay.
    const again = await http('POST', `${restarted.url}/v1/marketplace/leads`, lead, { 'Idempotency-Key': 'lead-1' })
    assert.is(again.headers.get('idempotent-replayed'), 'true')
  } finally {
    await restarted.close()
  }
})

test('answers :: a request that appends nothing (rejected) still stores its answer', async () => {
  const server = await start(false)
  try {
    const bad = { ...lead, LeadSource: 'Nowhere' }
    const first = typed(Rejected, await http('POST', `${server.url}/v1/marketplace/leads`, bad, { 'Idempotency-Key': 'bad-1' }))
    assert.is(first.status, 400)
    const again = typed(Rejected, await http('POST', `${server.url}/v1/marketplace/leads`, bad, { 'Idempotency-Key': 'bad-1' }))
    assert.is(again.headers.get('idempotent-replayed'), 'true')
    assert.is(again.body.deadLetterId, first.body.deadLetterId, 'no second dead letter')
  } finally {
    await server.close()
  }
})

test.after(() => rmSync(dir, { recursive: true, force: true }))

test.run()
