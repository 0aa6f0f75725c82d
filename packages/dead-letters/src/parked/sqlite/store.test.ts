// The SQLite parked-events store against the port's contract; a second handle on the file is a restart.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parkedEventsContract } from '../contract.js'
import { sqliteParkedEvents } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-parked-'))
let n = 0
const files = new Map<object, string>()

parkedEventsContract(
  'sqlite',
  async () => {
    const path = join(dir, `parked-${n++}.db`)
    const store = sqliteParkedEvents({ path })
    files.set(store, path)
    return store
  },
  async (first) => sqliteParkedEvents({ path: files.get(first) ?? ':memory:' }),
)

process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
