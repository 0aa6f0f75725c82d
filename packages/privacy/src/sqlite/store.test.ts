// The SQLite key store against the port's contract; every handle on one file shares its keys.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { keyStoreContract } from '../contract.js'
import type { KeyStore } from '../port.js'
import { sqliteKeyStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-keys-'))
let n = 0
const files = new WeakMap<KeyStore, string>()

keyStoreContract('sqlite', async (master, reuse) => {
  const path = reuse === undefined ? join(dir, `keys-${n++}.db`) : (files.get(reuse) ?? ':memory:')
  const store = await sqliteKeyStore({ path, master })
  files.set(store, path)
  return store
})

process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
