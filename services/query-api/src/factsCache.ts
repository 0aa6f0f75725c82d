// The query API's in-memory copy of every lead's analytics facts (factsColumns.ts), kept as fresh as the views:
// each read first asks the store for its position and reloads the columns when the views moved since the last
// load, so an answer is never older than the position the request waited for (read-your-writes unchanged).
import type { ViewReader } from '@leadstream/view-store'
import { columnsOf, type FactColumns } from './factsColumns.js'

export interface FactsCache {
  /** The columns of every lead (test leads included) as of the views' current position or later. */
  readonly columns: () => Promise<FactColumns>
}

export const factsCache = (views: Pick<ViewReader, 'position' | 'facts'>): FactsCache => {
  let latest: { readonly position: number; readonly columns: Promise<FactColumns> } | null = null
  return {
    columns: async () => {
      // The position is read before the facts: a write landing during the load is at most reloaded again.
      const position = await views.position()
      if (latest === null || latest.position !== position) {
        const loading = views.facts({ includeTest: true }).then(columnsOf)
        const entry = { position, columns: loading }
        latest = entry
        loading.catch(() => {
          if (latest === entry) latest = null
        })
      }
      return latest.columns
    },
  }
}
