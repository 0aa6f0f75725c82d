// The SQLite view store against the shared contract.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { viewStoreContract } from '../contract.js'
import { sqliteViewStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-vs-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
let n = 0
viewStoreContract('sqlite', async () => sqliteViewStore({ path: join(dir, `views-${n++}.db`) }))
