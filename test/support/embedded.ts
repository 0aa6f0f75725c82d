// Starts the embedded server in-process on a loopback port over a fresh temp data dir (a real HTTP server).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as t from 'io-ts'
import { fromValidation } from '@leadstream/domain'
import { embeddedSettings, startEmbedded, type Running } from '@leadstream/embedded'
import { createLogger, loadConfig } from '@leadstream/runtime'

export interface TestServer extends Running {
  readonly dataDir: string
  /** Stops the server and deletes its data. */
  dispose(): Promise<void>
}

/** Starts a server over a fresh temp dir, or over `dataDir` to restart on the data of an earlier one. */
export const startTestServer = async (
  env: Record<string, string> = {},
  dataDir = mkdtempSync(join(tmpdir(), 'leadstream-e2e-')),
  now?: () => Date,
): Promise<TestServer> => {
  const config = loadConfig(embeddedSettings, { LEADSTREAM_DATA_DIR: dataDir, LEADSTREAM_PORT: '0', LEADSTREAM_LOG_LEVEL: 'silent', ...env })
  if (E.isLeft(config)) throw new Error(config.left.join('; '))
  const running = await startEmbedded(config.right, createLogger('test', 'silent'), now)
  return {
    ...running,
    dataDir,
    dispose: async () => {
      await running.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  // JSON bodies are checked field by field in the tests.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any
}

export const http = async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON (metrics text): keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed }
}

/** A clock that starts at a fixed instant and moves 1 ms per reading: two runs of one scenario read the same times. */
export const steppingClock = (start = Date.parse('2026-11-25T10:00:00Z')): (() => Date) => {
  let t = start
  return () => new Date(t++)
}

/** Decodes a body with the contract's codec (packages/api): the test reads typed fields, or fails naming the path. */
export const decodeAs = <A>(codec: t.Decoder<unknown, A>, body: unknown, what = 'the answer'): A =>
  pipe(
    codec.decode(body),
    E.getOrElseW((errors) => {
      throw new Error(`${what} does not match ${codec.name}: ${fromValidation(errors).map((p) => `${p.path}: ${p.reason}`).join('; ')}`)
    }),
  )

/** GET a JSON answer, decoded with its codec. */
export const getJson = async <A>(codec: t.Decoder<unknown, A>, url: string, headers: Record<string, string> = {}): Promise<{ readonly status: number; readonly headers: Headers; readonly body: A }> => {
  const a = await http('GET', url, undefined, headers)
  return { ...a, body: decodeAs(codec, a.body, `GET ${url} (${a.status})`) }
}
