// Cold start to "serving": how long each service takes from `node …` until its /healthz answers, run from the
// TypeScript sources through tsx and from the build (`pnpm build`), plus `leadstream --help`. Small and quick:
// a fresh data directory per run, `COLDSTART_RUNS` runs each (median, min, max). Needs `pnpm build` first and,
// for relay and projector, the Kafka broker at KAFKA_BROKERS. Usage: node --import tsx test/bench/coldstart.ts
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

const root = resolve(import.meta.dirname, '..', '..')
const runs = Number(process.env['COLDSTART_RUNS'] ?? '5')
const brokers = process.env['KAFKA_BROKERS'] ?? '127.0.0.1:19092'
const services = ['embedded', 'ingest', 'relay', 'projector', 'query-api'] as const
const tag = `coldstart-${process.pid}`

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? NaN
}

/** Milliseconds from spawn until GET /healthz answers (any status: the process serves HTTP). */
const timeToServing = async (args: ReadonlyArray<string>, port: number): Promise<number> => {
  const data = mkdtempSync(join(tmpdir(), `${tag}-`))
  const env = {
    PATH: process.env['PATH'] ?? '',
    LEADSTREAM_DATA_DIR: data,
    LEADSTREAM_PORT: String(port),
    LEADSTREAM_LOG_LEVEL: 'warn',
    KAFKA_BROKERS: brokers,
    LEADSTREAM_EVENTS_TOPIC: `${tag}-events`,
    LEADSTREAM_INBOUND_TOPIC: `${tag}-inbound`,
    LEADSTREAM_DLQ_TOPIC: `${tag}-dlq`,
    LEADSTREAM_PROJECTOR_GROUP: `${tag}-projector`,
    LEADSTREAM_INGEST_GROUP: `${tag}-ingest`,
  }
  const started = performance.now()
  const child = spawn(process.execPath, [...args], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] })
  let err = ''
  child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s))
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${args.join(' ')} exited ${child.exitCode}: ${err}`)
      if (performance.now() - started > 60000) throw new Error(`${args.join(' ')}: not serving after 60 s: ${err}`)
      try {
        await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) })
        return performance.now() - started
      } catch {
        await sleep(5)
      }
    }
  } finally {
    child.kill('SIGKILL')
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)))
    rmSync(data, { recursive: true, force: true })
  }
}

const timeToExit = async (args: ReadonlyArray<string>): Promise<number> => {
  const started = performance.now()
  const child = spawn(process.execPath, [...args], { cwd: root, stdio: 'ignore' })
  await new Promise((r) => child.once('exit', r))
  return performance.now() - started
}

const rows: Array<[string, string, string]> = []
const measure = async (name: string, once: () => Promise<number>) => {
  const xs: number[] = []
  for (let i = 0; i < runs; i++) xs.push(await once())
  const fmt = (v: number) => `${Math.round(v)}`
  rows.push([name, fmt(median(xs)), `${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}`])
  console.log(`${name.padEnd(36)} median ${fmt(median(xs)).padStart(5)} ms  (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`)
}

let port = 19400 + (process.pid % 200)
for (const s of services) {
  await measure(`${s}: sources (tsx)`, () => timeToServing(['--import', 'tsx', `services/${s}/src/main.ts`], ++port))
  await measure(`${s}: build (node dist/main.mjs)`, () => timeToServing([`services/${s}/dist/main.mjs`], ++port))
}
await measure('leadstream --help: sources (tsx)', () => timeToExit(['--import', 'tsx', 'services/cli/src/main.ts', '--help']))
await measure('leadstream --help: build (dist/main.mjs)', () => timeToExit(['services/cli/dist/main.mjs', '--help']))

console.log(
  `\n${availableParallelism()} cores, load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}, ${runs} runs each, Node ${process.version}`,
)
console.log('\n| what | median ms | min–max ms |\n| --- | ---: | ---: |')
for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`)
