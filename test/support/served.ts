// What the query API serves, judged against a fold of the whole event store: the count routes cell by cell
// (with and without test leads) and the lead list row by row. Shared by the kill -9 and chaos tests.
import { cellsOf, projectBatch, type Changes, type CountDelta, type LeadSummary, type RecordedEvent } from '@leadstream/domain'

/**
 * GET and parse. A GET is safe to repeat, so a connection that fails under it (a kept-alive socket the server
 * closed at that moment, on a crowded machine) is tried twice more before the error, with its cause, is thrown.
 */
export const getJson = async <A>(url: string): Promise<{ status: number; body: A }> => {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(20000) })
      const text = await res.text()
      return { status: res.status, body: JSON.parse(text) as A }
    } catch (e) {
      if (!(e instanceof TypeError) || attempt === 3) throw new Error(`GET ${url}: ${String(e)} (${String((e as { cause?: unknown }).cause)})`)
    }
  }
}

/** Runs `f` over `items` with at most `width` in flight. */
export const eachLimited = async <A>(items: ReadonlyArray<A>, width: number, f: (a: A) => Promise<void>): Promise<void> => {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await f(items[next++]!)
    }),
  )
}

// ---------------------------------------------------------------------------------------------------------
// counters as cells
// ---------------------------------------------------------------------------------------------------------

/** `dimension/key/metric/bucket` → count, zero cells left out, so two sources compare cell by cell. */
export type Cells = Record<string, number>

const cellName = (dimension: string, key: string, metric: string, bucket: string) => `${dimension}/${key}/${metric}/${bucket}`

const sumCells = (deltas: ReadonlyArray<CountDelta>, keep: (d: CountDelta) => boolean): Cells => {
  const out: Cells = {}
  for (const d of deltas) {
    if (!keep(d)) continue
    const name = cellName(d.dimension, d.key, d.metric, d.bucket)
    out[name] = (out[name] ?? 0) + d.delta
  }
  for (const [k, n] of Object.entries(out)) if (n === 0) delete out[k]
  return out
}

/** The cells every final lead contributes to, each +1: the fold's totals computed the other way round. */
const cellsOfLeads = (leads: ReadonlyArray<LeadSummary>): ReadonlyArray<CountDelta> => leads.flatMap((s) => cellsOf(s).map((c) => ({ ...c, delta: 1 })))

interface CountsEntry {
  readonly total: number
  readonly byState: Record<string, number>
  readonly byOfferKind: Record<string, number>
  readonly byAction: Record<string, number>
  readonly otherActions: Record<string, number>
}

const cellsOfView = (dimension: string, view: Readonly<Record<string, CountsEntry>>): Cells => {
  const out: Cells = {}
  const put = (key: string, metric: string, bucket: string, n: number) => {
    if (n !== 0) out[cellName(dimension, key, metric, bucket)] = n
  }
  for (const [key, e] of Object.entries(view)) {
    put(key, 'leads', 'total', e.total)
    for (const [b, n] of Object.entries(e.byState)) put(key, 'state', b, n)
    for (const [b, n] of Object.entries(e.byOfferKind)) put(key, 'offerKind', b, n)
    for (const [b, n] of Object.entries(e.byAction)) put(key, 'action', b, n)
    for (const [b, n] of Object.entries(e.otherActions)) put(key, 'otherAction', b, n)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------------
// the checks
// ---------------------------------------------------------------------------------------------------------

/**
 * The whole store projected in one batch from empty, after checking that the fold agrees with itself
 * (summed deltas equal the cells of its final leads). Left: why it does not fold.
 */
export const foldOf = (
  events: ReadonlyArray<RecordedEvent>,
): { readonly ok: true; readonly fold: Changes } | { readonly ok: false; readonly reason: string } => {
  const folded = projectBatch(events, { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() })
  if (folded._tag === 'Left') return { ok: false, reason: `the store does not fold: ${JSON.stringify(folded.left)}` }
  const fold = folded.right
  const fromDeltas = sumCells(fold.counts, () => true)
  const fromLeads = sumCells(cellsOfLeads(fold.leads), () => true)
  if (JSON.stringify(Object.entries(fromDeltas).sort()) !== JSON.stringify(Object.entries(fromLeads).sort()))
    return { ok: false, reason: 'the fold disagrees with itself: summed deltas differ from cellsOf over its final leads' }
  return { ok: true, fold }
}

/**
 * The count routes (storefronts, campaigns, qualification; with and without test leads) read with `fresh`
 * (a query string such as `minPosition=…&waitMs=…`) must answer at position `head` with exactly the fold's cells.
 */
export const servedCountFailures = async (url: string, fold: Changes, head: number, fresh: string): Promise<ReadonlyArray<string>> => {
  const failures: string[] = []
  for (const includeTest of [true, false]) {
    const expected = (dims: ReadonlyArray<string>, metrics?: ReadonlyArray<string>) =>
      sumCells(fold.counts, (d) => dims.includes(d.dimension) && (includeTest || !d.test) && (metrics === undefined || metrics.includes(d.metric)))
    const compare = (what: string, actual: Cells, want: Cells) => {
      const names = [...new Set([...Object.keys(actual), ...Object.keys(want)])].sort()
      const diff = names.filter((n) => actual[n] !== want[n]).map((n) => `${n}: view ${actual[n] ?? 0}, fold ${want[n] ?? 0}`)
      if (diff.length > 0) failures.push(`${what} (includeTest=${includeTest}) differs from the fold of the store: ${diff.slice(0, 8).join('; ')}`)
    }
    for (const [route, dimension] of [
      ['storefronts', 'storefront'],
      ['campaigns', 'campaign'],
    ] as const) {
      const { status, body } = await getJson<{ position: number } & Record<string, unknown>>(`${url}/v1/views/${route}?${fresh}&includeTest=${includeTest}`)
      if (status !== 200 || body.position !== head) failures.push(`GET /v1/views/${route} answered ${status} at position ${body.position}, store head ${head}`)
      else compare(`/v1/views/${route}`, cellsOfView(dimension, body[route] as Record<string, CountsEntry>), expected([dimension]))
    }
    const q = await getJson<{ position: number; total: number; states: Record<string, number> }>(
      `${url}/v1/views/qualification?${fresh}&includeTest=${includeTest}`,
    )
    if (q.status !== 200 || q.body.position !== head)
      failures.push(`GET /v1/views/qualification answered ${q.status} at position ${q.body.position}, store head ${head}`)
    else {
      const actual: Cells = {}
      if (q.body.total !== 0) actual[cellName('all', 'all', 'leads', 'total')] = q.body.total
      for (const [b, n] of Object.entries(q.body.states)) if (n !== 0) actual[cellName('all', 'all', 'state', b)] = n
      compare('/v1/views/qualification', actual, expected(['all'], ['leads', 'state']))
    }
  }
  return failures
}

/** `GET /v1/leads` (every page, test leads included) must list every lead of the fold once, at its revision and state. */
export const servedLeadFailures = async (url: string, fold: Changes, fresh: string): Promise<ReadonlyArray<string>> => {
  const failures: string[] = []
  const listed = new Map<string, { state: string; revision: number }>()
  for (let cursor: string | null = null, pages = 0; pages < 1000; pages++) {
    const page: { status: number; body: { items: ReadonlyArray<{ leadId: string; state: string; revision: number }>; next: string | null } } = await getJson(
      `${url}/v1/leads?${fresh}&includeTest=true&limit=1000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
    )
    if (page.status !== 200) {
      failures.push(`GET /v1/leads answered ${page.status}`)
      break
    }
    for (const it of page.body.items) {
      if (listed.has(it.leadId)) failures.push(`GET /v1/leads lists ${it.leadId} twice`)
      listed.set(it.leadId, { state: it.state, revision: it.revision })
    }
    cursor = page.body.next
    if (cursor === null) break
  }
  if (listed.size !== fold.leads.length) failures.push(`GET /v1/leads lists ${listed.size} leads, the fold has ${fold.leads.length}`)
  for (const s of fold.leads) {
    const l = listed.get(s.leadId)
    if (l === undefined) failures.push(`lead ${s.leadId} of the fold is not listed`)
    else if (l.state !== s.state || l.revision !== s.revision) failures.push(`lead ${s.leadId}: listed ${l.state}@${l.revision}, fold ${s.state}@${s.revision}`)
  }
  return failures.slice(0, 40)
}
