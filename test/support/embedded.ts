// Starts the embedded server in-process on a loopback port over a fresh temp data dir (a real HTTP server).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as t from 'io-ts'
import type { BatchAnswer, ItemResult } from '@leadstream/api'
import { fromValidation } from '@leadstream/domain'
import { embeddedSettings, startEmbedded, type Running } from '@leadstream/embedded'
import { createLogger, loadConfig } from '@leadstream/runtime'
import { testIdentitySecret } from './privacy.js'

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
  // One identity secret for every test server: two runs of a scenario derive the same lead ids.
  const config = loadConfig(embeddedSettings, {
    LEADSTREAM_DATA_DIR: dataDir,
    LEADSTREAM_PORT: '0',
    LEADSTREAM_LOG_LEVEL: 'silent',
    LEADSTREAM_IDENTITY_SECRET: testIdentitySecret,
    ...env,
  })
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

export interface Answer<A = unknown> {
  readonly status: number
  readonly headers: Headers
  /** Parsed JSON (or the text when it is not JSON); decode it with the route's codec to read fields (`typed`). */
  readonly body: A
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
      throw new Error(
        `${what} does not match ${codec.name}: ${fromValidation(errors)
          .map((p) => `${p.path}: ${p.reason}`)
          .join('; ')}`,
      )
    }),
  )

/** An answer whose body is decoded with the contract's codec for its status (packages/api). */
export const typed = <A>(codec: t.Decoder<unknown, A>, a: Answer): Answer<A> => ({ ...a, body: decodeAs(codec, a.body, `an answer ${a.status}`) })

/** GET a JSON answer, decoded with its codec. */
export const getJson = async <A>(codec: t.Decoder<unknown, A>, url: string, headers: Record<string, string> = {}): Promise<Answer<A>> =>
  typed(codec, await http('GET', url, undefined, headers))

/** The item of a batch answer at `index` when it has this status (the test fails naming what it was otherwise). */
export const itemAt = <S extends ItemResult['status']>(batch: BatchAnswer, index: number, status: S): Extract<ItemResult, { status: S }> => {
  const item = batch.results[index]
  if (item?.status !== status) throw new Error(`item ${index} of the batch is ${item?.status ?? 'missing'}, not ${status}: ${JSON.stringify(item)}`)
  return item as Extract<ItemResult, { status: S }>
}
