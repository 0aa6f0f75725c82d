// After an erasure's writes: make the deleted bytes leave the SQLite files of the data directory (embedded
// mode). Every file runs with secure_delete (deleted content is zeroed in place), so what is left is the old
// page images in each WAL: a TRUNCATE checkpoint of every file copies the WAL in and empties it.
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { checkpointTruncate, type Logger } from '@leadstream/runtime'

export interface SqliteScrubOptions {
  readonly dataDir: string
  /** Resolves once the views have applied the log up to `position` (their redacted rows are written by then). */
  readonly caughtUp: (position: number) => Promise<void>
  readonly logger: Logger
}

/** The scrub step of an erasure (ErasurePorts.scrub) for the embedded mode: every `*.db` file of the data dir. */
export const sqliteScrub =
  (o: SqliteScrubOptions) =>
  async (position: number): Promise<void> => {
    if (position > 0) await o.caughtUp(position)
    const files = readdirSync(o.dataDir).filter((f) => f.endsWith('.db'))
    const busy = files.filter((f) => !checkpointTruncate(join(o.dataDir, f)))
    // A reader holding an old snapshot for seconds is unusual; the next erasure's checkpoint (or the process's
    // own) finishes the job. Named so an operator can tell.
    if (busy.length > 0) o.logger.warn({ files: busy }, 'erasure: a WAL could not be emptied yet (a long reader); its old pages go at the next checkpoint')
  }
