// Picks the dead-letter and parked-events adapters from settings (LEADSTREAM_DEAD_LETTER_STORE), for every composition root.
import { join } from 'node:path'
import type { DeadLetters, SubjectsOf } from './port.js'
import { postgresDeadLetters } from './postgres/store.js'
import { sqliteDeadLetters } from './sqlite/store.js'
import type { ParkedEvents } from './parked/port.js'
import { postgresParkedEvents } from './parked/postgres/store.js'
import { sqliteParkedEvents } from './parked/sqlite/store.js'

export interface DeadLetterChoice {
  readonly deadLetterStore: 'sqlite' | 'postgres'
  readonly dataDir: string
  readonly postgresUrl: string
  readonly postgresSchema: string
}

/** `subjectsOf`: which data subjects a payload names (packages/privacy subjectsInText), recorded for erasure. */
export const openDeadLetters = async (c: DeadLetterChoice, subjectsOf?: SubjectsOf): Promise<DeadLetters> =>
  c.deadLetterStore === 'postgres'
    ? postgresDeadLetters({ connectionString: c.postgresUrl, schema: `${c.postgresSchema}_dead_letters`, ...(subjectsOf === undefined ? {} : { subjectsOf }) })
    : sqliteDeadLetters({ path: join(c.dataDir, 'dead-letters.db'), ...(subjectsOf === undefined ? {} : { subjectsOf }) })

/** Parked events follow the dead letters' store choice: parked.db in the data dir, or `<schema>_parked`. */
export const openParkedEvents = async (c: DeadLetterChoice): Promise<ParkedEvents> =>
  c.deadLetterStore === 'postgres'
    ? postgresParkedEvents({ connectionString: c.postgresUrl, schema: `${c.postgresSchema}_parked` })
    : sqliteParkedEvents({ path: join(c.dataDir, 'parked.db') })
