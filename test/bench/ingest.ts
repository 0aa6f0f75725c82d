// HTTP ingest against a running embedded server: marketplace batches POSTed by a separate client process,
// with the in-process projection live (the real embedded figure) or paused through the operators' API (what
// ingest alone sustains), then the time until the views reflect the last acknowledged position.
import { mkdirSync } from 'node:fs'
import { leadsProjection } from '@leadstream/domain'
import type { IngestReport } from './client.js'
import { runClient, startServer } from './server.js'

export interface IngestRun {
  readonly report: IngestReport
  /** CPU seconds of the server's process (ingest, and the projector when live) while the client ran. */
  readonly serverCpu: number
  /** Seconds from the last answer (or from resuming a paused projection) until the views reached its position. */
  readonly catchUpSeconds: number
  /** Leads (test ones included) in the views once caught up. */
  readonly leadsInViews: number
}

const post = async (url: string): Promise<void> => {
  const res = await fetch(url, { method: 'POST' })
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text()}`)
}

export const ingestRun = async (
  dir: string,
  job: { readonly leads: number; readonly batch: number; readonly concurrency: number; readonly seed: number; readonly pauseProjection: boolean },
): Promise<IngestRun> => {
  mkdirSync(dir, { recursive: true })
  const server = await startServer(dir)
  try {
    const admin = `${server.url}/v1/admin/projections/${leadsProjection.name}`
    if (job.pauseProjection) await post(`${admin}/pause`)
    const c0 = process.cpuUsage()
    const report = await runClient({ mode: 'ingest', url: server.url, leads: job.leads, batch: job.batch, concurrency: job.concurrency, seed: job.seed })
    const c = process.cpuUsage(c0)
    const t0 = performance.now()
    if (job.pauseProjection) await post(`${admin}/resume`)
    for (;;) {
      const res = await fetch(`${server.url}/v1/views/qualification?includeTest=true&minPosition=${report.position}&waitMs=30000`)
      const body = (await res.json()) as { total?: number }
      if (res.status === 200)
        return { report, serverCpu: (c.user + c.system) / 1e6, catchUpSeconds: (performance.now() - t0) / 1000, leadsInViews: body.total ?? 0 }
      if (res.status !== 503) throw new Error(`views after ingest: HTTP ${res.status}`)
    }
  } finally {
    await server.close()
  }
}
