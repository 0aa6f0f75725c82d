// The SQLite dead-letter store against the port's contract; two handles on one file share what they record.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deadLettersContract } from '../contract.js'
import { sqliteDeadLetters } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-dl-'))
let n = 0
const files = new Map<object, string>()

deadLettersContract(
  'sqlite',
  async (subjectsOf) => {
    const path = join(dir, `dl-${n++}.db`)
    const store = sqliteDeadLetters({ path, ...(subjectsOf === undefined ? {} : { subjectsOf }) })
    files.set(store, path)
    return store
  },
  async (first) => sqliteDeadLetters({ path: files.get(first) ?? ':memory:' }),
)

process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
