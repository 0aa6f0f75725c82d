// The CLI as operators run it: `leadstream …` as a child process from the workspace root (as `pnpm leadstream`
// does), with the parent's LEADSTREAM_* settings left out so a developer's own cannot leak in.
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { resolve } from 'node:path'
import type { Readable } from 'node:stream'

const workspaceRoot = resolve(import.meta.dirname, '..', '..')

export interface Ran {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
}

const environment = (env: Readonly<Record<string, string>>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEADSTREAM_'))),
  ...env,
})

export const spawnCli = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): ChildProcessByStdio<null, Readable, Readable> =>
  spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', ...args], {
    cwd: workspaceRoot,
    env: environment(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })

/** Runs the CLI to its end; `started` gets the child (to kill it midway). */
export const leadstream = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
  started?: (child: ReturnType<typeof spawnCli>) => void,
): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawnCli(args, env)
    started?.(child)
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', reject)
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }))
  })
