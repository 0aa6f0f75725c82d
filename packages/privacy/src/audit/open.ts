// Picks the erasure audit's adapter: PostgreSQL beside a PostgreSQL dead-letter store (distributed mode), else audit.db.
import { join } from 'node:path'
import type { ErasureAudit } from './port.js'
import { postgresErasureAudit } from './postgres.js'
import { sqliteErasureAudit } from './sqlite.js'

export interface AuditChoice {
  readonly deadLetterStore: 'sqlite' | 'postgres'
  readonly dataDir: string
  readonly postgresUrl: string
  readonly postgresSchema: string
}

/** The audit lives where the dead letters do: the erasure purges both, and every service must see both. */
export const openErasureAudit = async (c: AuditChoice): Promise<ErasureAudit> =>
  c.deadLetterStore === 'postgres'
    ? postgresErasureAudit({ connectionString: c.postgresUrl, schema: `${c.postgresSchema}_audit` })
    : sqliteErasureAudit({ path: join(c.dataDir, 'audit.db') })
