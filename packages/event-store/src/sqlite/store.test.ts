// The SQLite event store against the shared contract, plus what only the embedded store promises.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eventStoreContract } from '../contract.js'
import { sqliteEventStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-es-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
eventStoreContract('sqlite', async () => sqliteEventStore({ path: join(dir, 'events.db'), pollMs: 20 }))
