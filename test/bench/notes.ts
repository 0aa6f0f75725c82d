// `npx tsx test/bench/notes.ts`: what sealing a qualification transition's note costs on the direct append path.
// N leads are captured (each with its data subject's key), then N qualifications are appended through the
// sealing store, B per appendMany, alternately without a note (nothing to seal) and with one (the lead's subject
// looked up in the key store, its key unwrapped, AES-256-GCM); each mode keeps its best of two runs.
import { testPersonalData } from '../support/privacy.js'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { event, noteTextOf, offer, type NewEvent } from '@leadstream/domain'
import { sqliteEventStore, type AppendRequest } from '@leadstream/event-store'

const N = Number(process.env['BENCH_NOTES_EVENTS'] ?? 5000)
const B = 500
const dir = mkdtempSync(join(tmpdir(), 'leadstream-notes-bench-'))
const personal = await testPersonalData(dir, 'bench identity secret')
const store = personal.sealing(sqliteEventStore({ path: join(dir, 'events.db') }))

const capture = (i: number): NewEvent => ({
  eventId: `c${i}`,
  metadata: {},
  event: event('LeadCaptured', {
    leadId: `L${i}`,
    storefront: 'AppSource',
    campaign: 'nurture',
    leadSource: 'SPZA',
    action: 'PLT',
    offer: offer('contoso.crm', null),
    country: 'GB',
    campaigns: [],
    isTest: false,
    doNotContact: false,
    format: 'native',
    occurredAt: '2026-11-25T10:00:00Z',
    personal: { open: { firstName: 'Ann', lastName: 'Smith', email: `ann${i}@bench.example`, phone: '', company: '', title: '', description: null } },
  }),
})

const append = async (requests: ReadonlyArray<AppendRequest>) => {
  for (const o of await store.appendMany(requests)()) if (o._tag !== 'Right') throw new Error(JSON.stringify(o.left))
}

for (let i = 0; i < N; i += B)
  await append(Array.from({ length: B }, (_, k) => ({ streamId: `lead-L${i + k}`, expectedRevision: 'no-stream' as const, events: [capture(i + k)] })))

/** Appends one qualification to each lead (at `revision`), with or without a note; events per second. */
const run = async (revision: number, note: string | null): Promise<number> => {
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < N; i += B)
    await append(
      Array.from({ length: B }, (_, k) => ({
        streamId: `lead-L${i + k}`,
        expectedRevision: revision,
        events: [
          {
            eventId: `q${revision}-${i + k}`,
            metadata: {},
            event: event('LeadQualified', { leadId: `L${i + k}`, by: 'sam', at: '2026-11-26T10:00:00Z', personal: noteTextOf(note) }),
          },
        ],
      })),
    )
  return N / (Number(process.hrtime.bigint() - t0) / 1e9)
}

const note = 'called Ann Smith back about the quote'
const [a, b, c, d] = [await run(0, null), await run(1, note), await run(2, null), await run(3, note)]
const without = Math.max(a, c)
const withNote = Math.max(b, d)
console.log(
  `${N} qualifications, ${B}/appendMany: ${Math.round(without)} events/s without a note, ${Math.round(withNote)} with a sealed note (+${((1 / withNote - 1 / without) * 1e6).toFixed(1)} µs per note)`,
)
console.log(
  `load average: ${(await import('node:os'))
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(', ')} on ${(await import('node:os')).cpus().length} cores`,
)
await store.close()
await personal.close()
rmSync(dir, { recursive: true, force: true })
