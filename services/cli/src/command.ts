// The shape of a command group and of one command, what a command gets to run, and the exit codes.
import type { ParseArgsConfig } from 'node:util'
import type { Api, Endpoints, Failure } from './http.js'
import type { Io } from './render.js'

export const exitCode = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

export type Options = NonNullable<ParseArgsConfig['options']>
export type Values = Readonly<Record<string, string | boolean | undefined>>

export interface Context {
  readonly api: Api
  readonly io: Io
  readonly endpoints: Endpoints
  /** `--json`: one JSON document (or JSON lines) on stdout, for scripts. */
  readonly json: boolean
  /** The environment the CLI was started with (settings such as LEADSTREAM_DATA_DIR). */
  readonly env: NodeJS.ProcessEnv
  /** Prints `message` and this command's usage on stderr; returns the usage exit code. */
  usage(message: string): number
  /** Prints a failed call on stderr; returns its exit code. */
  fail(f: Failure): number
}

export interface Command {
  readonly name: string
  /** Required positional arguments, as shown in the usage (`<name>`). */
  readonly args: ReadonlyArray<string>
  readonly summary: string
  readonly details?: string
  readonly options?: Options
  /** `[flag, explanation]` per option, `--json` included where it applies. */
  readonly optionHelp?: ReadonlyArray<readonly [string, string]>
  run(ctx: Context, args: ReadonlyArray<string>, values: Values): Promise<number>
}

export interface Group {
  readonly name: string
  readonly summary: string
  readonly commands: ReadonlyArray<Command>
}

/** A non-negative integer written in decimal, or null. */
export const wholeNumber = (s: string | boolean | undefined): number | null =>
  typeof s === 'string' && /^\d{1,15}$/.test(s) ? Number(s) : null

export const jsonOut = (ctx: Context, value: unknown): number => {
  ctx.io.out(`${JSON.stringify(value, null, 2)}\n`)
  return exitCode.ok
}

/** Waits `ms`; false when SIGINT came first. */
export const sleep = (ms: number, signal: AbortSignal): Promise<boolean> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve(false)
    const onAbort = () => {
      clearTimeout(timer)
      resolve(false)
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve(true)
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
