// The PostgreSQL dead-letter store against the port's contract, on a real server (LEADSTREAM_TEST_POSTGRES_URL);
// in CI an unreachable one fails the run, locally the suite says loudly that it did not run.
import { dropSchemas, requirePostgres } from '../../../../test/support/postgres.js'
import { deadLettersContract } from '../contract.js'
import { postgresDeadLetters } from './store.js'

const url = await requirePostgres('postgres dead letters contract')
if (url !== null) {
  const schemas: string[] = []
  const schemaOf = new Map<object, string>()
  deadLettersContract(
    'postgres',
    async (subjectsOf) => {
      const schema = `dl_test_${process.pid}_${schemas.length}`
      schemas.push(schema)
      const store = await postgresDeadLetters({ connectionString: url, schema, ...(subjectsOf === undefined ? {} : { subjectsOf }) })
      schemaOf.set(store, schema)
      return store
    },
    async (first) => postgresDeadLetters({ connectionString: url, schema: schemaOf.get(first) ?? 'missing' }),
  )
  process.once('beforeExit', () => void dropSchemas(url, schemas.splice(0)))
}
