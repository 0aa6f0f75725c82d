// Picks the view store adapter from settings (LEADSTREAM_VIEW_STORE), for every composition root.
import { join } from 'node:path'
import type { ViewStore } from './port.js'
import { postgresViewStore } from './postgres/store.js'
import { sqliteViewStore } from './sqlite/store.js'

export interface ViewStoreChoice {
  readonly viewStore: 'sqlite' | 'postgres'
  readonly dataDir: string
  readonly postgresUrl: string
  readonly postgresSchema: string
}

export const openViewStore = async (c: ViewStoreChoice): Promise<ViewStore> =>
  c.viewStore === 'postgres'
    ? postgresViewStore({ connectionString: c.postgresUrl, schema: c.postgresSchema })
    : sqliteViewStore({ path: join(c.dataDir, 'views.db') })
