// Picks the view store adapter from settings (LEADSTREAM_VIEW_STORE), for every composition root, and
// names the storage of each generation of the views: SQLite `views.db` then `views-g<N>.db`; PostgreSQL
// the configured schema then `<schema>_g<N>`. Generation 1's storage also holds the registry.
import { readdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { createLogger, type Logger } from '@leadstream/runtime'
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

/**
 * A damaged views file is set aside and an empty one takes its place; the projector's catch-up rebuilds it
 * from the events (its checkpoint lived in the damaged file). views.db also holds the registry of
 * generations, so when it goes, the generation files it named go with it: a new registry would otherwise
 * reopen them as if they were empty.
 */
const setAsideViews = (c: ViewStoreChoice, generation: number, logger: Logger) => (from: string, to: string) => {
  const suffix = to.slice(from.length)
  const generations =
    generation !== 1
      ? []
      : readdirSync(c.dataDir)
          .filter((f) => /^views-g\d+\.db(?:-wal|-shm)?$/.test(f))
          .map((f) => {
            renameSync(join(c.dataDir, f), join(c.dataDir, f.replace(/\.db/, `.db${suffix}`)))
            return f
          })
  logger.warn(
    { file: from, setAsideAs: to, generationFilesSetAside: generations },
    'the views file is damaged: it was set aside and an empty one created; the projector rebuilds the views from the events',
  )
}

export const openViewStore = async (c: ViewStoreChoice, generation = 1, logger: Logger = createLogger('leadstream')): Promise<ViewStore> =>
  c.viewStore === 'postgres'
    ? postgresViewStore({ connectionString: c.postgresUrl, schema: pgSchema(c, generation) })
    : sqliteViewStore({ path: sqlitePath(c, generation), setAside: setAsideViews(c, generation, logger) })

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
