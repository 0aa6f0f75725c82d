// `pnpm build`: compiles each service to JavaScript that plain `node` runs, with esbuild (the compiler tsx
// already runs on; the type check is `tsc`, run before this by `pnpm build`).
//
// Why a bundler rather than `tsc -b`: the workspace packages export their TypeScript sources (tsx and the tests
// run them as they are, with nothing to rebuild); per-file tsc output would need a second, compiled export per
// package and a flag to choose between them. A bundle reads the same sources and gives each service a few
// files instead of hundreds of modules to resolve at start-up.
//
// Output, per service: services/<svc>/dist/main.mjs (and worker.mjs where the projector's worker thread runs, writer.mjs where a rebuild's
// view store writer thread does, webhooks-worker.mjs where the webhook dispatcher's does),
// plus chunks for what is imported lazily (the CLI's command groups, so `leadstream --help` loads little).
// Workspace packages and pure-JavaScript dependencies are bundled; native addons (better-sqlite3) and
// optional drivers stay external and are installed as the service's own production dependencies. Source maps
// sit beside the bundles: `NODE_OPTIONS=--enable-source-maps` makes stack traces name the TypeScript lines.
import { rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

/** Each service and its entry points (the projector's, the view store writer's and the webhook dispatcher's workers are entries: a thread starts each by file name). */
const writer = 'packages/view-store/src/sqlite/writer.ts'
export const services = {
  embedded: { main: 'services/embedded/src/main.ts', worker: 'services/projector/src/worker.ts', writer, 'webhooks-worker': 'services/webhooks/src/worker.ts' },
  ingest: { main: 'services/ingest/src/main.ts' },
  relay: { main: 'services/relay/src/main.ts' },
  projector: { main: 'services/projector/src/main.ts', worker: 'services/projector/src/worker.ts', writer },
  'query-api': { main: 'services/query-api/src/main.ts' },
  webhooks: { main: 'services/webhooks/src/main.ts' },
  cli: { main: 'services/cli/src/main.ts' },
}

/** Loaded at run time from node_modules: native addons, and drivers' optional peers that are not installed. */
export const external = ['better-sqlite3', 'pg-native', 'snappy', 'kerberos', 'lz4', 'cpu-features']

// Bundled CommonJS calls `require` for Node's built-ins; an ES module has none, so each output file makes one.
const banner = "import { createRequire as __leadstreamRequire } from 'node:module'; const require = __leadstreamRequire(import.meta.url);"

const buildService = async (name, entries) => {
  const outdir = join(root, 'services', name, 'dist')
  rmSync(outdir, { recursive: true, force: true })
  const result = await build({
    absWorkingDir: root,
    entryPoints: Object.entries(entries).map(([out, input]) => ({ in: input, out })),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    banner: { js: banner },
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  })
  const code = Object.entries(result.metafile.outputs).filter(([file]) => !file.endsWith('.map'))
  const bytes = code.reduce((n, [, o]) => n + o.bytes, 0)
  return `${name}: ${code.length} files, ${(bytes / 1024).toFixed(0)} KiB (and source maps)`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const only = process.argv.slice(2)
  const started = Date.now()
  const lines = await Promise.all(
    Object.entries(services)
      .filter(([name]) => only.length === 0 || only.includes(name))
      .map(([name, entries]) => buildService(name, entries)),
  )
  for (const line of lines) console.log(line)
  console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)}s`)
}
