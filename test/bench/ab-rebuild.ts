// A/B of projection variants on one store, interleaved (A B A B), per wall second and per CPU second.
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sqliteEventStore } from '@leadstream/event-store'
import { postgresViewStore, sqliteViewStore, type ViewStore } from '@leadstream/view-store'
import { dropSchema } from './postgres.js'
import { appendAll } from './append.js'
import { leadHistory } from './history.js'
import { projectAll } from './projection.js'
import { sampleRss } from './rss.js'
import { testPersonalData } from '../support/privacy.js'

const events = Number(process.env['AB_EVENTS'] ?? 100000)
const dir = mkdtempSync(join(process.env['AB_DIR'] ?? '/tmp', 'ab-rebuild-'))
try {
  const store = sqliteEventStore({ path: join(dir, 'events.db') })
  const personal = await testPersonalData(dir)
  await appendAll(personal.sealing(store), leadHistory({ seed: 43, captureShare: 0.7, classifications: 20, total: events }), { batch: 1000 })
  const variants: Record<string, { build: boolean; maxBatch: number; cacheMiB?: number; flushLeads?: number; thread?: boolean }> = {
    live5k: { build: false, maxBatch: 5000 },
    build5k: { build: true, maxBatch: 5000 },
    build20k: { build: true, maxBatch: 20000 },
    build20kCache256: { build: true, maxBatch: 20000, cacheMiB: 256 },
    // The build's write-behind off (every batch written as it comes) and at its default.
    build20kEachBatch: { build: true, maxBatch: 20000, flushLeads: 0 },
    build20kBehind: { build: true, maxBatch: 20000, thread: false },
    // The write-behind's writes committed by a writer thread while this one projects on (the default).
    build20kThread: { build: true, maxBatch: 20000, thread: true },
  }
  const only = (process.env['AB_VARIANTS'] ?? '').split(',').filter((v) => v !== '')
  for (const k of Object.keys(variants)) if (only.length > 0 && !only.includes(k)) delete variants[k]
  const rounds = Number(process.env['AB_ROUNDS'] ?? 2)
  for (let round = 0; round < rounds; round++)
    for (const [name, v] of Object.entries(variants)) {
      const path = join(dir, `views-${name}-${round}.db`)
      // AB_POSTGRES_URL: the same variants into PostgreSQL views (a schema of their own each).
      const pgUrl = process.env['AB_POSTGRES_URL']
      const schema = `ab_rebuild_${process.pid}_${name}_${round}`
      const sqlite =
        pgUrl === undefined
          ? sqliteViewStore({
              path,
              ...(v.flushLeads === undefined ? {} : { buildFlushLeads: v.flushLeads }),
              ...(v.thread === undefined ? {} : { buildWriterThread: v.thread }),
            })
          : null
      if (sqlite !== null && v.cacheMiB !== undefined) sqlite.db.pragma(`cache_size = -${v.cacheMiB * 1024}`)
      const views: ViewStore = sqlite ?? (await postgresViewStore({ connectionString: pgUrl ?? '', schema }))
      const c0 = process.cpuUsage()
      const rss = sampleRss()
      const r = await projectAll(store, views, { build: v.build, maxBatch: v.maxBatch, open: personal.opening })
      const c = process.cpuUsage(c0)
      const cpu = (c.user + c.system) / 1e6
      await views.close()
      if (pgUrl !== undefined) await dropSchema(pgUrl, schema)
      for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true })
      process.stdout.write(
        `${name} round ${round}: ${Math.round(r.eventsPerSecond)} events/s, ${Math.round(r.events / cpu)} events/CPU-s (${r.seconds.toFixed(1)} s, CPU ${cpu.toFixed(1)} s, peak RSS ${Math.round(rss.stop() / 1048576)} MiB)\n`,
      )
    }
  await store.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
