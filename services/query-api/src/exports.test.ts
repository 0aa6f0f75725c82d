// The export's streaming over a real SQLite view store and a real HTTP server on loopback: a client that
// stops reading holds the server's reading of the views (back-pressure); one that goes away stops it; the
// narrow rows it reads show each lead exactly as the lead list's `present` does.
import { mkdtempSync, rmSync } from 'node:fs'
import { get, type IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { emptyCustomer, needsOf, offer, projectBatch, type RecordedEvent, personalOf } from '@leadstream/domain'
import { httpApp, listen, type Listening } from '@leadstream/http-edge'
import { createLogger, createMetrics, defaultHttpTimeouts } from '@leadstream/runtime'
import { sqliteViewStore, type ViewStore } from '@leadstream/view-store'
import { exportRoutes } from './exports.js'
import { present } from './routes.js'

const LEADS = 5000
const PAGE = 25

const captured = (i: number): RecordedEvent => ({
  eventId: `e${i}`,
  streamId: `lead-l${i}`,
  revision: 0,
  position: i + 1,
  metadata: {},
  recordedAt: '2026-11-25T10:00:00.000Z',
  event: {
    type: 'LeadCaptured',
    version: 1,
    data: {
      leadId: `l${i}`,
      storefront: i % 2 === 0 ? 'AppSource' : 'AzureMarketplace',
      campaign: i % 2 === 0 ? 'nurture' : 'demand-generation',
      leadSource: i % 2 === 0 ? 'SPZA' : 'AzureMarketplace',
      action: 'PLT',
      offer: offer('contoso.crm', 'Contoso CRM'),
      country: { ...emptyCustomer, firstName: `First${i}`, email: `l${i}@example.com`, company: 'Contoso, Ltd', country: 'US' }.country,
      // Long rows, so the export (~20 MB) is much more than loopback's socket buffers (a few MB) can hold.
      personal: personalOf(
        { ...emptyCustomer, firstName: `First${i}`, email: `l${i}@example.com`, company: 'Contoso, Ltd', country: 'US' },
        'A description long enough to make the export larger than socket buffers. '.repeat(56),
      ),
      campaigns: [],
      isTest: false,
      doNotContact: false,
      format: 'native',
      occurredAt: new Date(Date.parse('2026-11-01T00:00:00Z') + i * 1000).toISOString(),
    },
  },
})

interface Ctx {
  dir: string
  store: ViewStore
  server: Listening
  /** Pages the export has read from the store. */
  reads: number
}

const test = suite<Ctx>('exports :: streaming')

test.before(async (ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'leadstream-export-'))
  ctx.store = sqliteViewStore({ path: join(ctx.dir, 'views.db') })
  const events = Array.from({ length: LEADS }, (_, i) => captured(i))
  const r = await ctx.store.applyBatch(
    'leads',
    0,
    events.map((event) => ({ offset: event.position, event })),
    { needs: needsOf, project: projectBatch },
  )
  if (E.isLeft(r)) throw new Error(r.left.reason)
  ctx.reads = 0
  // The real store, with each page read counted: how the test sees when the export reads.
  const views = {
    position: () => ctx.store.position(),
    exportLeads: (...a: Parameters<ViewStore['exportLeads']>) => {
      ctx.reads++
      return ctx.store.exportLeads(...a)
    },
  }
  const noTokens = { ingest: [], analyst: [], operator: [] }
  const logger = createLogger('test', 'silent')
  const app = httpApp([exportRoutes({ views }, { tokens: noTokens, defaultWaitMs: 1000, pageSize: PAGE })], {
    metrics: createMetrics(),
    logger,
    health: async () => ({ ok: true }),
  })
  ctx.server = await listen(app, { host: '127.0.0.1', port: 0, tokens: noTokens, logger, timeouts: defaultHttpTimeouts })
})

test.after(async (ctx) => {
  await ctx.server.close()
  await ctx.store.close()
  rmSync(ctx.dir, { recursive: true, force: true })
})

const open = (url: string) => new Promise<IncomingMessage>((resolve, reject) => get(url, resolve).once('error', reject))

/** Waits until the export has read no page for `quietMs` (it is waiting on the client or done), within 10 s. */
const settled = async (ctx: Ctx, quietMs = 300): Promise<number> => {
  const deadline = Date.now() + 10_000
  let seen = ctx.reads
  let since = Date.now()
  while (Date.now() < deadline) {
    await sleep(25)
    if (ctx.reads !== seen) [seen, since] = [ctx.reads, Date.now()]
    else if (Date.now() - since >= quietMs) return seen
  }
  throw new Error('the export kept reading for 10 s')
}

const pages = Math.ceil(LEADS / PAGE)

test('back-pressure :: a client that stops reading holds the reading of the views, and gets every row once it reads', async (ctx) => {
  ctx.reads = 0
  const res = await open(`${ctx.server.url}/v1/exports/leads.csv`)
  assert.is(res.statusCode, 200)
  res.pause()
  let lines = 0
  try {
    const held = await settled(ctx)
    assert.ok(held < pages / 2, `with the client paused the export read ${held} of ${pages} pages`)
    res.setEncoding('utf8')
    for await (const chunk of res) lines += (chunk as string).split('\n').length - 1
  } finally {
    res.destroy()
  }
  assert.is(lines, LEADS + 1, 'header and every lead')
  assert.is(ctx.reads, pages)
})

test('client gone :: a client that goes away mid-export stops the reading of the views', async (ctx) => {
  ctx.reads = 0
  const res = await open(`${ctx.server.url}/v1/exports/leads.ndjson`)
  assert.is(res.statusCode, 200)
  await new Promise((r) => res.once('data', r))
  res.destroy()
  const read = await settled(ctx)
  assert.ok(read < pages / 2, `after the client left the export read ${read} of ${pages} pages`)
})

test("ndjson :: each line is the lead list's present(summary), byte for byte, newest first", async (ctx) => {
  const res = await open(`${ctx.server.url}/v1/exports/leads.ndjson`)
  assert.is(res.statusCode, 200)
  res.setEncoding('utf8')
  let body = ''
  for await (const chunk of res) body += chunk as string
  const expected: string[] = []
  let cursor: string | null = null
  do {
    const page: Awaited<ReturnType<ViewStore['leads']>> = await ctx.store.leads({}, 1000, cursor)
    for (const s of page.items) expected.push(`${JSON.stringify(present(s))}\n`)
    cursor = page.next
  } while (cursor !== null)
  assert.is(expected.length, LEADS)
  assert.ok(body === expected.join(''), 'the NDJSON export differs from present() of the stored summaries')
})

test.run()
