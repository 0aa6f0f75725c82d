// The operators' CLI run as operators run it: `leadstream …` as a child process against a real embedded
// server holding real leads, some of them rejected. Exit codes, stdout and stderr are what is checked.
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { resolve } from 'node:path'
import * as t from 'io-ts'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  BatchAnswer,
  LeadAccepted,
  PauseChanged,
  ProjectionsAnswer,
  RecordedEventView,
  StreamAnswer,
  SubscriptionCreated,
  WebhookReplayed,
} from '@leadstream/api'
import { decodeAs, http, startTestServer, typed, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { marketplaceLead, rng } from '../support/leads.js'

/** The CLI runs from the workspace root, as `pnpm leadstream` does. */
const workspaceRoot = resolve(import.meta.dirname, '..', '..')

interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** The parent's environment without LEADSTREAM_* (a developer's own settings must not leak in), plus `env`. */
const environment = (env: Readonly<Record<string, string>>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEADSTREAM_'))),
  ...env,
})

const spawnCli = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>) =>
  spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', ...args], {
    cwd: workspaceRoot,
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })

const leadstream = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawnCli(args, env)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })

/** A loopback port nothing listens on (taken, then released). */
const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const address = s.address()
      s.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))))
    })
  })

/** Every lead event's data names its lead. */
const LeadData = t.type({ leadId: t.string })

const unmapped = (i: number) => ({ ...marketplaceLead(900 + i, rng(i)).payload, LeadSource: 'Bing' })

interface Ctx {
  server: TestServer
  env: Record<string, string>
  leadIds: string[]
  deadLetterIds: number[]
  head: number
}

const test = suite<Ctx>('leadstream cli')

test.before(async (ctx) => {
  ctx.server = await startTestServer()
  ctx.env = { LEADSTREAM_URL: ctx.server.url }
  const r = rng(11)
  const body = [...Array.from({ length: 60 }, (_, i) => marketplaceLead(i, r).payload), unmapped(1), unmapped(2), unmapped(3)]
  const posted = typed(BatchAnswer, await http('POST', `${ctx.server.url}/v1/marketplace/leads`, body))
  assert.is(posted.status, 207)
  const results = posted.body.results
  ctx.leadIds = results.flatMap((x) => (x.status === 'accepted' ? [x.leadId] : []))
  ctx.deadLetterIds = results.flatMap((x) => (x.status === 'rejected' ? [x.deadLetterId] : []))
  // A sales rep's note on the first lead: sealed in the store, shown opened to operators.
  const contacted = await http('POST', `${ctx.server.url}/v1/leads/${ctx.leadIds[0]}/commands`, {
    type: 'ContactLead',
    by: 'sam',
    channel: 'email',
    note: 'wrote back about pricing',
  })
  assert.is(contacted.status, 201, JSON.stringify(contacted.body))
  ctx.head = (contacted.body as { position: number }).position
  assert.is(ctx.leadIds.length, 60)
  assert.is(ctx.deadLetterIds.length, 3)
})
test.after(async ({ server }) => server.dispose())

test('projections status :: --json shows generation 1 live, with lag 0 once caught up', async ({ env, head }) => {
  let last: Ran | null = null
  await eventually(
    'lag 0 in projections status --json',
    async () => {
      last = await leadstream(['projections', 'status', '--json'], env)
      assert.is(last.code, 0, last.stderr)
      const [leads] = decodeAs(ProjectionsAnswer, JSON.parse(last.stdout), 'projections status --json').projections
      const [first] = leads?.generations ?? []
      assert.equal([leads?.registry?.live, first?.generation, first?.role], [1, 1, 'live'])
      return first?.lag === 0 && first.position === head ? true : undefined
    },
    15000,
    200,
  ).catch((e: unknown) => assert.unreachable(`lag never reached 0: ${String(e)}; last answer ${(last as Ran | null)?.stdout}`))
})

test('projections status :: a table with every column', async ({ env, head }) => {
  const ran = await leadstream(['projections', 'status'], env)
  assert.is(ran.code, 0, ran.stderr)
  const [header, row] = ran.stdout.trimEnd().split('\n')
  assert.match(header ?? '', /PROJECTION\s+GEN\s+ROLE\s+STATE\s+POSITION\/HEAD\s+LAG\s+EVENTS\/S\s+ETA\s+LAST ERROR/)
  assert.match(row ?? '', new RegExp(`^leads\\s+1\\s+live\\s+live\\s+${head}/${head}\\s+0\\s`))
})

test('projections rebuild :: waits until generation 2 is live, with progress (rate, ETA) on stderr', async ({ env }) => {
  const ran = await leadstream(['projections', 'rebuild', 'leads'], env)
  assert.is(ran.code, 0, ran.stderr)
  assert.match(ran.stdout, /leads: generation 2 is live/)
  assert.match(ran.stderr, /leads generation 2: \d+\/\d+ events \(\d+%\), [\d.]+ events\/s, ETA \S+/)
  assert.match(ran.stderr, /\(100%\)/, 'the last progress line shows it complete')
  const status = decodeAs(ProjectionsAnswer, JSON.parse((await leadstream(['projections', 'status', '--json'], env)).stdout)).projections[0]
  assert.equal([status?.registry?.live, status?.registry?.building], [2, null])
  assert.equal(
    status?.generations.map((g) => [g.generation, g.role]),
    [[2, 'live']],
  )
})

test('projections rebuild :: an unknown projection exits 1 naming the known ones', async ({ env }) => {
  const ran = await leadstream(['projections', 'rebuild', 'nope'], env)
  assert.is(ran.code, 1)
  assert.match(ran.stderr, /404 NotFound/)
  assert.match(ran.stderr, /name: no projection nope; known: leads/)
})

test('projections pause|resume :: the registry follows', async ({ env }) => {
  const paused = await leadstream(['projections', 'pause', 'leads'], env)
  assert.is(paused.code, 0, paused.stderr)
  assert.match(paused.stdout, /leads: paused/)
  const table = await leadstream(['projections', 'status'], env)
  assert.match(table.stdout, /leads\s+2\s+live\s+paused/)
  const resumed = await leadstream(['projections', 'resume', 'leads', '--json'], env)
  assert.is(resumed.code, 0, resumed.stderr)
  assert.is(decodeAs(PauseChanged, JSON.parse(resumed.stdout)).registry.paused, false)
})

test('dead-letters list :: --json lists the rejected leads, without their payloads', async ({ env, deadLetterIds }) => {
  const ran = await leadstream(['dead-letters', 'list', '--status', 'open', '--json'], env)
  assert.is(ran.code, 0, ran.stderr)
  const page = JSON.parse(ran.stdout)
  assert.equal(
    page.items.map((d: { id: number }) => d.id),
    deadLetterIds,
  )
  assert.ok(
    page.items.every(
      (d: { problems: Array<{ reason: string }>; payload?: string }) => d.payload === undefined && d.problems.some((p) => p.reason.includes('Bing')),
    ),
  )
  const table = await leadstream(['dead-letters', 'list'], env)
  assert.is(table.code, 0, table.stderr)
  assert.match(table.stdout, /LeadSource: unknown lead source "Bing"/)
  for (const out of [ran.stdout, table.stdout]) assert.not.match(out, /@example\.com/i, 'no contact data in a list')
})

test('dead-letters show :: the payload as received, for the operator who asks', async ({ env, deadLetterIds }) => {
  const ran = await leadstream(['dead-letters', 'show', String(deadLetterIds[0])], env)
  assert.is(ran.code, 0, ran.stderr)
  assert.match(ran.stdout, new RegExp(`dead letter ${deadLetterIds[0]} \\(open\\)`))
  assert.match(ran.stdout, /"LeadSource": "Bing"/)
  assert.match(ran.stdout, /@example\.com/i)
})

test('dead-letters replay :: a source still unmapped exits 1 with the reason', async ({ env, deadLetterIds }) => {
  const ran = await leadstream(['dead-letters', 'replay', String(deadLetterIds[0])], env)
  assert.is(ran.code, 1)
  assert.match(ran.stderr, /422 StillRejected/)
  assert.match(ran.stderr, /LeadSource: unknown lead source "Bing"/)
})

test('dead-letters discard :: exits 0; discarding again exits 1 (not open)', async ({ env, deadLetterIds }) => {
  const id = String(deadLetterIds[1])
  const ran = await leadstream(['dead-letters', 'discard', id], env)
  assert.is(ran.code, 0, ran.stderr)
  assert.match(ran.stdout, new RegExp(`dead letter ${id} discarded`))
  const discarded = JSON.parse((await leadstream(['dead-letters', 'list', '--status', 'discarded', '--json'], env)).stdout)
  assert.equal(
    discarded.items.map((d: { id: number }) => d.id),
    [deadLetterIds[1]],
  )
  const again = await leadstream(['dead-letters', 'discard', id], env)
  assert.is(again.code, 1)
  assert.match(again.stderr, /409 NotOpen/)
})

test('events stream :: --json prints the lead’s LeadCaptured, and its transition with the note opened', async ({ env, leadIds }) => {
  const leadId = leadIds[0]!
  const ran = await leadstream(['events', 'stream', leadId, '--json'], env)
  assert.is(ran.code, 0, ran.stderr)
  const stream = decodeAs(StreamAnswer, JSON.parse(ran.stdout))
  assert.is(stream.events[0]?.type, 'LeadCaptured')
  assert.is(decodeAs(LeadData, stream.events[0]?.data).leadId, leadId)
  assert.equal(
    [stream.events[1]?.type, (stream.events[1]?.data as { personal?: unknown } | undefined)?.personal],
    ['LeadContacted', { open: { note: 'wrote back about pricing' } }],
  )
  const table = await leadstream(['events', 'stream', leadId], env)
  assert.match(table.stdout, 'wrote back about pricing')
})

test('events tail :: --from 0 prints every event as a JSON line, in log order', async ({ env, head }) => {
  const ran = await leadstream(['events', 'tail', '--from', '0'], env)
  assert.is(ran.code, 0, ran.stderr)
  const positions = ran.stdout
    .trimEnd()
    .split('\n')
    .map((l) => decodeAs(RecordedEventView, JSON.parse(l)).position)
  assert.equal(
    positions,
    Array.from({ length: head }, (_, i) => i + 1),
  )
  const newest = (await leadstream(['events', 'tail'], env)).stdout.trimEnd().split('\n')
  assert.is(newest.length, 10, 'by default the newest ten')
})

test('events tail :: --follow prints events recorded later, until SIGINT (exit 0)', async ({ server, env, head }) => {
  const child = spawnCli(['events', 'tail', '--from', String(head), '--follow'], env)
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
  const exited = new Promise<number | null>((done) => child.once('close', (code) => done(code)))
  try {
    const lines = () => out.split('\n').filter((l) => l !== '')
    const until = (n: number) => eventually(`${n} lines from events tail --follow`, () => (lines().length >= n ? true : undefined), 10000, 50)
    await until(1)
    assert.is(lines().length, 1, 'the event at --from')
    const later = typed(LeadAccepted, await http('POST', `${server.url}/v1/marketplace/leads`, marketplaceLead(5000, rng(5)).payload))
    assert.is(later.status, 201)
    await until(2)
    assert.is(decodeAs(LeadData, decodeAs(RecordedEventView, JSON.parse(lines()[1]!)).data).leadId, later.body.leadId)
    child.kill('SIGINT')
    assert.is(await exited, 0)
  } finally {
    child.kill('SIGKILL')
  }
})

test('usage :: unknown commands and flags exit 2 with the usage on stderr; --help exits 0', async ({ env }) => {
  for (const args of [
    ['projections', 'frobnicate'],
    ['dead-letters', 'list', '--bogus'],
    ['projections', 'rebuild'],
    ['dead-letters', 'show', 'x'],
    ['nope'],
    [],
  ]) {
    const ran = await leadstream(args, env)
    assert.is(ran.code, 2, `${args.join(' ')}: ${ran.stderr}`)
    assert.match(ran.stderr, /Usage: leadstream/)
    assert.is(ran.stdout, '')
  }
  const help = await leadstream(['projections', 'rebuild', '--help'], env)
  assert.is(help.code, 0)
  assert.match(help.stdout, /Usage: leadstream projections rebuild <name>/)
  assert.match(help.stdout, /--no-wait/)
})

test('connection :: a server not there exits 1 naming the URL', async () => {
  const url = `http://127.0.0.1:${await closedPort()}`
  const ran = await leadstream(['projections', 'status'], { LEADSTREAM_URL: url })
  assert.is(ran.code, 1)
  assert.match(ran.stderr, `cannot reach the projector at ${url} (connection refused)`)
})

test('relay reseed :: without a relay, exits 1 saying which URL and why', async ({ env }) => {
  const url = `http://127.0.0.1:${await closedPort()}`
  const ran = await leadstream(['relay', 'reseed'], { ...env, LEADSTREAM_RELAY_URL: url })
  assert.is(ran.code, 1)
  assert.match(ran.stderr, `cannot reach the relay at ${url} (connection refused)`)
  // the embedded server has no relay routes: the 404 says so
  const embedded = await leadstream(['relay', 'reseed'], env)
  assert.is(embedded.code, 1)
  assert.match(embedded.stderr, /404 NotFound/)
  assert.match(embedded.stderr, /the embedded mode has no relay/)
})

test('webhooks :: add prints the secret once, list and show the status, replay, remove; a plain-http URL is refused naming url', async ({ env }) => {
  const refused = await leadstream(['webhooks', 'add', 'http://crm.example.com/hook'], env)
  assert.is(refused.code, 1)
  assert.match(refused.stderr, /url: expected an https URL/)
  const bad = await leadstream(['webhooks', 'add', 'https://crm.example.com/hook', '--events', 'lead.teleported'], env)
  assert.is(bad.code, 2)
  const added = await leadstream(
    ['webhooks', 'add', 'https://crm.example.com/hook', '--events', 'lead.captured,lead.state_changed', '--storefronts', 'AppSource', '--json'],
    env,
  )
  assert.is(added.code, 0, added.stderr)
  const { subscription, secret } = decodeAs(SubscriptionCreated, JSON.parse(added.stdout), 'webhooks add --json')
  assert.match(secret, /^whsec_/)
  assert.equal(subscription.filters, { storefronts: ['AppSource'] })
  const list = await leadstream(['webhooks', 'list'], env)
  assert.is(list.code, 0, list.stderr)
  assert.match(list.stdout, /ID\s+URL\s+PENDING\s+PARKED\s+LAG\s+LAST SUCCESS\s+FAILURES\s+CIRCUIT/)
  assert.ok(list.stdout.includes(subscription.id))
  assert.not.ok(list.stdout.includes(secret), 'the secret is never listed')
  const show = await leadstream(['webhooks', 'show', subscription.id], env)
  assert.is(show.code, 0, show.stderr)
  assert.match(show.stdout, /events: lead\.captured, lead\.state_changed/)
  assert.match(show.stdout, /failure rate 0\.0% of 0 attempts/)
  const parked = await leadstream(['webhooks', 'replay', subscription.id, '--parked'], env)
  assert.is(parked.code, 0, parked.stderr)
  assert.match(parked.stdout, /0 deliveries queued again/)
  // From the log: this server's leads are AppSource captures; --wait follows the replay until it is done.
  const replay = await leadstream(['webhooks', 'replay', subscription.id, '--since', '2026-01-01T00:00:00Z', '--wait'], env)
  assert.is(replay.code, 0, replay.stderr)
  assert.match(
    replay.stdout,
    new RegExp(`webhook ${subscription.id}: replay from time 2026-01-01T00:00:00.000Z done: \\d+ log events read, \\d+ deliveries queued`),
  )
  const fromPosition = await leadstream(['webhooks', 'replay', subscription.id, '--from-position', '0', '--wait', '--json'], env)
  assert.is(fromPosition.code, 0, fromPosition.stderr)
  assert.is(decodeAs(WebhookReplayed, JSON.parse(fromPosition.stdout), 'webhooks replay --json').replay?.state, 'done')
  assert.is((await leadstream(['webhooks', 'replay', subscription.id, '--since', '2026-01-01T00:00:00Z', '--from-position', '3'], env)).code, 2)
  assert.match((await leadstream(['webhooks', 'show', subscription.id], env)).stdout, /replay from position 0 done: \d+ log events read/)
  assert.is((await leadstream(['webhooks', 'replay', subscription.id], env)).code, 2)
  assert.is((await leadstream(['webhooks', 'remove', subscription.id], env)).code, 0)
  const gone = await leadstream(['webhooks', 'show', subscription.id], env)
  assert.is(gone.code, 1)
  assert.match(gone.stderr, /404/)
})

test.run()

const auth = suite<{ server: TestServer }>('leadstream cli with operator tokens')

auth.before(async (ctx) => {
  ctx.server = await startTestServer({ LEADSTREAM_OPERATOR_TOKENS: 'op' })
})
auth.after(async ({ server }) => server.dispose())

auth('tokens :: without one exits 1 showing 401; --token or LEADSTREAM_TOKEN gets through', async ({ server }) => {
  const env = { LEADSTREAM_URL: server.url }
  const missing = await leadstream(['projections', 'status'], env)
  assert.is(missing.code, 1)
  assert.match(missing.stderr, /401 Unauthorized/)
  assert.match(missing.stderr, /--token/)
  const flag = await leadstream(['projections', 'status', '--token', 'op'], env)
  assert.is(flag.code, 0, flag.stderr)
  assert.match(flag.stdout, /^PROJECTION/)
  const variable = await leadstream(['dead-letters', 'list', '--json'], { ...env, LEADSTREAM_TOKEN: 'op' })
  assert.is(variable.code, 0, variable.stderr)
  assert.equal(JSON.parse(variable.stdout).items, [])
  const wrong = await leadstream(['projections', 'status', '--token', 'nope'], env)
  assert.is(wrong.code, 1)
  assert.match(wrong.stderr, /unknown token/)
})

auth.run()
