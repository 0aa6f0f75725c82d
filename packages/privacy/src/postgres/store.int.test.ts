// The PostgreSQL key store against the port's contract, on a real server (LEADSTREAM_TEST_POSTGRES_URL).
import { dropSchemas, requirePostgres } from '../../../../test/support/postgres.js'
import { keyStoreContract } from '../contract.js'
import type { KeyStore } from '../port.js'
import { postgresKeyStore } from './store.js'

const url = await requirePostgres('postgres key store contract')
if (url !== null) {
  const schemas: string[] = []
  const schemaOf = new WeakMap<KeyStore, string>()
  keyStoreContract('postgres', async (master, reuse) => {
    const schema = reuse === undefined ? `privacy_keys_test_${process.pid}_${schemas.length}` : (schemaOf.get(reuse) ?? 'missing')
    if (reuse === undefined) schemas.push(schema)
    const store = await postgresKeyStore({ connectionString: url, schema, master })
    schemaOf.set(store, schema)
    return store
  })
  process.once('beforeExit', () => void dropSchemas(url, schemas.splice(0)))
}
