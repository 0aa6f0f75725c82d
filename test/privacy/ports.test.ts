// The privacy ports both servers build (privacyPorts): the erasure's scrub waits for the views through the view
// store's awaitPosition, bounded by the configured wait, and says so when they do not get there; it returns as soon
// as they do. Real SQLite files (the scrub checkpoints them), a real view store the test feeds.
import * as E from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteDeadLetters, sqliteParkedEvents } from '@leadstream/dead-letters'
import { campaignOf, event, offer, streamOfLead } from '@leadstream/domain'
import { sqliteEventStore } from '@leadstream/event-store'
import { privacyPorts } from '@leadstream/ingest'
import { masterKey, newKey, sqliteErasureAudit, sqliteKeyStore } from '@leadstream/privacy'
import { leadsLogic } from '@leadstream/projector'
import { createLogger, createMetrics } from '@leadstream/runtime'
import { sqliteViewStore } from '@leadstream/view-store'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-privacy-ports-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))

const test = suite('privacyPorts')

test('scrub :: waits for the views up to the configured wait and warns when they stay behind; returns once they arrive', async () => {
  const store = sqliteEventStore({ path: join(dir, 'events.db') })
  const views = sqliteViewStore({ path: join(dir, 'views.db') })
  const keys = await sqliteKeyStore({ path: join(dir, 'keys.db'), master: { current: masterKey(newKey()), previous: [] } })
  const deadLetters = sqliteDeadLetters({ path: join(dir, 'dl.db'), subjectsOf: () => [] })
  const audit = sqliteErasureAudit({ path: join(dir, 'audit.db') })
  const parked = sqliteParkedEvents({ path: join(dir, 'parked.db') })
  const logger = createLogger('test', 'silent')
  const warnings: string[] = []
  logger.warn = ((_: unknown, msg?: string) => void warnings.push(msg ?? '')) as typeof logger.warn
  try {
    const ports = privacyPorts({
      store,
      personal: { keys, secret: { bytes: Buffer.alloc(32) } },
      deadLetters,
      parked,
      answers: { forgetLeads: async () => 0 },
      audit,
      views,
      dataDir: dir,
      inbound: null,
      viewsWaitMs: 300,
      now: () => new Date(),
      newId: () => 'e-1',
      metrics: createMetrics(),
      logger,
    })
    const captured = event('LeadCaptured', {
      leadId: 'p-1',
      storefront: 'AppSource',
      campaign: campaignOf('AppSource'),
      leadSource: 'SPZA',
      action: 'PLT',
      offer: offer('contoso.p', null),
      country: 'GB',
      personal: null,
      campaigns: [],
      isTest: false,
      doNotContact: false,
      format: 'native',
      occurredAt: '2026-11-25T10:00:00.000Z',
    })
    const appended = await store.append({
      streamId: streamOfLead('p-1'),
      expectedRevision: 'no-stream',
      events: [{ eventId: 'c-p-1', event: captured, metadata: {} }],
    })()
    assert.ok(E.isRight(appended) && appended.right._tag === 'Appended')

    // The views are at 0: the scrub waits the configured 300 ms, then goes on with a warning.
    let t0 = Date.now()
    await ports.scrub(1)
    const waited = Date.now() - t0
    assert.ok(waited >= 280 && waited < 3000, `waited ${waited} ms`)
    assert.equal(warnings, ['erasure: the views did not apply the erasure in time; their WAL is emptied at the next erasure or checkpoint'])
    assert.is(await ports.viewsAt(1), false)

    // The views apply the event 50 ms into the wait: the scrub returns then, without a warning.
    setTimeout(() => {
      void (async () => {
        const read = await store.readAll(0, 10)()
        if (E.isRight(read))
          await views.applyBatch(
            'leads',
            0,
            read.right.map((e) => ({ offset: e.position, event: e })),
            leadsLogic,
          )
      })()
    }, 50)
    t0 = Date.now()
    await ports.scrub(1)
    assert.ok(Date.now() - t0 < 280, `returned after ${Date.now() - t0} ms`)
    assert.is(warnings.length, 1)
    assert.is(await ports.viewsAt(1), true)
  } finally {
    await Promise.all([store.close(), views.close(), keys.close(), deadLetters.close(), audit.close(), parked.close()])
  }
})

test.run()
