// Streamed exports of the lead list (CSV and NDJSON) under the shared filters. Rows are read from the views in
// keyset pages of narrow rows (`exportLeads`: no history, no whole-summary decode), and the next page is read only once the client has taken the last one (back-pressure), so
// the server's memory stays flat however many leads match; a client that goes away stops the reading.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Response, Router } from 'express'
import * as E from 'fp-ts/lib/Either.js'
import { analyticsRoutes, ExportQuery, type Filters, type RouteSpec } from '@leadstream/api'
import type { LeadFilter } from '@leadstream/domain'
import { mount, type Tokens } from '@leadstream/http-edge'
import type { LeadView, ViewReader } from '@leadstream/view-store'
import { csvHeader, csvRow, type PresentedLead } from './csv.js'
import { filterOf } from './filters.js'
import { readHandler } from './routes.js'

export interface ExportPorts {
  readonly views: Pick<ViewReader, 'position' | 'exportLeads'>
  /** The clock names the file (`leads-<date>.csv`). */
  readonly now?: () => Date
}

export interface ExportOptions {
  readonly tokens: Tokens
  readonly defaultWaitMs: number
  /** Leads per read of the views (one page is in memory at a time). */
  readonly pageSize?: number
}

interface Format {
  readonly spec: RouteSpec
  readonly type: string
  readonly extension: string
  readonly header: string
  readonly row: (l: PresentedLead) => string
}

const formats: ReadonlyArray<Format> = [
  { spec: analyticsRoutes.exportCsv, type: 'text/csv; charset=utf-8; header=present', extension: 'csv', header: csvHeader(), row: csvRow },
  { spec: analyticsRoutes.exportNdjson, type: 'application/x-ndjson; charset=utf-8', extension: 'ndjson', header: '', row: (l) => `${JSON.stringify(l)}\n` },
]

/** Every lead matching the filter as `present` shows it, one page at a time, newest capture first. */
export async function* leadPages(views: Pick<ViewReader, 'exportLeads'>, filter: LeadFilter, pageSize: number): AsyncGenerator<ReadonlyArray<LeadView>> {
  let cursor: string | null = null
  do {
    const page = await views.exportLeads(filter, pageSize, cursor)
    if (page.items.length > 0) yield page.items
    cursor = page.next
  } while (cursor !== null)
}

async function* render(format: Format, pages: AsyncIterable<ReadonlyArray<LeadView>>): AsyncGenerator<string> {
  if (format.header !== '') yield format.header
  for await (const page of pages) {
    let chunk = ''
    for (const l of page) chunk += format.row(l)
    yield chunk
  }
}

/** `leads-2026-12-01.csv`: the UTC date of the export. */
export const exportFileName = (now: Date, extension: string): string => `leads-${now.toISOString().slice(0, 10)}.${extension}`

/**
 * Writes the chunks to the response as it takes them. `pipeline` waits for `drain` whenever the socket's
 * buffer is full, and when the client goes away it ends the generator, which stops reading the views. The
 * source reads at most one chunk ahead (highWaterMark 1). Resolves false when the client went away.
 */
export const stream = async (chunks: AsyncIterable<string>, res: Response): Promise<boolean> => {
  try {
    await pipeline(Readable.from(chunks, { highWaterMark: 1 }), res)
    return true
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ERR_STREAM_PREMATURE_CLOSE') return false
    throw e
  }
}

export const exportRoutes =
  (ports: ExportPorts, options: ExportOptions) =>
  (router: Router): void => {
    const now = ports.now ?? (() => new Date())
    const pageSize = options.pageSize ?? 1000
    for (const format of formats)
      mount(
        router,
        options.tokens,
        format.spec,
        readHandler(ports.views, options.defaultWaitMs, ExportQuery, async (q: Filters, _position, res) => {
          const f = filterOf(q)
          if (E.isLeft(f)) return f
          res.status(200)
          res.setHeader('Content-Type', format.type)
          res.setHeader('Content-Disposition', `attachment; filename="${exportFileName(now(), format.extension)}"`)
          // Personal data: no cache along the way may keep a copy.
          res.setHeader('Cache-Control', 'no-store')
          // A failure after the first byte cannot become a JSON error: `pipeline` destroys the response, so the
          // client sees a cut-off transfer (no final chunk) rather than a short file that looks complete.
          await stream(render(format, leadPages(ports.views, f.right, pageSize)), res)
          return E.right(null)
        }),
      )
  }
