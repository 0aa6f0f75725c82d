// The production build and image: `deploy/build.mjs` compiles every service, `pnpm deploy --prod` of deploy/image
// lays out what the Docker image's runtime stage copies, and that tree is judged here (no Docker needed): no dev
// dependency in it, each service starts from it with plain `node` (no tsx there to lean on), the embedded server
// serves (its projector in a worker thread, the dashboard's files), and the Dockerfile's runtime stage copies
// that tree and nothing else.
import { execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { eventually } from '../support/eventually.js'

const root = resolve(import.meta.dirname, '..', '..')
const run = promisify(execFile)
const services = ['embedded', 'ingest', 'relay', 'projector', 'query-api', 'webhooks', 'cli'] as const

type Json = Readonly<Record<string, unknown>>
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json
const names = (deps: unknown): ReadonlyArray<string> => Object.keys(typeof deps === 'object' && deps !== null ? deps : {})

/** Every workspace package.json, the test package's included. */
const manifests = (): ReadonlyArray<{ readonly dir: string; readonly json: Json }> =>
  ['', ...['packages', 'services'].flatMap((d) => readdirSync(join(root, d)).map((n) => join(d, n))), 'test', 'deploy/image']
    .map((d) => join(root, d))
    .filter((d) => existsSync(join(d, 'package.json')))
    .map((dir) => ({ dir, json: readJson(join(dir, 'package.json')) }))

/**
 * `name@version` of each package only development needs: every devDependency, and the test package's
 * dependencies, that no other package depends on for production; the version as installed in the workspace.
 */
const devOnly = (): ReadonlyArray<string> => {
  const all = manifests()
  const production = new Set(all.filter((m) => !m.dir.endsWith('/test')).flatMap((m) => names(m.json['dependencies'])))
  const dev = all.flatMap((m) =>
    [...names(m.json['devDependencies']), ...(m.dir.endsWith('/test') ? names(m.json['dependencies']) : [])].map((n) => [m.dir, n] as const),
  )
  return [
    ...new Set(
      dev
        .filter(([, n]) => !production.has(n) && !n.startsWith('@leadstream/'))
        .map(([dir, n]) => `${n}@${String(readJson(join(dir, 'node_modules', n, 'package.json'))['version'])}`),
    ),
  ]
}

interface Ctx {
  tree: string
}

const test = suite<Ctx>('production image')

test.before(async (ctx) => {
  await run(process.execPath, ['deploy/build.mjs'], { cwd: root, timeout: 120000 })
  ctx.tree = join(mkdtempSync(join(tmpdir(), 'leadstream-image-')), 'app')
  // As the Dockerfile's build stage does (bootstrap.sh's node-gyp setting, should the native addon be rebuilt).
  const nodedir = resolve(dirname(process.execPath), '..')
  await run('pnpm', ['--filter', '@leadstream/image', 'deploy', '--prod', '--offline', ctx.tree], {
    cwd: root,
    timeout: 120000,
    env: { ...process.env, npm_config_nodedir: nodedir },
  })
})
test.after(({ tree }) => rmSync(dirname(tree), { recursive: true, force: true }))

test('deploy :: the tree holds every service’s build and no development dependency', ({ tree }) => {
  for (const s of services) assert.ok(existsSync(join(tree, 'node_modules', '@leadstream', s, 'dist', 'main.mjs')), `${s}: dist/main.mjs`)
  // A rebuild's view store writer thread starts by file name (without it a rebuild writes on the projector's own thread).
  for (const s of ['embedded', 'projector']) assert.ok(existsSync(join(tree, 'node_modules', '@leadstream', s, 'dist', 'writer.mjs')), `${s}: dist/writer.mjs`)
  const installed = readdirSync(join(tree, 'node_modules', '.pnpm')).map((d) => d.replace(/^(@[^+]+)\+/, '$1/'))
  const dev = devOnly()
  for (const must of ['tsx@', 'typescript@', 'esbuild@', 'uvu@'])
    assert.ok(
      dev.some((d) => d.startsWith(must)),
      `${must} is a dev dependency`,
    )
  const found = installed.filter((p) => dev.some((d) => p === d || p.startsWith(`${d}_`)))
  assert.equal(found, [], 'development dependencies in the production tree')
  for (const tool of ['tsx', 'typescript', 'esbuild'])
    assert.not.ok(
      installed.some((p) => p.startsWith(`${tool}@`)),
      `${tool} at any version`,
    )
  assert.not.ok(existsSync(join(tree, 'node_modules', '@leadstream', 'ingest', 'src')), 'no TypeScript sources: the services ship dist/')
})

test('deploy :: each service answers --help from the tree with plain node', async ({ tree }) => {
  for (const s of services) {
    const { stdout } = await run(process.execPath, [join(tree, 'node_modules', '@leadstream', s, 'dist', 'main.mjs'), '--help'], { cwd: tree, timeout: 30000 })
    assert.match(stdout, s === 'cli' ? /^Usage: leadstream <group>/ : /LEADSTREAM_/, s)
  }
  // The CLI's launcher (its package bin) runs the build there: the tree has no sources and no tsx.
  const { stdout } = await run(process.execPath, [join(tree, 'node_modules', '@leadstream', 'cli', 'bin', 'leadstream.mjs'), '--help'], {
    cwd: tree,
    timeout: 30000,
  })
  assert.match(stdout, /^Usage: leadstream <group>/)
})

test('deploy :: the embedded server serves from the tree, projector thread and dashboard included', async ({ tree }) => {
  const data = mkdtempSync(join(tmpdir(), 'leadstream-image-data-'))
  const child = spawn(process.execPath, [join(tree, 'node_modules', '@leadstream', 'embedded', 'dist', 'main.mjs')], {
    cwd: tree,
    env: {
      PATH: process.env['PATH'] ?? '',
      LEADSTREAM_DATA_DIR: data,
      LEADSTREAM_PORT: '0',
      LEADSTREAM_PROJECTOR_THREAD: 'worker',
      LEADSTREAM_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s))
  try {
    const url = await eventually('the embedded server’s serving line', () => /leadstream is serving at (http:\/\/\S+)/.exec(out)?.[1], 20000)
    const health = await fetch(`${url}/healthz`)
    assert.is(health.status, 200, await health.text())
    const chart = await fetch(`${url}/dashboard/chart.umd.min.js`)
    assert.is(chart.status, 200)
    assert.match(await chart.text(), /Chart\.js v4/)
  } finally {
    child.kill('SIGKILL')
    rmSync(data, { recursive: true, force: true })
  }
})

/** The source modules a bundle file holds and, through its static imports, loads with it (esbuild's path comments). */
const staticallyLoaded = (dir: string, file: string, seen = new Set<string>()): ReadonlySet<string> => {
  if (seen.has(file)) return seen
  seen.add(file)
  const text = readFileSync(join(dir, file), 'utf8')
  for (const m of text.matchAll(/(?:from|import) "\.\/([\w.-]+\.mjs)"/g)) staticallyLoaded(dir, m[1] ?? '', seen)
  return seen
}
const sourcesIn = (dir: string, files: ReadonlySet<string>): ReadonlyArray<string> =>
  [...files].flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/^\/\/ (\S+\.(?:[cm]?js|ts))$/gm)].map((m) => m[1] ?? ''))

test('cli :: `leadstream --help` loads commander and the group list only; a group’s codecs load when it runs', () => {
  const dist = join(root, 'services', 'cli', 'dist')
  const atStart = sourcesIn(dist, staticallyLoaded(dist, 'main.mjs'))
  assert.ok(
    atStart.some((s) => s.includes('/commander/')),
    'commander is loaded at start',
  )
  assert.ok(atStart.includes('services/cli/src/groups.ts'))
  for (const heavy of ['io-ts', 'fp-ts', 'packages/api/src', 'packages/domain/src', 'packages/event-store/src', 'cli-table3', 'cli-progress'])
    assert.not.ok(
      atStart.some((s) => s.includes(heavy)),
      `${heavy} is not loaded for --help`,
    )
  const group = readdirSync(dist).find((f) => /^projections-\w+\.mjs$/.test(f))
  assert.ok(group !== undefined, 'the projections group is a chunk of its own')
  assert.ok(
    sourcesIn(dist, staticallyLoaded(dist, group ?? '')).some((s) => s.includes('packages/api/src')),
    'its codecs load with it',
  )
})

/** The Dockerfile's stages: each `FROM` and the instructions under it, continuation lines joined. */
const stages = (text: string): ReadonlyArray<{ readonly from: string; readonly lines: ReadonlyArray<string> }> => {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  const out: Array<{ from: string; lines: string[] }> = []
  for (const l of lines) {
    if (/^FROM /i.test(l)) out.push({ from: l, lines: [] })
    else out.at(-1)?.lines.push(l)
  }
  return out
}

test('Dockerfile :: the runtime stage copies only the production tree and runs the build with plain node', () => {
  const all = stages(readFileSync(join(root, 'deploy', 'Dockerfile'), 'utf8'))
  assert.ok(all.length >= 2, 'multi-stage')
  const build = all[0]!
  const runtime = all.at(-1)!
  assert.match(build.from, / AS build$/i)
  assert.ok(
    build.lines.some((l) => /^RUN pnpm build$/.test(l)),
    'the build stage compiles',
  )
  assert.ok(
    build.lines.some((l) => /^RUN (npm_config_nodedir=\S+ )?pnpm --filter @leadstream\/image deploy --prod --offline \/app /.test(l)),
    'the build stage lays out /app with pnpm deploy --prod',
  )
  const copies = runtime.lines.filter((l) => /^COPY /i.test(l))
  assert.equal(copies, ['COPY --from=build /app /app'], 'the runtime stage copies the deploy output only')
  for (const l of runtime.lines) assert.not.match(l, /\b(pnpm|npm|yarn|tsx|tsc)\b/, `runtime stage: ${l}`)
  const cmd = runtime.lines.find((l) => /^CMD /i.test(l))
  assert.equal(JSON.parse(cmd?.slice(4) ?? 'null'), ['node', 'services/embedded/dist/main.mjs'])
})

test.run()
