// The SQLite erasure audit against the audit contract.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { erasureAuditContract } from './contract.js'
import { sqliteErasureAudit } from './sqlite.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-audit-'))
let n = 0
erasureAuditContract('sqlite', async () => sqliteErasureAudit({ path: join(dir, `audit-${n++}.db`) }))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
