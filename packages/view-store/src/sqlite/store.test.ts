// The SQLite view store against the shared contract.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { viewStoreContract } from '../contract.js'
import { sqliteViewStore } from './store.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-vs-'))
process.on('exit', () => rmSync(dir, { recursive: true, force: true }))
let n = 0
viewStoreContract('sqlite', async () => sqliteViewStore({ path: join(dir, `views-${n++}.db`) }))

test('sqlite build :: indexes dropped for the load, then the same schema as a fresh store, sync durable again', async () => {
  const schemaOf = (store: ReturnType<typeof sqliteViewStore>) =>
    store.db.prepare<[], { name: string; sql: string | null }>("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name").all()
  const fresh = sqliteViewStore({ path: join(dir, 'fresh.db') })
  const built = sqliteViewStore({ path: join(dir, 'built.db') })
  await built.beginBuild()
  assert.ok(schemaOf(built).length < schemaOf(fresh).length)
  assert.ok(!schemaOf(built).some((i) => i.name === 'leads_by_changed'))
  assert.is(built.db.pragma('synchronous', { simple: true }), 1, 'NORMAL while building')
  await built.finishBuild()
  assert.equal(
    schemaOf(built).map((i) => [i.name, i.sql?.replace(/\s+/g, ' ')]),
    schemaOf(fresh).map((i) => [i.name, i.sql?.replace(/\s+/g, ' ')]),
  )
  assert.is(built.db.pragma('synchronous', { simple: true }), 2, 'FULL once built')
  await fresh.close()
  await built.close()
})
test.run()
