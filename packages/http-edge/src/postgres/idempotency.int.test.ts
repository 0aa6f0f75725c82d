// The PostgreSQL answer store against the idempotency contract, on a real server (LEADSTREAM_TEST_POSTGRES_URL).
import { dropSchemas, requirePostgres } from '../../../../test/support/postgres.js'
import { idempotencyContract } from '../idempotencyContract.js'
import { postgresIdempotencyKeys } from './idempotency.js'

const url = await requirePostgres('postgres idempotency answers contract')
if (url !== null) {
  const schemas: string[] = []
  idempotencyContract('postgres', async () => {
    const schema = `idem_test_${process.pid}_${schemas.length}`
    schemas.push(schema)
    return postgresIdempotencyKeys({ connectionString: url, schema })
  })
  process.once('beforeExit', () => void dropSchemas(url, schemas.splice(0)))
}
