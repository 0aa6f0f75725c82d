// Picks the key store adapter from settings (LEADSTREAM_KEY_STORE) and loads the master key, for every
// composition root. Throws a StartupFault (exit code 7) when the master key does not open the store.
import { join } from 'node:path'
import type { Logger } from '@leadstream/runtime'
import { loadMasterKeys, type MasterKeySettings } from './master.js'
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
  const master = loadMasterKeys(c, logger)
  return c.keyStore === 'postgres'
    ? postgresKeyStore({ connectionString: c.postgresUrl, schema: `${c.postgresSchema}_keys`, master })
    : sqliteKeyStore({ path: join(c.dataDir, KEY_STORE_FILE), master })
}
