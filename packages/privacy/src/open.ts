// Picks the key store adapter from settings (LEADSTREAM_KEY_STORE) and loads the master key, for every
// composition root. Throws a StartupFault (exit code 7) when the master key does not open the store.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Logger } from '@leadstream/runtime'
import { MasterKeyError } from './keyStore.js'
import { loadMasterKeys, MASTER_KEY_FILE, type MasterKeySettings } from './master.js'
import type { KeyStore } from './port.js'
import { postgresKeyStore } from './postgres/store.js'
import { sqliteKeyStore } from './sqlite/store.js'

export interface KeyStoreChoice extends MasterKeySettings {
  readonly keyStore: 'sqlite' | 'postgres'
  readonly postgresUrl: string
  readonly postgresSchema: string
}

export const KEY_STORE_FILE = 'keys.db'

export const openKeyStore = async (c: KeyStoreChoice, logger?: Logger): Promise<KeyStore> => {
  // The embedded default creates master.key on first start only: a keys.db without it lost its key, and a new
  // one would open nothing.
  const keysDb = join(c.dataDir, KEY_STORE_FILE)
  if (c.keyStore === 'sqlite' && c.masterKey === '' && c.masterKeyFile === '' && existsSync(keysDb) && !existsSync(join(c.dataDir, MASTER_KEY_FILE)))
    throw new MasterKeyError(`${join(c.dataDir, MASTER_KEY_FILE)} is missing while ${keysDb} holds keys wrapped by it`)
  const master = loadMasterKeys(c, logger)
  return c.keyStore === 'postgres'
    ? postgresKeyStore({ connectionString: c.postgresUrl, schema: `${c.postgresSchema}_keys`, master })
    : sqliteKeyStore({ path: join(c.dataDir, KEY_STORE_FILE), master })
}
