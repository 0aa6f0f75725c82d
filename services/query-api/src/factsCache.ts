// The query API's in-memory copy of every lead's analytics facts (factsColumns.ts), kept as fresh as the views:
// each read first asks the store for the lead rows written since the copy's highest write sequence (an indexed
// read, usually empty) and writes them into their slots, so an answer reflects at least every write committed
// before the request (read-your-writes through `minPosition` unchanged). A generation swap starts afresh.
import { yieldToLoop } from '@leadstream/runtime'
import type { ViewReader } from '@leadstream/view-store'
import { emptyColumns, put, reserve, type FactColumns } from './factsColumns.js'

export interface FactsCache {
  /** The columns of every lead (test leads included) as of now or later; do not keep them across reads. */
  readonly columns: () => Promise<FactColumns>
}

interface Copy {
  readonly store: string
  readonly columns: FactColumns
  readonly slots: Map<string, number>
  /** The last row applied, in (write sequence, lead id) order: where the next read pages on from. */
  changed: number
  leadId: string
}

/**
 * Rows per read. The first read of a process loads every lead: in pages, with a turn of the event loop between
 * them, so health checks and other requests keep answering and only one page of row objects is alive at once.
 */
export const factsPage = 20_000

export const factsCache = (views: Pick<ViewReader, 'factsSince'>, pageSize = factsPage): FactsCache => {
  let copy: Copy | null = null
  // Catch-ups run one at a time: a second read waits for the first and then catches up on what is left.
  let queue: Promise<unknown> = Promise.resolve()

  const catchUp = async (): Promise<FactColumns> => {
    for (;;) {
      let page = await views.factsSince(copy?.changed ?? -1, copy?.leadId ?? '', pageSize)
      // The views behind the reader are another generation's now: their sequences start afresh, so does the copy.
      if (copy !== null && copy.store !== page.store) [copy, page] = [null, await views.factsSince(-1, '', pageSize)]
      if (copy === null) copy = { store: page.store, columns: emptyColumns(Math.max(1024, page.facts.length)), slots: new Map(), changed: -1, leadId: '' }
      const c = copy.columns
      reserve(c, c.n + page.facts.length)
      for (let k = 0; k < page.facts.length; k++) {
        const id = page.leadIds[k]!
        let slot = copy.slots.get(id)
        if (slot === undefined) copy.slots.set(id, (slot = c.n++))
        put(c, slot, page.facts[k]!)
      }
      const last = page.facts.length - 1
      if (last >= 0) [copy.changed, copy.leadId] = [page.changed[last]!, page.leadIds[last]!]
      if (page.facts.length < pageSize) return c
      await yieldToLoop()
    }
  }

  return {
    columns: () => {
      const next = queue.then(catchUp)
      queue = next.catch(() => undefined)
      return next
    },
  }
}
