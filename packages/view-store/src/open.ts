// Picks the view store adapter from settings (LEADSTREAM_VIEW_STORE), for every composition root, and
// names the storage of each generation of the views: SQLite `views.db` then `views-g<N>.db`; PostgreSQL
// the configured schema then `<schema>_g<N>`. Generation 1's storage also holds the registry.
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import type { ViewStore } from './port.js'
import { postgresViewStore } from './postgres/store.js'
import { sqliteViewStore } from './sqlite/store.js'

export interface ViewStoreChoice {
  readonly viewStore: 'sqlite' | 'postgres'
  readonly dataDir: string
  readonly postgresUrl: string
  readonly postgresSchema: string
}

const sqlitePath = (c: ViewStoreChoice, generation: number) => join(c.dataDir, generation === 1 ? 'views.db' : `views-g${generation}.db`)
const pgSchema = (c: ViewStoreChoice, generation: number) => (generation === 1 ? c.postgresSchema : `${c.postgresSchema}_g${generation}`)

export const openViewStore = async (c: ViewStoreChoice, generation = 1): Promise<ViewStore> =>
  c.viewStore === 'postgres'
    ? postgresViewStore({ connectionString: c.postgresUrl, schema: pgSchema(c, generation) })
    : sqliteViewStore({ path: sqlitePath(c, generation) })

/** Removes a superseded generation: generation 1 (it holds the registry) is emptied, any other deleted. */
export const dropViewStore = async (c: ViewStoreChoice, generation: number, store: ViewStore): Promise<void> => {
  if (generation === 1) return store.clear()
  await store.close()
  if (c.viewStore === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${sqlitePath(c, generation)}${suffix}`, { force: true })
    return
  }
  const client = new pg.Client({ connectionString: c.postgresUrl })
  await client.connect()
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${pgSchema(c, generation).replace(/"/g, '""')}" CASCADE`)
  } finally {
    await client.end()
  }
}
