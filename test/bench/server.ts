// The embedded server under test (in this process) and the load client (in its own process).
import { fork } from 'node:child_process'
import * as E from 'fp-ts/lib/Either.js'
import { embeddedSettings, startEmbedded, type Running } from '@leadstream/embedded'
import { createLogger, loadConfig } from '@leadstream/runtime'
import type { ExportJob, ExportReport, IngestJob, IngestReport, QueryJob, QueryReport } from './client.js'

/** The embedded mode on `dataDir`, listening on a free loopback port, logging errors only. */
export const startServer = async (
  dataDir: string,
  options: { readonly env?: Record<string, string>; readonly ports?: Parameters<typeof startEmbedded>[3] } = {},
): Promise<Running> => {
  const config = loadConfig(embeddedSettings, {
    LEADSTREAM_DATA_DIR: dataDir,
    LEADSTREAM_HOST: '127.0.0.1',
    LEADSTREAM_PORT: '0',
    LEADSTREAM_LOG_LEVEL: 'error',
    ...options.env,
  })
  if (E.isLeft(config)) throw new Error(`embedded config: ${config.left.join('; ')}`)
  return startEmbedded(config.right, createLogger('leadstream-bench', 'error'), undefined, options.ports)
}

/** Runs one job in a forked client process and resolves with its report. */
export function runClient(job: IngestJob): Promise<IngestReport>
export function runClient(job: QueryJob): Promise<QueryReport>
export function runClient(job: ExportJob): Promise<ExportReport>
export function runClient(job: IngestJob | QueryJob | ExportJob): Promise<IngestReport | QueryReport | ExportReport> {
  return new Promise((resolve, reject) => {
    // The child inherits this process's execArgv, which is how tsx loads TypeScript in it.
    const child = fork(new URL('./client.ts', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    let report: IngestReport | QueryReport | ExportReport | null = null
    child.once('message', (m) => {
      report = m as IngestReport | QueryReport | ExportReport
    })
    child.once('error', reject)
    child.once('exit', (code) => (report !== null ? resolve(report) : reject(new Error(`bench client exited with ${String(code)} and no report`))))
    child.send(job)
  })
}
