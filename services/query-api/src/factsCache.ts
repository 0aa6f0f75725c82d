// The query API's in-memory copy of every lead's analytics facts (factsColumns.ts), kept as fresh as the views:
// each read first asks the store for the lead rows written since the copy's highest write sequence (an indexed
// read, usually empty) and writes them into their slots, so an answer reflects at least every write committed
// before the request (read-your-writes through `minPosition` unchanged). A generation swap starts afresh.
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
  /** The highest write sequence applied. */
  changed: number
}

export const factsCache = (views: Pick<ViewReader, 'factsSince'>): FactsCache => {
  let copy: Copy | null = null
  // Catch-ups run one at a time: a second read waits for the first and then catches up on what is left.
  let queue: Promise<unknown> = Promise.resolve()

  const catchUp = async (): Promise<FactColumns> => {
    let since = await views.factsSince(copy === null ? -1 : copy.changed)
    // The views behind the reader are another generation's now: their sequences start afresh, so does the copy.
    if (copy !== null && copy.store !== since.store) [copy, since] = [null, await views.factsSince(-1)]
    if (copy === null) copy = { store: since.store, columns: emptyColumns(Math.max(1024, since.facts.length)), slots: new Map(), changed: -1 }
    const c = copy.columns
    reserve(c, c.n + since.facts.length)
    for (let k = 0; k < since.facts.length; k++) {
      const id = since.leadIds[k]!
      let slot = copy.slots.get(id)
      if (slot === undefined) copy.slots.set(id, (slot = c.n++))
      put(c, slot, since.facts[k]!)
      if (since.changed[k]! > copy.changed) copy.changed = since.changed[k]!
    }
    return c
  }

  return {
    columns: () => {
      const next = queue.then(catchUp)
      queue = next.catch(() => undefined)
      return next
    },
  }
}
