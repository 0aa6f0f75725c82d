// The promise "killing the process at any moment and restarting loses nothing acknowledged and double-counts
// nothing", tested on a real `main.ts` child: SIGKILL under load at random moments, restart, check; and SIGTERM.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { killAllServices, startService, type Service, type ServiceExit } from '../support/services.js'
import { verify } from './verify.js'
import { mulberry32, sleep, Workload } from './workload.js'

const CLIENTS = 4
const KILL_ROUNDS = 3
/** Seeds the workload's choices and the kill delays (timing stays real): set it to replay a failing run. */
const seed = Number(process.env['LEADSTREAM_TEST_SEED'] ?? Math.floor(Math.random() * 2 ** 31))
const verbose = process.env['LEADSTREAM_TEST_VERBOSE'] === '1'

const dirs: string[] = []
const tempDataDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'leadstream-durability-'))
  dirs.push(d)
  return d
}

const serverEnv = (dataDir: string) => ({
  LEADSTREAM_DATA_DIR: dataDir,
  LEADSTREAM_PORT: '0',
  LEADSTREAM_HOST: '127.0.0.1',
  LEADSTREAM_LOG_LEVEL: process.env['LEADSTREAM_TEST_CHILD_LOG_LEVEL'] ?? 'warn',
  LEADSTREAM_INGEST_TOKENS: '',
  LEADSTREAM_ANALYST_TOKENS: '',
  LEADSTREAM_OPERATOR_TOKENS: '',
})

/** `p`, or a rejection naming `what` after `ms` (the timer is cleared either way, so it holds no process open). */
const within = <A>(p: Promise<A>, ms: number, what: string): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)))
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

/**
 * One round: start the server on `dataDir`, let the clients write (re-delivering first what the last round
 * left unanswered), send `signal` after `delayMs`, and wait for the exit. In-flight requests fail: unanswered.
 */
const round = async (w: Workload, dataDir: string, signal: NodeJS.Signals, delayMs: number): Promise<{ exit: ServiceExit; exitMs: number; child: Service }> => {
  const child = await startService('embedded', serverEnv(dataDir))
  w.queueRedeliveries()
  const live = { running: true }
  void child.exited.then(() => (live.running = false))
  const clients = Array.from({ length: CLIENTS }, (_, c) => w.client(child.url, c, live))
  await sleep(delayMs)
  const sentAt = Date.now()
  child.kill(signal)
  const exit = await within(child.exited, 10000, `exit after ${signal}`).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; server output:\n${child.output()}`)
  })
  const exitMs = Date.now() - sentAt
  await within(Promise.all(clients), 20000, 'clients to stop')
  return { exit, exitMs, child }
}

/**
 * The last start: re-deliver everything still unanswered until it is answered (upstream retries), re-send a
 * sample of answered pairs (each must be a duplicate), check, and stop gracefully.
 */
const settleAndVerify = async (w: Workload, dataDir: string) => {
  const child = await startService('embedded', serverEnv(dataDir))
  let exit: ServiceExit | null
  try {
    for (let attempt = 0; attempt < 5 && w.unacked().length > 0; attempt++) await w.resend(child.url, w.unacked())
    assert.is(w.unacked().length, 0, `[seed ${seed}] every pair answered after re-delivery`)

    const answered = [...w.pairs.values()].filter((p) => p.acked)
    const before = new Map(answered.map((p) => [p.key, p.accepted.length]))
    await w.resend(child.url, answered.slice(0, 40))
    const reaccepted = answered.slice(0, 40).filter((p) => p.accepted.length !== before.get(p.key))
    assert.equal(
      reaccepted.map((p) => p.key),
      [],
      `[seed ${seed}] re-delivering answered pairs writes nothing`,
    )

    const verdict = await verify(child.url, dataDir, w)
    if (verbose)
      console.log(
        `[seed ${seed}] ${verdict.events} events, ${verdict.leads} leads, ${w.pairs.size} pairs, ${verdict.writtenButUnanswered} written but unanswered, stats ${JSON.stringify(w.stats)}`,
      )
    assert.equal(verdict.failures, [], `[seed ${seed}] durability checks`)
    assert.ok(verdict.leads > 0, 'the workload captured leads')

    const health = await fetch(`${child.url}/healthz`)
    assert.is(health.status, 200, 'healthy after the restarts')
  } finally {
    child.kill('SIGTERM')
    exit = await within(child.exited, 10000, 'exit after SIGTERM').catch(() => {
      child.kill('SIGKILL')
      return null
    })
  }
  assert.equal(exit, { code: 0, signal: null }, `[seed ${seed}] the last server stops cleanly; output:\n${child.output()}`)
}

const durability = suite('durability')

durability.after(async () => {
  await killAllServices()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

durability('kill -9 :: nothing acknowledged is lost, nothing double-counted', async () => {
  const dataDir = tempDataDir()
  const rand = mulberry32(seed ^ 0x5eed)
  const w = new Workload(seed, CLIENTS, `k${seed}`)
  for (let r = 0; r < KILL_ROUNDS; r++) {
    const delayMs = 50 + Math.floor(rand() * 350)
    const { exit } = await round(w, dataDir, 'SIGKILL', delayMs)
    assert.equal(exit, { code: null, signal: 'SIGKILL' }, `round ${r + 1} ended by the kill`)
  }
  assert.ok(w.stats.batches > KILL_ROUNDS, 'the clients sent batches')
  await settleAndVerify(w, dataDir)
})

durability('SIGTERM :: graceful shutdown under load exits 0 within seconds and loses nothing', async () => {
  const dataDir = tempDataDir()
  const rand = mulberry32(seed ^ 0x7e4)
  const w = new Workload(seed + 1, CLIENTS, `t${seed}`)
  const { exit, exitMs, child } = await round(w, dataDir, 'SIGTERM', 100 + Math.floor(rand() * 300))
  assert.equal(exit, { code: 0, signal: null }, `exit code after SIGTERM; output:\n${child.output()}`)
  assert.ok(exitMs < 5000, `exited ${exitMs} ms after SIGTERM`)
  if (verbose) console.log(`[seed ${seed}] SIGTERM → exit in ${exitMs} ms`)
  await settleAndVerify(w, dataDir)
})

durability.run()
