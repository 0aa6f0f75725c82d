// The two seams where personal data changes form: an event store that seals what it appends (ingest's), and an
// event log that opens what it delivers (the projectors'). Everything between them (the event store's file,
// the relay, the Kafka topic) sees ciphertext only.
import type { EventLog } from '@leadstream/event-log'
import type { AppendRequest, EventStore } from '@leadstream/event-store'
import { openEvents, sealEvents, type SealingPorts } from './seal.js'
import type { KeyStore } from './port.js'

/** The requests with every event's personal data sealed (sealEvents: one key-store transaction for them all). */
export const sealRequests = async (ports: SealingPorts, requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendRequest>> => {
  const sealed = await sealEvents(ports, requests.flatMap((r) => r.events))
  let i = 0
  return requests.map((r) => ({ ...r, events: r.events.map(() => sealed[i++]!) }))
}

/** Seals every batch's personal data, then appends. Reads pass through as stored (sealed: deciding needs no contact data). */
export const sealingStore = (store: EventStore, ports: SealingPorts): EventStore => {
  const sealAll = (requests: ReadonlyArray<AppendRequest>) => sealRequests(ports, requests)
  return {
    ...store,
    readStream: (id) => store.readStream(id),
    readAll: (after, limit) => store.readAll(after, limit),
    head: () => store.head(),
    waitFor: (p, ms) => store.waitFor(p, ms),
    close: () => store.close(),
    append: (request) => async () => store.append((await sealAll([request]))[0]!)(),
    appendMany: (requests) => async () => store.appendMany(await sealAll(requests))(),
  }
}

/** Opens each batch's personal data (one key-store call per batch) before the projector sees it. */
export const openingLog = (log: EventLog, keys: KeyStore): EventLog => ({
  progress: (offsets) => log.progress(offsets),
  consume: (options) =>
    log.consume({
      ...options,
      handle: async (batch) => {
        const opened = await openEvents(keys, batch.entries.map((e) => e.event))
        return options.handle({ ...batch, entries: batch.entries.map((e, i) => ({ offset: e.offset, event: opened[i]! })) })
      },
    }),
})
