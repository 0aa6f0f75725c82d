// Operators rebuild a projection on a running system: a new generation is built beside the live one and
// swapped in when caught up. Readers never see a half-built view; the result equals a fold of the log.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { BatchAnswer, PauseChanged, ProjectionsAnswer, QualificationAnswer, RebuildStarted } from '@leadstream/api'
import { decodeAs, getJson, http, startTestServer, typed } from '../support/embedded.js'
import { diffCounters, foldCounters, readEvents, viewCounters } from '../support/fold.js'
import { marketplaceLead, rng } from '../support/leads.js'
import { setTimeout as sleep } from 'node:timers/promises'

const test = suite('rebuild')

test('rebuild :: under ingest and queries, no reader sees a half-built view; the result equals a fold of the log', async () => {
  const server = await startTestServer({ LEADSTREAM_PROJECTOR_BATCH: '500' })
  let writing = true
  let reading = true
  try {
    const r = rng(77)
    let n = 0
    const post = async (count: number) => {
      const batch = Array.from({ length: count }, () => marketplaceLead(n++, r).payload)
      return typed(BatchAnswer, await http('POST', `${server.url}/v1/marketplace/leads`, batch)).body
    }
    for (let i = 0; i < 8; i++) await post(1000)

    const writer = (async () => {
      while (writing) {
        await post(100)
        await sleep(10)
      }
    })().catch((e: unknown) => e)
    // A reader that remembers the largest total it has seen: a smaller one later means a half-built view.
    const seen: Array<{ status: number; total: number; position: number }> = []
    const reader = (async () => {
      while (reading) {
        const a = await http('GET', `${server.url}/v1/views/qualification?includeTest=true`)
        const q = a.status === 200 ? decodeAs(QualificationAnswer, a.body) : { total: -1, position: -1 }
        seen.push({ status: a.status, total: q.total, position: q.position })
        await sleep(5)
      }
    })().catch((e: unknown) => e)

    await sleep(100)
    // paused, the requested generation waits, so a second request meets it
    assert.is(typed(PauseChanged, await http('POST', `${server.url}/v1/admin/projections/leads/pause`)).body.registry.paused, true)
    const started = typed(RebuildStarted, await http('POST', `${server.url}/v1/admin/projections/leads/rebuild`))
    assert.is(started.status, 202)
    assert.is(started.body.building, 2)
    assert.is((await http('POST', `${server.url}/v1/admin/projections/leads/rebuild`)).status, 409, 'one rebuild at a time')
    const paused = (await getJson(ProjectionsAnswer, `${server.url}/v1/admin/projections`)).body.projections[0]
    assert.equal([paused?.paused, paused?.generations.length], [true, 0], 'nothing runs while paused')
    await sleep(200)
    assert.is(typed(PauseChanged, await http('POST', `${server.url}/v1/admin/projections/leads/resume`)).body.registry.paused, false)

    let status: { readonly registry: { readonly live: number; readonly building: number | null } | null } | undefined
    for (const deadline = Date.now() + 30000; Date.now() < deadline; await sleep(100)) {
      status = (await getJson(ProjectionsAnswer, `${server.url}/v1/admin/projections`)).body.projections[0]
      if (status?.registry?.live === 2 && status.registry.building === null) break
    }
    assert.is(status?.registry?.live, 2, 'the rebuilt generation went live')
    await sleep(300)
    writing = false
    await writer
    const last = await post(10)
    await http('GET', `${server.url}/v1/views/qualification?minPosition=${last.position}`)
    reading = false
    await reader

    assert.ok(seen.length > 20, `the reader kept reading (${seen.length} reads)`)
    assert.ok(
      seen.every((s) => s.status === 200),
      'no query failed',
    )
    for (let i = 1; i < seen.length; i++)
      assert.ok(
        seen[i]!.total >= seen[i - 1]!.total && seen[i]!.position >= seen[i - 1]!.position,
        `read ${i} went backwards: ${JSON.stringify(seen[i - 1])} → ${JSON.stringify(seen[i])}`,
      )
    const final = await getJson(QualificationAnswer, `${server.url}/v1/views/qualification?includeTest=true`)
    assert.is(final.body.total, n, 'every lead counted once')
    assert.is(diffCounters(foldCounters(readEvents(server.dataDir)), viewCounters(join(server.dataDir, 'views-g2.db'))), '')
    // Built in bulk without the readers' indexes, it went live with all of them (as a store made by the migrations).
    const indexesOf = (file: string) => {
      const db = new Database(join(server.dataDir, file), { readonly: true })
      try {
        return db
          .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'leads' ORDER BY name")
          .all()
          .map((i) => i.name)
      } finally {
        db.close()
      }
    }
    const built = indexesOf('views-g2.db')
    assert.ok(built.includes('leads_by_state') && built.includes('leads_by_changed'), built.join(', '))
    assert.equal(built, indexesOf('views.db'))
    const generations = (await getJson(ProjectionsAnswer, `${server.url}/v1/admin/projections`)).body.projections[0]?.generations ?? []
    assert.equal(
      generations.map((g) => [g.generation, g.role]),
      [[2, 'live']],
    )
  } finally {
    writing = false
    reading = false
    await server.dispose()
  }
})

test.run()
