// The PostgreSQL erasure audit against the audit contract, on a real server (LEADSTREAM_TEST_POSTGRES_URL).
import { dropSchemas, requirePostgres } from '../../../../test/support/postgres.js'
import { erasureAuditContract } from './contract.js'
import { postgresErasureAudit } from './postgres.js'

const url = await requirePostgres('postgres erasure audit contract')
if (url !== null) {
  const schemas: string[] = []
  erasureAuditContract('postgres', async () => {
    const schema = `audit_test_${process.pid}_${schemas.length}`
    schemas.push(schema)
    return postgresErasureAudit({ connectionString: url, schema })
  })
  process.once('beforeExit', () => void dropSchemas(url, schemas.splice(0)))
}
