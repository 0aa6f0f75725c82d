// Picks where Idempotency-Key answers are kept (LEADSTREAM_IDEMPOTENCY_STORE), for the ingest composition roots.
import { join } from 'node:path'
import type { IdempotencyKeys } from './idempotency.js'
import { postgresIdempotencyKeys } from './postgres/idempotency.js'
import { sqliteIdempotencyKeys } from './sqlite/idempotency.js'

export interface IdempotencyChoice {
  readonly idempotencyStore: 'sqlite' | 'postgres'
  readonly dataDir: string
  readonly postgresUrl: string
  readonly postgresSchema: string
}

/**
 * `sqlite` prefers the event store's own answers (the SQLite event store: claim and append in one
 * transaction); beside an event store without them (EventStoreDB) it is idempotency.db in the data dir.
 */
export const openIdempotencyKeys = async (c: IdempotencyChoice, store: { readonly idempotency?: IdempotencyKeys }): Promise<IdempotencyKeys> =>
  c.idempotencyStore === 'postgres'
    ? postgresIdempotencyKeys({ connectionString: c.postgresUrl, schema: `${c.postgresSchema}_idempotency` })
    : (store.idempotency ?? sqliteIdempotencyKeys({ path: join(c.dataDir, 'idempotency.db') }))
