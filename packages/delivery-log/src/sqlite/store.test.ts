// The SQLite delivery log against the port's contract.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { webhookStoreContract } from '../contract.js'
import { sqliteWebhookStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-wh-'))
let n = 0
webhookStoreContract('sqlite', async () => sqliteWebhookStore({ path: join(dir, `wh-${n++}.db`) }))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
