// `leadstream import FILE` as a child process against real embedded servers: a CRM export (CSV) and an event
// history (NDJSON). Imported twice == once; killed (SIGKILL) midway and run again == imported once (judged by the
// fold of the whole event store); row errors named with their line; the funnel shows the history at its own times.
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FunnelAnswer, ParkedPage } from '@leadstream/api'
import { getJson, http, startTestServer, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { foldFacts, readEvents } from '../support/fold.js'
import { leadstream } from '../support/cli.js'

const hourMs = 3_600_000
const dayMs = 24 * hourMs
const dir = mkdtempSync(join(tmpdir(), 'leadstream-import-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))

const header =
  'Lead ID,Storefront,Offer ID,Email,Country,Created On,Contacted At,Contact Channel,Nurturing At,Qualified At,Converted At,Disqualified At,Disqualification Reason'

/**
 * A CRM export whose funnel is known. I1 captured 01-05: contacted +1h, qualified +1d, converted +4d. I2 01-06:
 * contacted +3h, disqualified (Dynamics: "No longer interested") +2d. I3 01-07: nothing yet. Then four bad rows.
 */
const exportCsv = [
  header,
  'I1,AppSource,contoso.crm,i1@example.com,US,2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,Phone,,2026-01-06T09:00:00Z,2026-01-09T09:00:00Z,,',
  'I2,AzureMarketplace,"contoso.vm, hardened",i2@example.com,DE,2026-01-06T00:00:00+01:00,2026-01-06T02:00:00Z,,,,,2026-01-07T23:00:00Z,No longer interested',
  'I3,AppSource,contoso.crm,i3@example.com,FR,2026-01-07,,,,,,,',
  'I4,AppSource,contoso.crm,i4@example.com,US,2026-01-08T00:00:00Z,,,,2026-01-09T00:00:00Z,,,',
  'I5,Moon,contoso.crm,i5@example.com,US,2026-01-08T00:00:00Z,,,,,,,',
  ',AppSource,contoso.crm,i6@example.com,US,2026-01-08T00:00:00Z,,,,,,,',
  'I7,AppSource,contoso.crm,i7@example.com,US,yesterday,,,,,,,',
].join('\r\n')

const write = (name: string, text: string): string => {
  const path = join(dir, name)
  writeFileSync(path, text)
  return path
}

const test = suite<{ server: TestServer }>('leadstream import')

test.before(async (ctx) => {
  ctx.server = await startTestServer()
})
test.after(async ({ server }) => server.dispose())

test('csv :: row errors named with their line, exit 1; the funnel shows the history at its own times', async ({ server }) => {
  const file = write('export.csv', exportCsv)
  const ran = await leadstream(['import', file], { LEADSTREAM_URL: server.url })
  assert.is(ran.code, 1, ran.stderr)
  // I4: qualified straight from captured is not a transition the lifecycle allows.
  assert.match(ran.stderr, /line 5: type: QualifyLead is not allowed from captured/)
  assert.match(ran.stderr, /line 6: data\.storefront: /)
  assert.match(ran.stderr, /line 7: leadId: empty/)
  assert.match(ran.stderr, /line 8: occurredAt: /)
  assert.match(ran.stdout, /imported export\.csv \(csv\): 7 rows .* events: 9 accepted, 0 duplicate, 0 parked, 3 rejected/)
  assert.match(ran.stdout, /4 rows with errors.*lines 5, 6, 7, 8/)
  assert.not.ok(existsSync(`${file}.import-checkpoint`), 'a finished import leaves no checkpoint')

  const events = readEvents(server.dataDir)
  const head = Math.max(...events.map((e) => e.position))
  const f = await eventually('the funnel over the imported leads', async () => {
    const a = await getJson(FunnelAnswer, `${server.url}/v1/analytics/funnel?minPosition=${head}`)
    return a.body.total === 4 ? a.body : undefined
  })
  const stages = Object.fromEntries(f.stages.map((s) => [s.stage, s]))
  // I4 was captured (its qualification refused): 4 captured. Contacted: I1 +1h, I2 +3h (nearest rank: 1h, 3h).
  assert.equal(stages['contacted'], { stage: 'contacted', branch: false, reached: 2, rateFromPrevious: 0.5, medianMs: hourMs, p90Ms: 3 * hourMs })
  assert.equal(stages['qualified'], { stage: 'qualified', branch: false, reached: 1, rateFromPrevious: 0.5, medianMs: dayMs, p90Ms: dayMs })
  assert.equal(stages['converted'], { stage: 'converted', branch: false, reached: 1, rateFromPrevious: 1, medianMs: 4 * dayMs, p90Ms: 4 * dayMs })
  assert.equal(stages['disqualified'], { stage: 'disqualified', branch: true, reached: 1, rateFromPrevious: 0.25, medianMs: 2 * dayMs, p90Ms: 2 * dayMs })
  assert.equal(f.disqualificationReasons, { 'not-interested': 1 })
})

test('csv :: the same file imported twice is the same as once', async ({ server }) => {
  const file = join(dir, 'export.csv')
  const before = readEvents(server.dataDir)
  const again = await leadstream(['import', file, '--json'], { LEADSTREAM_URL: server.url })
  assert.is(again.code, 1, 'the bad rows are still bad')
  const summary = JSON.parse(again.stdout)
  assert.equal([summary.rows, summary.accepted, summary.duplicates, summary.rejected], [7, 0, 9, 3])
  assert.equal(
    summary.errors.map((e: { line: number }) => e.line),
    [5, 6, 7, 8],
  )
  assert.equal(foldFacts(readEvents(server.dataDir)), foldFacts(before))
  assert.is(readEvents(server.dataDir).length, before.length)
})

test('ndjson :: native events, lifecycle out of order across the file, twice == once', async ({ server }) => {
  const lines = [
    { type: 'LeadQualified', version: 1, eventId: 'n-q', leadId: 'N1', occurredAt: '2026-02-03T00:00:00Z' },
    {
      type: 'LeadCaptured',
      version: 1,
      eventId: 'n-c',
      leadId: 'N1',
      occurredAt: '2026-02-01T00:00:00Z',
      data: { storefront: 'AppSource', action: 'PLT', offer: { id: 'contoso.crm' } },
    },
    { type: 'LeadContacted', version: 1, eventId: 'n-t', leadId: 'N1', occurredAt: '2026-02-02T00:00:00Z', data: { channel: 'email' } },
  ]
  const file = write('history.ndjson', `${lines.map((l) => JSON.stringify(l)).join('\n')}\n\n{not json\n`)
  const first = await leadstream(['import', file, '--batch', '1', '--json'], { LEADSTREAM_URL: server.url })
  assert.is(first.code, 1)
  const s1 = JSON.parse(first.stdout)
  assert.equal([s1.accepted, s1.parked, s1.rejected], [2, 1, 0])
  assert.equal(
    s1.errors.map((e: { line: number }) => e.line),
    [5],
    'the line that is not JSON',
  )
  const stream = readEvents(server.dataDir)
    .filter((e) => e.streamId === 'lead-N1')
    .map((e) => e.event.type)
  assert.equal(stream, ['LeadCaptured', 'LeadContacted', 'LeadQualified'], 'the parked qualification followed its lead in time order')
  assert.is((await getJson(ParkedPage, `${server.url}/v1/admin/parked`)).body.parked, 0)
  assert.is(
    (
      await http('POST', `${server.url}/v1/leads`, {
        type: 'LeadQualified',
        version: 1,
        eventId: 'wait-1',
        leadId: 'NOT-YET',
        occurredAt: '2026-02-03T00:00:00Z',
      })
    ).status,
    202,
  )
  const listed = await leadstream(['parked', 'list'], { LEADSTREAM_URL: server.url })
  assert.is(listed.code, 0, listed.stderr)
  assert.match(listed.stdout, /ID\s+LEAD\s+EVENT\s+SOURCE\s+OCCURRED\s+PARKED\s+UNTIL\n\d+\s+NOT-YET\s+wait-1\s+http:\/v1\/leads\s+2026-02-03T00:00:00.000Z/)
  assert.match(listed.stderr, /1 parked in all/)
  const before = readEvents(server.dataDir).length
  const second = JSON.parse((await leadstream(['import', file, '--json'], { LEADSTREAM_URL: server.url })).stdout)
  assert.equal([second.accepted, second.duplicates], [0, 3])
  assert.is(readEvents(server.dataDir).length, before)
})

test('auth :: against a server with tokens, the import needs one with the ingest role', async () => {
  const secured = await startTestServer({ LEADSTREAM_INGEST_TOKENS: 'crmin-ingest-token', LEADSTREAM_ANALYST_TOKENS: 'crmin-analyst-token' })
  try {
    const file = write('auth.csv', `${header}\nA1,AppSource,contoso.crm,a1@example.com,US,2026-01-05T09:00:00Z,,,,,,,\n`)
    const denied = await leadstream(['import', file, '--token', 'crmin-analyst-token'], { LEADSTREAM_URL: secured.url })
    assert.is(denied.code, 1)
    assert.match(denied.stderr, /403/)
    assert.ok(existsSync(`${file}.import-checkpoint`) === false, 'nothing was acknowledged')
    const none = await leadstream(['import', file], { LEADSTREAM_URL: secured.url })
    assert.match(none.stderr, /401/)
    const ok = await leadstream(['import', file], { LEADSTREAM_URL: secured.url, LEADSTREAM_TOKEN: 'crmin-ingest-token' })
    assert.is(ok.code, 0, ok.stderr)
    assert.match(ok.stdout, /events: 1 accepted/)
  } finally {
    await secured.dispose()
  }
})

test('resume :: an import killed with SIGKILL midway and run again equals the file imported once', async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => {
    const day = String(1 + (i % 28)).padStart(2, '0')
    const lifecycle = i % 3 === 0 ? `2026-03-${day}T10:00:00Z,email,,2026-03-${day}T12:00:00Z` : i % 3 === 1 ? `2026-03-${day}T11:00:00Z,,,` : ',,,'
    return `K${i},${i % 2 === 0 ? 'AppSource' : 'AzureMarketplace'},contoso.crm,k${i}@example.com,US,2026-03-${day}T09:00:00Z,${lifecycle},,,`
  })
  const file = write('big.csv', [header, ...rows].join('\n'))
  const killed = await startTestServer()
  const once = await startTestServer()
  try {
    const env = { LEADSTREAM_URL: killed.url }
    const checkpoint = `${file}.import-checkpoint`
    const ran = await leadstream(['import', file, '--batch', '150'], env, (child) => {
      void eventually(
        'a checkpoint past line 600',
        () => {
          const c = existsSync(checkpoint) ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as { line: number }) : null
          return c !== null && c.line > 600 ? true : undefined
        },
        60_000,
        10,
      )
        .then(() => child.kill('SIGKILL'))
        // It finished first: the assertion below says so.
        .catch(() => undefined)
    })
    assert.is(ran.signal, 'SIGKILL', `the import finished before it was killed: ${ran.stdout}`)
    const resumed = await leadstream(['import', file, '--batch', '150', '--json'], env)
    assert.is(resumed.code, 0, resumed.stderr)
    const summary = JSON.parse(resumed.stdout)
    assert.ok(summary.skipped >= 600, `resumed from the checkpoint (skipped ${summary.skipped})`)
    assert.is(summary.skipped + summary.rows, 3000)
    assert.not.ok(existsSync(checkpoint))

    const whole = await leadstream(['import', file, '--batch', '1000', '--json'], { LEADSTREAM_URL: once.url })
    assert.is(whole.code, 0, whole.stderr)
    const a = readEvents(killed.dataDir)
    const b = readEvents(once.dataDir)
    assert.is(a.length, b.length, 'as many events as one import writes')
    assert.is(new Set(a.map((e) => e.eventId)).size, a.length, 'no event twice')
    assert.equal(foldFacts(a), foldFacts(b))
  } finally {
    await killed.dispose()
    await once.dispose()
  }
})

test('resume :: row errors before the checkpoint still count after a kill: the resumed run names them and exits 1', async () => {
  const rows = Array.from({ length: 3000 }, (_, i) => {
    const day = String(1 + (i % 28)).padStart(2, '0')
    // Line 3 is refused by the server (no such storefront), line 4 by the CLI itself (not a time).
    const storefront = i === 1 ? 'Moon' : 'AppSource'
    const created = i === 2 ? 'yesterday' : `2026-04-${day}T09:00:00Z`
    return `R${i},${storefront},contoso.crm,r${i}@example.com,US,${created},,,,,,,`
  })
  const file = write('errors-then-kill.csv', [header, ...rows].join('\n'))
  const server = await startTestServer()
  try {
    const env = { LEADSTREAM_URL: server.url }
    const checkpoint = `${file}.import-checkpoint`
    const ran = await leadstream(['import', file, '--batch', '150'], env, (child) => {
      void eventually(
        'a checkpoint past line 300',
        () => {
          const c = existsSync(checkpoint) ? (JSON.parse(readFileSync(checkpoint, 'utf8')) as { line: number }) : null
          return c !== null && c.line > 300 ? true : undefined
        },
        60_000,
        10,
      )
        .then(() => child.kill('SIGKILL'))
        .catch(() => undefined)
    })
    assert.is(ran.signal, 'SIGKILL', `the import finished before it was killed: ${ran.stdout}`)
    assert.match(ran.stderr, /line 3: /)
    assert.match(ran.stderr, /line 4: /)

    const resumed = await leadstream(['import', file, '--batch', '150', '--json'], env)
    const summary = JSON.parse(resumed.stdout)
    assert.ok(summary.skipped >= 300, `resumed from the checkpoint (skipped ${summary.skipped})`)
    assert.is(resumed.code, 1, 'the rows that failed before the kill still fail the import')
    assert.equal(
      summary.errors.map((e: { line: number }) => e.line),
      [3, 4],
      'each named once, with its line',
    )
    assert.match(summary.errors[0].problems.join(' '), /storefront/)
    assert.match(resumed.stderr, /resuming .* after line \d+ .*2 rows with errors before it: lines 3, 4/)
    assert.not.ok(existsSync(checkpoint))
    assert.not.ok(existsSync(`${checkpoint}.errors`), 'a finished import leaves no errors file either')
  } finally {
    await server.dispose()
  }
})

test.run()
