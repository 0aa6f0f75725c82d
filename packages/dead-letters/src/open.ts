// Picks the dead-letter adapter from settings (LEADSTREAM_DEAD_LETTER_STORE), for every composition root.
import { join } from 'node:path'
import type { DeadLetters, SubjectsOf } from './port.js'
import { postgresDeadLetters } from './postgres/store.js'
import { sqliteDeadLetters } from './sqlite/store.js'

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
