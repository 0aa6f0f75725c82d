// The PostgreSQL delivery log against the port's contract, on a real server (LEADSTREAM_TEST_POSTGRES_URL).
import { dropSchemas, requirePostgres } from '../../../../test/support/postgres.js'
import { webhookStoreContract } from '../contract.js'
import { postgresWebhookStore } from './store.js'

const url = await requirePostgres('postgres webhook store contract')
if (url !== null) {
  const schemas: string[] = []
  webhookStoreContract('postgres', async () => {
    const schema = `wh_test_${process.pid}_${schemas.length}`
    schemas.push(schema)
    return postgresWebhookStore({ connectionString: url, schema })
  })
  process.once('beforeExit', () => void dropSchemas(url, schemas.splice(0)))
}
