// The export step of `pnpm bench`: the whole lead list of the projection's views as CSV through the embedded
// server, read by a client in its own process, with the server process's memory and CPU sampled meanwhile.
// It runs twice: the first run's growth includes one-off costs (SQLite's page cache, V8 growing its young
// generation); the second shows whether memory grows with the rows (it must not).
import { runClient, startServer } from './server.js'

export interface ExportRun {
  readonly rows: number
  readonly bytes: number
  readonly seconds: number
  readonly rowsPerSecond: number
  /** CPU seconds of the server's process (all its threads) during the export. */
  readonly cpu: number
  /** Resident memory of the server's process just before the export, and its highest value during it (bytes). */
  readonly rssBefore: number
  readonly rssPeak: number
  readonly heapPeak: number
}

const once = async (url: string, expectedRows: number): Promise<ExportRun> => {
  const rssBefore = process.memoryUsage.rss()
  let rssPeak = rssBefore
  let heapPeak = process.memoryUsage().heapUsed
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss())
    heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed)
  }, 20)
  const c0 = process.cpuUsage()
  const r = await runClient({ mode: 'export', url, path: '/v1/exports/leads.csv' }).finally(() => clearInterval(sampler))
  const c = process.cpuUsage(c0)
  if (r.status !== 200) throw new Error(`export answered ${r.status}`)
  if (r.rows !== expectedRows) throw new Error(`the export has ${r.rows} rows, the views ${expectedRows} leads`)
  return { rows: r.rows, bytes: r.bytes, seconds: r.seconds, rowsPerSecond: r.rows / r.seconds, cpu: (c.user + c.system) / 1e6, rssBefore, rssPeak, heapPeak }
}

export const benchExport = async (dataDir: string, expectedRows: number): Promise<readonly [ExportRun, ExportRun]> => {
  const server = await startServer(dataDir)
  try {
    const first = await once(server.url, expectedRows)
    const second = await once(server.url, expectedRows)
    return [first, second]
  } finally {
    await server.close()
  }
}
