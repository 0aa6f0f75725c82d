// The writer thread of a generation being built (store.ts, `beginBuild`): it owns a second connection to the
// generation's file and commits what the build hands it, one transaction per write, while the store's thread
// projects the next batches. Answers each write by its id once committed, or with the reason it was not.
import { parentPort, workerData } from 'node:worker_threads'
import type { LeadSummary } from '@leadstream/domain'
import { openSqlite } from '@leadstream/runtime'
import { migrations } from './store.js'
import { leadRow, rowWriter, type RowsWrite } from './writes.js'

export interface WriterSettings {
  readonly path: string
}
/**
 * A write as the store hands it over: the summaries as ONE JSON array in UTF-8, its memory moved to this thread
 * (cloning thousands of rows or objects, or copying one large string, cost the store's thread more than writing
 * them did), the rest as is.
 */
export interface HandedWrite extends Omit<RowsWrite, 'leads'> {
  readonly leads: Uint8Array
}
export type WriterRequest = { readonly id: number } & (
  | { readonly op: 'write'; readonly write: HandedWrite }
  | { readonly op: 'resync' }
  | { readonly op: 'stop' }
)
export type WriterAnswer = { readonly id: number; readonly ok: true } | { readonly id: number; readonly ok: false; readonly error: string }

const port = parentPort
if (port === null) throw new Error('view store writer started outside a worker thread')
const { path } = workerData as WriterSettings

// The store's connection has already migrated the file; a build's commits need not reach the disk one by one
// (beginBuild: a crash rolls back to a checkpoint written with its rows).
const db = openSqlite(path, migrations, { kind: 'views', synchronous: 'NORMAL' })
db.pragma('cache_size = -65536')
const write = rowWriter(db)
/**
 * The store's own connection does not write while this thread does: a commit by anyone else since this
 * connection's last one (SQLite's data_version) is another writer of the generation, and the build stops
 * instead of writing over rows it never saw. `resync` follows the store's own writes (clearing the generation).
 */
const dataVersion = () => db.pragma('data_version', { simple: true }) as number
let seen = dataVersion()
const commit = db.transaction((w: RowsWrite) => {
  if (dataVersion() !== seen)
    throw new Error(
      `${path}: another connection wrote to this generation while it was being built; a build in memory needs one writer (found by its writer thread)`,
    )
  write(w)
})

port.on('message', (m: WriterRequest) => {
  try {
    // The summaries are the store's own, each decoded or projected by it: rows are made of them as they are.
    if (m.op === 'write')
      commit.immediate({
        ...m.write,
        leads: (
          JSON.parse(Buffer.from(m.write.leads.buffer, m.write.leads.byteOffset, m.write.leads.byteLength).toString('utf8')) as ReadonlyArray<LeadSummary>
        ).map(leadRow),
      })
    else if (m.op === 'resync') seen = dataVersion()
    else db.close()
    port.postMessage({ id: m.id, ok: true } satisfies WriterAnswer)
    // Stopped: nothing keeps the thread alive once the port is closed.
    if (m.op === 'stop') port.close()
  } catch (e) {
    port.postMessage({ id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) } satisfies WriterAnswer)
  }
})
