// The PostgreSQL parked-events store against the port's contract, on a real server (LEADSTREAM_TEST_POSTGRES_URL).
import { dropSchemas, requirePostgres } from '../../../../../test/support/postgres.js'
import { parkedEventsContract } from '../contract.js'
import { postgresParkedEvents } from './store.js'

const url = await requirePostgres('postgres parked events contract')
if (url !== null) {
  const schemas: string[] = []
  const schemaOf = new Map<object, string>()
  parkedEventsContract(
    'postgres',
    async () => {
      const schema = `crmin_parked_test_${process.pid}_${schemas.length}`
      schemas.push(schema)
      const store = await postgresParkedEvents({ connectionString: url, schema })
      schemaOf.set(store, schema)
      return store
    },
    async (first) => postgresParkedEvents({ connectionString: url, schema: schemaOf.get(first) ?? 'missing' }),
  )
  process.once('beforeExit', () => void dropSchemas(url, schemas.splice(0)))
}
