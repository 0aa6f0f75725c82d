// The SQLite view store against the shared contract.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import Database from 'better-sqlite3'
import { contractFixtures, viewStoreContract } from '../contract.js'
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
for (const thread of [false, true])
  test(`sqlite build :: batches held in memory, written with their checkpoint in one transaction: what is on disk is always consistent (${thread ? 'writer thread' : 'this thread writes'})`, async () => {
    const { captured, contacted, project } = contractFixtures
    const path = join(dir, `behind-${thread}.db`)
    const store = sqliteViewStore({ path, buildFlushLeads: 3, buildWriterThread: thread })
    // What a restart after a crash would find: another connection reads the file.
    const disk = new Database(path, { readonly: true })
    const onDisk = () => ({
      leads: disk.prepare<[], { lead_id: string; state: string }>('SELECT lead_id, state FROM leads ORDER BY lead_id').all(),
      offset: disk.prepare<[], { offset: number }>('SELECT "offset" FROM checkpoints').get()?.offset ?? -1,
    })
    await store.beginBuild()
    const [a, b, c, d] = [captured('wa'), captured('wb'), captured('wc'), captured('wd')]
    await project(store, 'leads', [a!, b!])
    assert.equal(onDisk(), { leads: [], offset: -1 }, 'two leads changed: held')
    assert.equal(await store.checkpoints('leads'), [{ partition: 0, offset: b!.position }], 'the build answers its progress from memory')
    assert.is(await store.position(), b!.position)
    const aContacted = contacted('wa', 1)
    await project(store, 'leads', [aContacted, c!])
    // The writer thread commits while this thread goes on: the checkpoint and its rows appear together.
    for (const until = Date.now() + 5000; onDisk().offset !== c!.position && Date.now() < until; ) await new Promise((r) => setTimeout(r, 5))
    assert.equal(
      onDisk(),
      {
        leads: [
          { lead_id: 'wa', state: 'contacted' },
          { lead_id: 'wb', state: 'captured' },
          { lead_id: 'wc', state: 'captured' },
        ],
        offset: c!.position,
      },
      'three leads changed: written, with the checkpoint of the last batch',
    )
    await project(store, 'leads', [d!])
    assert.is(onDisk().offset, c!.position, 'a crash now resumes after the last written batch and projects wd again')
    // The same batch again (a redelivery) is skipped against the held checkpoint, not the one on disk.
    assert.equal(await project(store, 'leads', [d!]), { applied: 0, skipped: 1, offset: d!.position })
    await store.close()
    assert.equal(
      onDisk(),
      { leads: ['wa', 'wb', 'wc', 'wd'].map((id) => ({ lead_id: id, state: id === 'wa' ? 'contacted' : 'captured' })), offset: d!.position },
      'closed in order: nothing held is lost',
    )
    disk.close()
  })

test('sqlite build :: reads write what is held first; finishBuild writes everything and ends holding', async () => {
  const { captured, contacted, project } = contractFixtures
  const path = join(dir, 'behind-read.db')
  const store = sqliteViewStore({ path })
  await store.beginBuild()
  const e = captured('wr')
  await project(store, 'leads', [e])
  assert.is(store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM leads').get()?.n, 0, 'held')
  assert.is((await store.lead('wr'))?.state, 'captured')
  assert.is(store.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM leads').get()?.n, 1)
  await store.finishBuild()
  const later = contacted('wr', 1)
  await project(store, 'leads', [later])
  assert.is(store.db.prepare<[], { state: string }>("SELECT state FROM leads WHERE lead_id = 'wr'").get()?.state, 'contacted', 'written as it comes once built')
  await store.close()
})
test('sqlite build :: an in-memory store builds on its own thread (a writer thread would open another database)', async () => {
  const { captured, project } = contractFixtures
  const store = sqliteViewStore({ path: ':memory:', buildFlushLeads: 1, buildWriterThread: true })
  await store.beginBuild()
  await project(store, 'leads', [captured('wm1')])
  await project(store, 'leads', [captured('wm2')])
  await store.finishBuild()
  assert.equal(store.db.prepare<[], { lead_id: string }>('SELECT lead_id FROM leads ORDER BY lead_id').all(), [{ lead_id: 'wm1' }, { lead_id: 'wm2' }])
  await store.close()
})
test('sqlite build :: another writer of the generation stops the build instead of being overwritten (this thread writes)', async () => {
  const { captured, project } = contractFixtures
  const path = join(dir, 'behind-two.db')
  const store = sqliteViewStore({ path, buildWriterThread: false })
  await store.beginBuild()
  await project(store, 'leads', [captured('wt1')])
  const other = new Database(path)
  other.exec("INSERT INTO offers (offer_key, doc) VALUES ('id:other', '{}')")
  other.close()
  const refused = await project(store, 'leads', [captured('wt2')]).then(
    () => null,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  )
  assert.match(refused ?? '', 'another connection wrote to this generation')
  await store.close()
})
test('sqlite build :: another writer of the generation stops the build: the writer thread finds it before its next commit', async () => {
  const { captured, project } = contractFixtures
  const path = join(dir, 'behind-two-thread.db')
  const store = sqliteViewStore({ path, buildFlushLeads: 1, buildWriterThread: true })
  await store.beginBuild()
  await project(store, 'leads', [captured('wt1')])
  await store.lead('wt1')
  const other = new Database(path)
  other.exec("INSERT INTO offers (offer_key, doc) VALUES ('id:other', '{}')")
  other.close()
  await project(store, 'leads', [captured('wt2')])
  const refused = await store.lead('wt2').then(
    () => null,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  )
  assert.match(refused ?? '', 'another connection wrote to this generation')
  assert.match(refused ?? '', 'writer thread')
  const disk = new Database(path, { readonly: true })
  assert.equal(
    disk.prepare<[], { lead_id: string }>('SELECT lead_id FROM leads ORDER BY lead_id').all(),
    [{ lead_id: 'wt1' }],
    'nothing written over the other writer',
  )
  disk.close()
  await store.close().catch(() => undefined)
})
test.run()
