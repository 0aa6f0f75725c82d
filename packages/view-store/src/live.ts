// What readers use: the live generation of a projection's views, as the registry names it. A promotion
// is seen at the next look-up (at most `refreshMs` later) and every read after it goes to the new
// generation; a read already running finishes on the old one, which is dropped only after a grace period.
import type { RegistryEntry, ViewStore } from './port.js'

export interface LiveViewsOptions {
  readonly projection: string
  readonly base: ViewStore
  readonly openViews: (generation: number) => Promise<ViewStore>
  readonly refreshMs?: number
}

type Reader = Pick<ViewStore, 'position' | 'lead' | 'leads' | 'exportLeads' | 'counts' | 'facts' | 'factsSince' | 'checkpoints' | 'idleLeads'>

export interface LiveViews extends Reader {
  generation(): Promise<number>
  registry(): Promise<RegistryEntry | null>
  close(): Promise<void>
}

export const liveViews = (options: LiveViewsOptions): LiveViews => {
  const { base, projection } = options
  const refreshMs = options.refreshMs ?? 250
  const opened = new Map<number, ViewStore>([[1, base]])
  let current = { generation: 1, checkedAt: 0 }
  let pending: Promise<ViewStore> | null = null

  const resolve = async (): Promise<ViewStore> => {
    if (Date.now() - current.checkedAt < refreshMs) return opened.get(current.generation) ?? base
    pending ??= (async () => {
      const entry = await base.registry(projection)
      const g = entry?.live ?? 1
      let store = opened.get(g)
      if (store === undefined) {
        store = await options.openViews(g)
        opened.set(g, store)
      }
      // Generations older than the live one are closed a little later, once reads on them have finished.
      for (const [old, s] of opened)
        if (old < g && old !== 1) {
          opened.delete(old)
          setTimeout(() => void s.close(), 5000).unref()
        }
      current = { generation: g, checkedAt: Date.now() }
      return store
    })().finally(() => {
      pending = null
    })
    return pending
  }

  return {
    generation: async () => {
      await resolve()
      return current.generation
    },
    registry: () => base.registry(projection),
    position: async () => (await resolve()).position(),
    lead: async (id) => (await resolve()).lead(id),
    leads: async (filter, limit, cursor) => (await resolve()).leads(filter, limit, cursor),
    exportLeads: async (filter, limit, cursor) => (await resolve()).exportLeads(filter, limit, cursor),
    counts: async (dimension) => (await resolve()).counts(dimension),
    facts: async (filter) => (await resolve()).facts(filter),
    factsSince: async (since, afterLeadId, limit) => (await resolve()).factsSince(since, afterLeadId, limit),
    checkpoints: async (p) => (await resolve()).checkpoints(p),
    idleLeads: async (before, after, limit) => (await resolve()).idleLeads(before, after, limit),
    close: async () => {
      for (const [g, s] of opened) if (g !== 1) await s.close()
    },
  }
}
