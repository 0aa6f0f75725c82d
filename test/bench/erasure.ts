// `pnpm bench:erasure`: erasing one data subject among N leads (embedded mode, real SQLite files): the whole
// erasure as POST /v1/privacy/erasures runs it (find the leads, shred, append, purge dead letters and answers,
// wait for the views, empty every WAL), timed for several subjects. Small N on a shared machine; the 1M target
// is extrapolated in BENCHMARKS.md, not measured here.
import { testPersonalData } from '../support/privacy.js'
import * as E from 'fp-ts/lib/Either.js'
import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sqliteDeadLetters, sqliteParkedEvents } from '@leadstream/dead-letters'
import { campaignOf, event, needsOf, offer, personalOf, projectBatch, streamOfLead } from '@leadstream/domain'
import { sqliteEventStore, type AppendRequest } from '@leadstream/event-store'
import { eraseEmail, sqliteScrub, type ErasurePorts } from '@leadstream/ingest'
import { openEvents, sqliteErasureAudit, subjectsInText } from '@leadstream/privacy'
import { createLogger, createMetrics, IntFromEnv, loadConfig, setting } from '@leadstream/runtime'
import { sqliteViewStore, type ProjectionLogic } from '@leadstream/view-store'

const settings = {
  leads: setting('BENCH_ERASURE_LEADS', IntFromEnv('leads', 100, 10_000_000), 'leads (one person each) in the store', '100000'),
  subjects: setting('BENCH_ERASURE_SUBJECTS', IntFromEnv('subjects', 1, 1000), 'subjects erased one after the other, each timed', '10'),
}
const loaded = loadConfig(settings, process.env)
if (E.isLeft(loaded)) throw new Error(loaded.left.join('; '))
const cfg = loaded.right

const dir = mkdtempSync(join(tmpdir(), 'leadstream-bench-erasure-'))
const logger = createLogger('bench', 'silent')
const personal = await testPersonalData(dir, 'bench', logger)
const store = sqliteEventStore({ path: join(dir, 'events.db') })
const sealing = personal.sealing(store)
const views = sqliteViewStore({ path: join(dir, 'views.db') })
const deadLetters = sqliteDeadLetters({ path: join(dir, 'dead-letters.db'), subjectsOf: subjectsInText(personal.secret) })
const parked = sqliteParkedEvents({ path: join(dir, 'parked.db') })
const audit = sqliteErasureAudit({ path: join(dir, 'audit.db') })
const logic: ProjectionLogic = { needs: needsOf, project: projectBatch }

const emailOf = (i: number) => `person${i}@bench.example`
const capture = (i: number) =>
  event('LeadCaptured', {
    leadId: `bench-${i}`,
    storefront: 'AppSource',
    campaign: campaignOf('AppSource'),
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer(`contoso.o${i % 50}`, null),
    country: 'US',
    personal: personalOf({ firstName: `F${i}`, lastName: `L${i}`, email: emailOf(i), phone: '+1 555 0100', country: 'US', company: 'C', title: 'T' }, null),
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-11-25T10:00:00.000Z',
  })

let projected = 0
const project = async () => {
  for (;;) {
    const read = await store.readAll(projected, 5000)()
    if (E.isLeft(read) || read.right.length === 0) return
    const opened = await openEvents(personal.keys, read.right)
    const r = await views.applyBatch(
      'leads',
      0,
      opened.map((e) => ({ offset: e.position, event: e })),
      logic,
    )
    if (E.isLeft(r)) throw new Error(r.left.reason)
    projected = read.right[read.right.length - 1]!.position
  }
}

const t0 = Date.now()
for (let i = 0; i < cfg.leads; i += 1000) {
  const requests: AppendRequest[] = []
  for (let j = i; j < Math.min(cfg.leads, i + 1000); j++)
    requests.push({ streamId: streamOfLead(`bench-${j}`), expectedRevision: 'no-stream', events: [{ eventId: randomUUID(), event: capture(j), metadata: {} }] })
  const outcomes = await sealing.appendMany(requests)()
  if (outcomes.some(E.isLeft)) throw new Error('append failed')
  // one dead letter per 100 leads, naming its person
  if (i % 100_000 === 0)
    await deadLetters.record([
      { source: 'bench', format: 'unknown', problems: [], payload: `{"Email":"${emailOf(i + 1)}"}`, receivedAt: '2026-11-25T10:00:00.000Z' },
    ])
}
await project()
const fillSeconds = (Date.now() - t0) / 1000

const ports: ErasurePorts = {
  store,
  keys: personal.keys,
  deadLetters,
  parked,
  answers: store.idempotency,
  audit,
  secret: async () => personal.secret,
  // The embedded projector's part, done here in line: apply the erasure events, then empty every WAL.
  scrub: sqliteScrub({ dataDir: dir, caughtUp: project, logger }),
  now: () => new Date(),
  newId: randomUUID,
  metrics: createMetrics(),
  logger,
}
const times: number[] = []
for (let k = 0; k < cfg.subjects; k++) {
  const i = Math.floor(((k + 0.5) / cfg.subjects) * cfg.leads)
  const start = process.hrtime.bigint()
  const r = await eraseEmail(ports, { email: emailOf(i), by: 'bench', note: null, reason: 'request' })
  times.push(Number(process.hrtime.bigint() - start) / 1e6)
  if (r?.outcome !== 'erased' || r.counts.events !== 1) throw new Error(`subject ${i}: ${JSON.stringify(r)}`)
}
const sorted = [...times].sort((a, b) => a - b)
process.stdout.write(
  `erasure of one subject among ${cfg.leads} leads (fill ${fillSeconds.toFixed(1)} s): ` +
    `median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms over ${cfg.subjects} subjects\n`,
)
await Promise.all([store.close(), views.close(), deadLetters.close(), parked.close(), audit.close(), personal.close()])
rmSync(dir, { recursive: true, force: true })
