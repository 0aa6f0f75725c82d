// Picks the event store adapter from settings (LEADSTREAM_EVENT_STORE), for every composition root.
// The EventStoreDB client (gRPC) is loaded only when it is chosen: the embedded default never pays for it.
import { join } from 'node:path'
import type { EventStore } from './port.js'
import { sqliteEventStore } from './sqlite/store.js'

export interface EventStoreChoice {
  readonly eventStore: 'sqlite' | 'eventstoredb'
  readonly eventStoreUrl: string
  readonly dataDir: string
}

export const openEventStore = async (c: EventStoreChoice, options: { readonly pollMs?: number; readonly now?: () => Date } = {}): Promise<EventStore> => {
  if (c.eventStore === 'eventstoredb') {
    const { eventStoreDbEventStore } = await import('./esdb/store.js')
    return eventStoreDbEventStore({ connectionString: c.eventStoreUrl })
  }
  return sqliteEventStore({ path: join(c.dataDir, 'events.db'), ...options })
}
