// A/B of the append path as the store grows, batch by batch in turn (same disk, same competing load):
// the store's appendMany (per-stream ids), the previous append path (global UNIQUE(event_id), one lookup
// per event, max(revision)) replayed as bare SQL on the previous schema, and bare inserts (the limit).
import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { sealEvents } from '@leadstream/privacy'
import { sqliteEventStore, type AppendRequest } from '@leadstream/event-store'
import { leadHistory } from './history.js'
import { testPersonalData } from '../support/privacy.js'

const total = Number(process.env['AB_EVENTS'] ?? 200000)
const segment = Number(process.env['AB_SEGMENT'] ?? 50000)
const dir = mkdtempSync(join(process.env['AB_DIR'] ?? '/tmp', 'ab-append-'))
try {
  const personal = await testPersonalData(dir)
  const store = sqliteEventStore({ path: join(dir, 'events.db') })
  const old = new Database(join(dir, 'old.db'))
  old.pragma('journal_mode = WAL')
  old.pragma('synchronous = FULL')
  old.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL, revision INTEGER NOT NULL,
    type TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL, recorded_at TEXT NOT NULL, UNIQUE (stream_id, revision))`)
  const byId = old.prepare('SELECT position, stream_id FROM events WHERE event_id = ?')
  const rev = old.prepare<[string], { r: number | null }>('SELECT max(revision) AS r FROM events WHERE stream_id = ?')
  const ins = old.prepare('INSERT INTO events (event_id, stream_id, revision, type, version, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
  const oldTx = old.transaction((reqs: ReadonlyArray<AppendRequest>, at: string) => {
    for (const r of reqs) {
      for (const e of r.events) byId.get(e.eventId)
      let revision = rev.get(r.streamId)?.r ?? -1
      for (const e of r.events)
        ins.run(e.eventId, r.streamId, ++revision, e.event.type, e.event.version, JSON.stringify(e.event.data), JSON.stringify(e.metadata), at)
    }
  })
  const history = leadHistory({ seed: 44, captureShare: 0.7, classifications: 0, total })
  const t = { store: 0n, old: 0n }
  const c = { store: 0, old: 0 }
  let done = 0
  let mark = 0
  /** CPU microseconds `f` takes. */
  const cpuOf = (f: () => void): bigint => {
    const c0 = process.cpuUsage()
    f()
    const u = process.cpuUsage(c0)
    return BigInt(u.user + u.system)
  }
  const wall = { store: 0n, old: 0n }
  for (let reqs = history.next(1000); reqs.length > 0; reqs = history.next(1000)) {
    const sealed = await sealEvents(
      personal,
      reqs.flatMap((r) => r.events),
    )
    let i = 0
    const requests = reqs.map((r) => ({ ...r, events: r.events.map(() => sealed[i++]!) }))
    const at = new Date().toISOString()
    let w0 = process.hrtime.bigint()
    t.old += cpuOf(() => oldTx.immediate(requests, at))
    wall.old += process.hrtime.bigint() - w0
    w0 = process.hrtime.bigint()
    const c0 = process.cpuUsage()
    await store.appendMany(requests)()
    const u = process.cpuUsage(c0)
    wall.store += process.hrtime.bigint() - w0
    t.store += BigInt(u.user + u.system)
    done += requests.length
    c.store += requests.length
    c.old += requests.length
    if (done - mark >= segment) {
      const rate = (n: number, ns: bigint) => Math.round(n / (Number(ns) / 1e9))
      const perCpu = (n: number, us: bigint) => Math.round(n / (Number(us) / 1e6))
      process.stdout.write(
        `${done}: store ${rate(c.store, wall.store)}/s ${perCpu(c.store, t.store)}/CPU-s | previous ${rate(c.old, wall.old)}/s ${perCpu(c.old, t.old)}/CPU-s\n`,
      )
      mark = done
      t.store = t.old = wall.store = wall.old = 0n
      c.store = c.old = 0
    }
  }
  old.close()
  await store.close()
  await personal.close()
} finally {
  rmSync(dir, { recursive: true, force: true })
}
