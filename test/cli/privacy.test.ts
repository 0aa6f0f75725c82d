// `leadstream privacy erase|export|status` run as operators run it (a child process) against a real embedded
// server: exit codes, what is printed, and that the email is never printed back.
import { spawn } from 'node:child_process'
import { resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ErasureAnswer, LeadAccepted, PrivacyStatus, SubjectExport } from '@leadstream/api'
import { decodeAs, http, startTestServer, type TestServer } from '../support/embedded.js'

const workspaceRoot = resolve(import.meta.dirname, '..', '..')

const leadstream = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((done, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', ...args], {
      cwd: workspaceRoot,
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEADSTREAM_'))), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code) => done({ code, stdout, stderr }))
  })

const email = 'cli.person@privacy-cli.example'
const test = suite<{ server: TestServer; env: Record<string, string> }>('leadstream privacy', {} as { server: TestServer; env: Record<string, string> })

test.before(async (ctx) => {
  ctx.server = await startTestServer()
  ctx.env = { LEADSTREAM_URL: ctx.server.url }
  const lead = { UserDetails: { FirstName: 'Clio', Email: email, Country: 'US' }, LeadSource: 'AzureMarketplace', ActionCode: 'INS', OfferTitle: 'Contoso VM' }
  decodeAs(LeadAccepted, (await http('POST', `${ctx.server.url}/v1/marketplace/leads`, lead)).body)
})
test.after(async (ctx) => {
  await ctx.server?.dispose()
})

test('export :: the document on stdout, decodable with the API codec', async (ctx) => {
  const r = await leadstream(['privacy', 'export', email], ctx.env)
  assert.is(r.code, 0, r.stderr)
  const doc = decodeAs(SubjectExport, JSON.parse(r.stdout))
  assert.is(doc.leads.length, 1)
  assert.is(doc.leads[0]?.lead?.customer.firstName, 'Clio')
  assert.match(r.stderr, /1 lead\(s\), 0 dead letter\(s\), 0 erasure\(s\)/)
})

test('erase :: says what it did, never prints the email; again is alreadyErased; usage errors exit 2', async (ctx) => {
  const r = await leadstream(['privacy', 'erase', email, '--by', 'dpo', '--reason', 'ticket 42'], ctx.env)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /^erased: 1 lead\(s\) redacted/)
  assert.not.ok((r.stdout + r.stderr).includes(email), 'the email is not printed back')
  const again = await leadstream(['privacy', 'erase', email, '--by', 'dpo', '--reason', 'ticket 42', '--json'], ctx.env)
  assert.is(again.code, 0, again.stderr)
  assert.is(decodeAs(ErasureAnswer, JSON.parse(again.stdout)).outcome, 'alreadyErased')
  assert.is((await leadstream(['privacy', 'erase', email, '--reason', 'x'], ctx.env)).code, 2, '--by is required')
  assert.is((await leadstream(['privacy', 'erase', 'not-an-email', '--by', 'dpo', '--reason', 'x'], ctx.env)).code, 2)
})

test('status :: retention off, the audit entries newest first', async (ctx) => {
  const r = await leadstream(['privacy', 'status'], ctx.env)
  assert.is(r.code, 0, r.stderr)
  assert.match(r.stdout, /retention: off/)
  assert.match(r.stdout, /alreadyErased[\s\S]*erased/)
  const json = decodeAs(PrivacyStatus, JSON.parse((await leadstream(['privacy', 'status', '--json'], ctx.env)).stdout))
  assert.equal(
    json.recent.map((e) => e.outcome),
    ['alreadyErased', 'erased'],
  )
  const run = await leadstream(['privacy', 'status', '--run-retention'], ctx.env)
  assert.is(run.code, 1, 'retention is off: the server refuses to run it')
  assert.match(run.stderr, /retention is off/)
})

test.run()
