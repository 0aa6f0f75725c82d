// `pnpm bench privacy`: what sealing personal data costs. Append, HTTP ingest and a rebuild, each run with
// sealing (the key store, AES-256-GCM) beside the same run with the bench-only plain baseline (plain.ts: the
// same event shape, no key store, no cipher). Runs alternate plain/sealed twice and keep each one's best, so
// both see similar load on a shared machine.
import { testPersonalData } from '../support/privacy.js'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { sqliteEventStore, type EventStore } from '@leadstream/event-store'
import type { PersonalData } from '@leadstream/privacy'
import { sqliteViewStore } from '@leadstream/view-store'
import { appendAll } from './append.js'
import { leadHistory } from './history.js'
import { plainLog, plainPersonalData, plainStore } from './plain.js'
import { projectAll } from './projection.js'
import { int, share, type Figure } from './report.js'
import { runClient, startServer } from './server.js'

export interface PrivacyBenchOptions {
  readonly events: number
  readonly httpLeads: number
  readonly httpBatch: number
  readonly httpClients: number
  readonly seed: number
}

type Mode = 'plain' | 'sealed'
const modes: ReadonlyArray<Mode> = ['plain', 'sealed', 'plain', 'sealed']

/** `measure(mode, run)` for each of the alternating runs; the best (highest) figure of each mode. */
const best = async (measure: (mode: Mode, run: number) => Promise<number>): Promise<Record<Mode, number>> => {
  const out: Record<Mode, number> = { plain: 0, sealed: 0 }
  for (const [i, mode] of modes.entries()) out[mode] = Math.max(out[mode], await measure(mode, i))
  return out
}

const figure = (name: string, unit: string, r: Record<Mode, number>): Figure => ({
  name: `${name}: sealed vs plain`,
  value: `${int(r.sealed)} ${unit} sealed, ${int(r.plain)} plain`,
  raw: `overhead ${share(r.plain - r.sealed, r.plain)}`,
  target: 'overhead ≤ 20%',
  met: r.sealed >= r.plain * 0.8,
})

export const benchPrivacy = async (dir: string, o: PrivacyBenchOptions, say: (s: string) => void): Promise<Figure[]> => {
  const stores = new Map<number, { store: EventStore; personal: PersonalData | null; dir: string }>()

  say(`privacy: appending ${int(o.events)} events (mixed history) sealed and plain, alternately…`)
  const append = await best(async (mode, run) => {
    const d = join(dir, `append-${run}`)
    mkdirSync(d, { recursive: true })
    const raw = sqliteEventStore({ path: join(d, 'events.db') })
    const personal = mode === 'sealed' ? await testPersonalData(d, '') : null
    const store = personal === null ? plainStore(raw) : personal.sealing(raw)
    const r = await appendAll(store, leadHistory({ seed: o.seed, captureShare: 0.7, classifications: 0, total: o.events }), { batch: 1000 })
    stores.set(run, { store: raw, personal, dir: d })
    return r.eventsPerSecond
  })

  say(`privacy: rebuilding the views of those ${int(o.events)} events, opened with the key store and plain, alternately…`)
  const rebuild = await best(async (mode, run) => {
    const s = stores.get(run)!
    const views = sqliteViewStore({ path: join(s.dir, 'views.db') })
    try {
      const r = await projectAll(s.store, views, { maxBatch: 5000, open: mode === 'sealed' ? (l) => s.personal!.opening(l) : plainLog })
      return r.eventsPerSecond
    } finally {
      await views.close()
    }
  })
  for (const s of stores.values()) {
    await s.store.close()
    await s.personal?.close()
  }

  say(`privacy: HTTP ingest of ${int(o.httpLeads)} marketplace leads (projection inline), sealed and plain, alternately…`)
  const ingest = await best(async (mode, run) => {
    const d = join(dir, `ingest-${run}`)
    mkdirSync(d, { recursive: true })
    const server = await startServer(d, {
      env: { LEADSTREAM_PROJECTOR_THREAD: 'inline' },
      ports: mode === 'plain' ? { personal: (c) => plainPersonalData(c) } : {},
    })
    try {
      const r = await runClient({ mode: 'ingest', url: server.url, leads: o.httpLeads, batch: o.httpBatch, concurrency: o.httpClients, seed: o.seed })
      return r.sent / r.seconds
    } finally {
      await server.close()
    }
  })

  return [
    figure(`direct append (${int(o.events)} events, 1,000/appendMany)`, 'events/s', append),
    figure(`HTTP ingest (${int(o.httpLeads)} leads, ${int(o.httpBatch)}/POST, ${o.httpClients} clients)`, 'leads/s', ingest),
    figure(`rebuild: projector from 0 (${int(o.events)} events)`, 'events/s', rebuild),
  ]
}
