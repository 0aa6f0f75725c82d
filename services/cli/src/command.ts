// The shape of a command group and of one command, what a command gets to run, and the exit codes.
// A group module (projections.ts, deadLetters.ts, …) exports `commands`; groups.ts registers it. Heavy imports
// (codecs, stores) belong inside `run` or in modules only `run` reaches, so that `--help` stays instant.
import { setTimeout as wait } from 'node:timers/promises'
import type { Endpoints } from './endpoints.js'
import type { Api, Failure } from './http.js'
import type { Io } from './render.js'

export const exitCode = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const

/** The parsed flags, global ones included, under commander's camelCase keys (`--data-dir` → `dataDir`). */
export type Values = Readonly<Record<string, unknown>>

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
  /** More text for `--help`, below the options. */
  readonly details?: string
  /** commander flags and their help: `['--limit <n>', 'at most N']`, `['-f, --follow', '…']`, `['--no-wait', '…']`. */
  readonly options?: ReadonlyArray<readonly [flags: string, help: string]>
  /** What `--json` prints, when the command prints JSON with it. */
  readonly json?: string
  run(ctx: Context, args: ReadonlyArray<string>, values: Values): Promise<number>
}

/** A non-negative integer written in decimal, or null. */
export const wholeNumber = (s: unknown): number | null => (typeof s === 'string' && /^\d{1,15}$/.test(s) ? Number(s) : null)

export const jsonOut = (ctx: Context, value: unknown): number => {
  ctx.io.out(`${JSON.stringify(value, null, 2)}\n`)
  return exitCode.ok
}

/** Waits `ms`; false when SIGINT came first. */
export const sleep = (ms: number, signal: AbortSignal): Promise<boolean> => wait(ms, true, { signal }).catch(() => false)
