// Starts any leadstream service (`services/<name>/src/main.ts`) as a real child process and waits until it
// prints `<name> is serving at <url>`. Every child still running is SIGKILLed when the test process exits.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { resolve } from 'node:path'

export const workspaceRoot = resolve(import.meta.dirname, '..', '..')

export interface ServiceExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

export interface Service {
  readonly name: string
  readonly url: string
  readonly pid: number
  kill(signal: NodeJS.Signals): void
  readonly exited: Promise<ServiceExit>
  output(): string
}

const live = new Set<ChildProcess>()
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

/** SIGKILLs every service this module started that still runs, and waits for them. */
export const killAllServices = async (): Promise<void> => {
  await Promise.all(
    [...live].map(
      (c) =>
        new Promise<void>((done) => {
          if (c.exitCode !== null || c.signalCode !== null) return done()
          c.once('exit', () => done())
          c.kill('SIGKILL')
        }),
    ),
  )
}

/** The line each main prints once listening: `leadstream` for the embedded mode, else the service's name. */
const bannerOf = (service: string) => (service === 'embedded' ? 'leadstream' : service)

/** A child that may not serve yet: what a test needs to kill it during its start. */
export interface Spawned {
  kill(signal: NodeJS.Signals): void
  readonly exited: Promise<ServiceExit>
}

/** A child running `services/<service>/src/main.ts`, its output collected. */
const spawnService = (service: string, env: Readonly<Record<string, string>>) => {
  // LEADSTREAM_TEST_NODE_ARGS adds Node flags to every child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile.
  const extra = (process.env['LEADSTREAM_TEST_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '')
  const proc = spawn(process.execPath, [...extra, '--import', 'tsx', `services/${service}/src/main.ts`], {
    cwd: workspaceRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  live.add(proc)
  const collected = { out: '' }
  proc.stdout.setEncoding('utf8').on('data', (s: string) => (collected.out += s))
  proc.stderr.setEncoding('utf8').on('data', (s: string) => (collected.out += s))
  const exited = new Promise<ServiceExit>((done) =>
    proc.once('exit', (code, signal) => {
      live.delete(proc)
      done({ code, signal })
    }),
  )
  const kill = (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
  }
  return { proc, exited, kill, collected }
}

/**
 * Runs a service that is expected to stop by itself (a start-up refusal): resolves with its exit and all it
 * printed once its pipes are drained; SIGKILLs it and rejects if it still runs after `timeoutMs`.
 */
export const runToExit = async (
  service: string,
  env: Readonly<Record<string, string>>,
  timeoutMs = 30000,
): Promise<ServiceExit & { readonly output: string }> => {
  const { proc, kill, collected } = spawnService(service, env)
  const timer = setTimeout(() => kill('SIGKILL'), timeoutMs)
  const [code, signal] = (await once(proc, 'close')) as [number | null, NodeJS.Signals | null]
  clearTimeout(timer)
  if (signal === 'SIGKILL') throw new Error(`${service} was still running after ${timeoutMs} ms; output:\n${collected.out}`)
  return { code, signal, output: collected.out }
}

/** `onSpawn` gets the child as soon as it exists, before it serves (e.g. to kill it mid-start). */
export const startService = (
  service: string,
  env: Readonly<Record<string, string>>,
  readyTimeoutMs = 30000,
  onSpawn?: (child: Spawned) => void,
): Promise<Service> => {
  const { proc, exited, kill, collected } = spawnService(service, env)
  onSpawn?.({ kill, exited })
  const banner = new RegExp(`${bannerOf(service)} is serving at (http://\\S+)`)
  return new Promise<Service>((ready, fail) => {
    const timer = setTimeout(() => {
      kill('SIGKILL')
      fail(new Error(`${service} did not print its URL within ${readyTimeoutMs} ms; output:\n${collected.out}`))
    }, readyTimeoutMs)
    const onData = () => {
      const m = banner.exec(collected.out)
      if (m === null || m[1] === undefined || proc.pid === undefined) return
      clearTimeout(timer)
      proc.stdout.off('data', onData)
      ready({ name: service, url: m[1], pid: proc.pid, kill, exited, output: () => collected.out })
    }
    proc.stdout.on('data', onData)
    void exited.then((e) => {
      clearTimeout(timer)
      fail(new Error(`${service} exited before serving (code ${e.code}, signal ${e.signal}); output:\n${collected.out}`))
    })
    proc.once('error', (e) => {
      clearTimeout(timer)
      fail(e)
    })
  })
}
