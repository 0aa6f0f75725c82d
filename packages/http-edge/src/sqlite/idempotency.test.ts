// The SQLite answer stores against the idempotency contract: idempotency.db and the event store's own answers.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteEventStore } from '@leadstream/event-store'
import { idempotencyContract } from '../idempotencyContract.js'
import { sqliteIdempotencyKeys } from './idempotency.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-idem-'))
let n = 0

idempotencyContract('idempotency.db', async () => sqliteIdempotencyKeys({ path: join(dir, `idem-${n++}.db`) }))
idempotencyContract('events.db', async () => {
  const store = sqliteEventStore({ path: join(dir, `events-${n++}.db`) })
  return { ...store.idempotency, close: () => store.close() }
})

process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
