// PostgreSQL for tests: the real server (LEADSTREAM_TEST_POSTGRES_URL, default the local trust-auth one).
// Like Kafka: in CI an unreachable server FAILS the run; locally the suite says loudly that it did not run.
import pg from 'pg'

export const postgresUrl = (): string => process.env['LEADSTREAM_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test'

export const requirePostgres = async (suiteName: string): Promise<string | null> => {
  const url = postgresUrl()
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return url
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e)
    if (process.env['CI'] === 'true') throw new Error(`PostgreSQL at ${url} is not reachable in CI: "${suiteName}" needs it (${why})`)
    process.stderr.write(`!!! PostgreSQL at ${url} is not reachable: ${suiteName} did not run (${why})\n`)
    return null
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Drops schemas a test created (best effort, for clean-up). */
export const dropSchemas = async (url: string, schemas: ReadonlyArray<string>): Promise<void> => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s.replace(/"/g, '""')}" CASCADE`)
  } finally {
    await client.end()
  }
}
