// The load client, run as its own process (forked by the benchmark) so that building requests and reading
// answers never shares a CPU or an event loop with the server it measures. One job per process, sent over IPC.
import { Agent, request } from 'node:http'
import { catalogue, followUp, newLeadSpec, payloadOf, type LeadSpec } from './leads.js'
import { rng } from './random.js'
import { latency, type Latency } from './stats.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface IngestJob {
  readonly mode: 'ingest'
  readonly url: string
  readonly leads: number
  readonly batch: number
  readonly concurrency: number
  readonly seed: number
}

export interface QueryJob {
  readonly mode: 'query'
  readonly url: string
  readonly requests: number
  readonly warmup: number
  /** Lead ids known to be in the views, for the detail route. */
  readonly leadIds: ReadonlyArray<string>
}

/** One export read to the end as fast as the client can take it (the bytes are counted, not kept). */
export interface ExportJob {
  readonly mode: 'export'
  readonly url: string
  readonly path: string
}

export type Job = IngestJob | QueryJob | ExportJob

export interface IngestReport {
  readonly mode: 'ingest'
  readonly sent: number
  readonly mix: Readonly<Record<'new' | 'redelivered' | 'followUp' | 'test' | 'noPersonalData' | 'lowerCaseKeys', number>>
  readonly accepted: number
  readonly duplicates: number
  readonly rejected: number
  readonly statuses: Readonly<Record<string, number>>
  /** Highest log position any answer reported: what the projection must reach. */
  readonly position: number
  readonly seconds: number
  readonly requestLatency: Latency
}

export interface QueryReport {
  readonly mode: 'query'
  readonly routes: ReadonlyArray<{ readonly name: string; readonly latency: Latency; readonly errors: number; readonly bytes: number }>
}

export interface ExportReport {
  readonly mode: 'export'
  readonly status: number
  /** Records after the header: one per lead. */
  readonly rows: number
  readonly bytes: number
  readonly seconds: number
}

export type Report = IngestReport | QueryReport | ExportReport

// ---------------------------------------------------------------------------------------------------------
// ingest: batches of marketplace leads POSTed by `concurrency` clients at once (fetch, keep-alive)
// ---------------------------------------------------------------------------------------------------------

/** Request bodies: mostly new leads, some re-deliveries and follow-up actions of leads sent before. */
const marketplaceBodies = (job: IngestJob): { bodies: string[]; mix: IngestReport['mix'] } => {
  const r = rng(job.seed)
  const offers = catalogue(rng(job.seed ^ 0x5eed))
  const sent: LeadSpec[] = []
  const mix = { new: 0, redelivered: 0, followUp: 0, test: 0, noPersonalData: 0, lowerCaseKeys: 0 }
  const bodies: string[] = []
  for (let done = 0; done < job.leads; ) {
    const items: unknown[] = []
    for (; items.length < job.batch && done < job.leads; done++) {
      const x = r.next()
      let spec: LeadSpec
      if (sent.length > 1000 && x < 0.03) {
        spec = r.pick(sent)
        mix.redelivered++
      } else if (sent.length > 1000 && x < 0.05) {
        spec = followUp(r, r.pick(sent))
        mix.followUp++
      } else {
        spec = newLeadSpec(r, offers, sent.length)
        sent.push(spec)
        mix.new++
        if (spec.customer.email.startsWith('MSFT_TEST')) mix.test++
        if (spec.customer.email === '') mix.noPersonalData++
      }
      const lower = r.chance(0.1)
      if (lower) mix.lowerCaseKeys++
      items.push(payloadOf(spec, lower))
    }
    bodies.push(JSON.stringify(items))
  }
  return { bodies, mix }
}

const runIngest = async (job: IngestJob): Promise<IngestReport> => {
  const { bodies, mix } = marketplaceBodies(job)
  const statuses: Record<string, number> = {}
  const samples: number[] = []
  let accepted = 0
  let duplicates = 0
  let rejected = 0
  let position = 0
  let next = 0
  const worker = async () => {
    for (let i = next++; i < bodies.length; i = next++) {
      const t0 = performance.now()
      const res = await fetch(`${job.url}/v1/marketplace/leads`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: bodies[i] })
      const summary = (await res.json()) as { accepted?: number; duplicates?: number; rejected?: number; position?: number }
      samples.push(performance.now() - t0)
      statuses[res.status] = (statuses[res.status] ?? 0) + 1
      accepted += summary.accepted ?? 0
      duplicates += summary.duplicates ?? 0
      rejected += summary.rejected ?? 0
      position = Math.max(position, summary.position ?? 0)
    }
  }
  const t0 = performance.now()
  await Promise.all(Array.from({ length: job.concurrency }, worker))
  const seconds = (performance.now() - t0) / 1000
  return { mode: 'ingest', sent: job.leads, mix, accepted, duplicates, rejected, statuses, position, seconds, requestLatency: latency(samples) }
}

// ---------------------------------------------------------------------------------------------------------
// queries: sequential GETs over one keep-alive connection
// ---------------------------------------------------------------------------------------------------------

const runQueries = async (job: QueryJob): Promise<QueryReport> => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const get = (path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request(`${job.url}${path}`, { agent }, (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
        res.on('error', reject)
      })
      req.on('error', reject)
      req.end()
    })

  let idIndex = 0
  const paged = '/v1/leads?storefront=AppSource&offerKind=unclassified&limit=50'
  let cursor: string | null = null
  const routes: ReadonlyArray<{ name: string; path: () => string; after?: (body: string) => void }> = [
    { name: 'GET /v1/views/storefronts', path: () => '/v1/views/storefronts' },
    { name: 'GET /v1/views/campaigns', path: () => '/v1/views/campaigns' },
    { name: 'GET /v1/views/qualification', path: () => '/v1/views/qualification' },
    { name: 'GET /v1/leads?state=captured&limit=50', path: () => '/v1/leads?state=captured&limit=50' },
    {
      // Pages through the list, each request with the cursor the previous answer gave (back to the start at the end).
      name: 'GET /v1/leads?storefront=AppSource&offerKind=unclassified&limit=50&cursor=…',
      path: () => (cursor === null ? paged : `${paged}&cursor=${encodeURIComponent(cursor)}`),
      after: (body) => {
        cursor = (JSON.parse(body) as { next: string | null }).next
      },
    },
    { name: 'GET /v1/leads/{id}', path: () => `/v1/leads/${encodeURIComponent(job.leadIds[idIndex++ % job.leadIds.length] ?? '')}` },
  ]

  const report: QueryReport['routes'][number][] = []
  for (const route of routes) {
    const samples: number[] = []
    let errors = 0
    let bytes = 0
    for (let i = 0; i < job.warmup + job.requests; i++) {
      const t0 = performance.now()
      const res = await get(route.path())
      const ms = performance.now() - t0
      if (res.status !== 200) errors++
      else route.after?.(res.body)
      if (i >= job.warmup) {
        samples.push(ms)
        bytes += res.body.length
      }
    }
    report.push({ name: route.name, latency: latency(samples), errors, bytes: Math.round(bytes / Math.max(1, samples.length)) })
  }
  agent.destroy()
  return { mode: 'query', routes: report }
}

// ---------------------------------------------------------------------------------------------------------
// export: one streamed answer, read to its end
// ---------------------------------------------------------------------------------------------------------

const runExport = async (job: ExportJob): Promise<ExportReport> => {
  const t0 = performance.now()
  const res = await fetch(`${job.url}${job.path}`)
  // Records end in CRLF; a bare LF is inside a quoted field (descriptions have line breaks).
  let lines = 0
  let bytes = 0
  let last = 0
  for await (const chunk of res.body ?? []) {
    const b = chunk as Uint8Array
    bytes += b.length
    for (let i = b.indexOf(10); i !== -1; i = b.indexOf(10, i + 1)) if ((i === 0 ? last : b[i - 1]) === 13) lines++
    last = b[b.length - 1] ?? last
  }
  return { mode: 'export', status: res.status, rows: Math.max(0, lines - 1), bytes, seconds: (performance.now() - t0) / 1000 }
}

// ---------------------------------------------------------------------------------------------------------
// the process
// ---------------------------------------------------------------------------------------------------------

process.once('message', (job: Job) => {
  const run = job.mode === 'ingest' ? runIngest(job) : job.mode === 'query' ? runQueries(job) : runExport(job)
  run.then(
    (report: Report) => process.send?.(report, () => process.exit(0)),
    (e: unknown) => {
      process.stderr.write(`bench client failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
      process.exit(1)
    },
  )
})
