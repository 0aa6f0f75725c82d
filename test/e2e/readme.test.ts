// The README's walkthrough, run as written: the shell blocks a new user copies (Using it, lifecycle events from a
// CRM, importing history, Analytics) run in bash against an embedded server, with only its port put in place of
// 8080. Every curl must answer 2xx and every command exit 0; then the views hold what the README says they do.
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { FunnelAnswer, LeadAnswer, LeadPage, QualificationAnswer } from '@leadstream/api'
import { getJson, startTestServer, type TestServer } from '../support/embedded.js'

const root = resolve(import.meta.dirname, '..', '..')
const sections = ['## Using it', '### Lifecycle events from a CRM', '### Importing history', '## Analytics']

/** The ```sh blocks of the README under the given headings, in order. */
export const shellBlocks = (markdown: string, headings: ReadonlyArray<string>): ReadonlyArray<string> => {
  const blocks: string[] = []
  let heading = ''
  let block: string[] | null = null
  for (const line of markdown.split('\n')) {
    if (block !== null) {
      if (line.startsWith('```')) {
        if (headings.includes(heading)) blocks.push(block.join('\n'))
        block = null
      } else block.push(line)
    } else if (line.startsWith('```sh')) block = []
    else if (line.startsWith('#')) heading = line.trim()
  }
  return blocks
}

/**
 * What the blocks run with: curl fails on a 4xx/5xx (the README's `-s` hides them), and `pnpm leadstream` is the
 * CLI it names (run through tsx, from the temp directory the commands write their files in).
 */
const prologue = (tsx: string) => `set -euo pipefail
curl() { command curl --fail-with-body -sS "$@"; echo; }
pnpm() {
  if [ "$1" != leadstream ]; then echo "the test runs only pnpm leadstream, not: pnpm $*" >&2; return 1; fi
  shift; node --import '${tsx}' '${join(root, 'services', 'cli', 'src', 'main.ts')}' "$@"
}
`

const test = suite<{ server: TestServer; dir: string }>('readme')

test.before(async (ctx) => {
  ctx.server = await startTestServer()
  ctx.dir = mkdtempSync(join(tmpdir(), 'leadstream-readme-'))
})
test.after(async ({ server, dir }) => {
  await server.dispose()
  rmSync(dir, { recursive: true, force: true })
})

test("walkthrough :: the README's commands run as written, and the views then hold what it says", async ({ server, dir }) => {
  const blocks = shellBlocks(readFileSync(join(root, 'README.md'), 'utf8'), sections)
  assert.ok(blocks.length >= 4, `found ${blocks.length} blocks under ${sections.join(', ')}`)
  const host = new URL(server.url).host
  const script = prologue(import.meta.resolve('tsx')) + blocks.join('\n').replace(/(localhost|127\.0\.0\.1):8080/g, host)
  try {
    await promisify(execFile)('bash', ['-c', script], { cwd: dir, env: { ...process.env, LEADSTREAM_URL: server.url }, timeout: 60_000 })
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string }
    assert.unreachable(`a README command failed: ${String(stderr).slice(-1500)}\n--- stdout ---\n${String(stdout).slice(-1500)}`)
  }
  const get = <A>(codec: Parameters<typeof getJson<A>>[0], path: string) => getJson(codec, `${server.url}${path}`).then((a) => a.body)
  // The dashboard section's "Try it": AppSource nurture leads of the last 30 days hold Bo's lead, contacted.
  const since = new Date(Date.now() - 30 * 86_400_000).toISOString()
  const nurture = `storefront=AppSource&campaign=nurture&from=${since}`
  const bo = (await get(LeadPage, `/v1/leads?${nurture}`)).items
  assert.equal(
    bo.map((l) => [l.customer.firstName, l.state]),
    [['Bo', 'contacted']],
  )
  const funnel = await get(FunnelAnswer, `/v1/analytics/funnel?${nurture}`)
  assert.equal(
    funnel.stages.slice(0, 2).map((s) => s.reached),
    [1, 1],
  )
  assert.is((await get(QualificationAnswer, '/v1/views/qualification?storefront=AzureMarketplace')).total, 2, "Ann's lead and D-1002")
  // The lifecycle block's lead and the import's: at the states their events name.
  assert.is((await get(LeadAnswer, '/v1/leads/crm-lead-1')).lead.state, 'disqualified')
  assert.is((await get(LeadAnswer, '/v1/leads/D-1001')).lead.state, 'converted')
  assert.is((await get(LeadAnswer, '/v1/leads/D-1003')).lead.state, 'contacted')
})

test.run()
