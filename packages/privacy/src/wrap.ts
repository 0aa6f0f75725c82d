// The two seams where personal data changes form: an event store that seals what it appends (ingest's), and an
// event log that opens what it delivers (the projectors'). Everything between them (the event store's file,
// the relay, the Kafka topic) sees ciphertext only.
import type { EventLog, LogBatchEntry } from '@leadstream/event-log'
import type { AppendRequest, EventStore } from '@leadstream/event-store'
import { openEvents, sealEvents, TamperedRecord, type SealingPorts } from './seal.js'
import type { KeyStore } from './port.js'

/** The requests with every event's personal data sealed (sealEvents: one key-store transaction for them all). */
export const sealRequests = async (ports: SealingPorts, requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendRequest>> => {
  const sealed = await sealEvents(
    ports,
    requests.flatMap((r) => r.events),
  )
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

/**
 * Opens one entry; a record that fails authentication is handed on sealed, with the fault, for the projector's
 * poison policy (LEADSTREAM_PROJECTION_ON_POISON). Anything else (the key store down, an unknown key) throws.
 */
const openOne = async (keys: KeyStore, e: LogBatchEntry): Promise<LogBatchEntry> => {
  try {
    return { offset: e.offset, event: (await openEvents(keys, [e.event]))[0]! }
  } catch (err) {
    if (err instanceof TamperedRecord) return { offset: e.offset, event: e.event, fault: err.message }
    throw err
  }
}

/**
 * Opens each batch's personal data (one key-store call per batch) before the projector sees it. A batch with a
 * tampered record is opened again one event at a time, so only that event is marked (LogBatchEntry.fault) and
 * the projector's poison policy decides: a tampered record no longer stops the projector when events are parked.
 */
export const openingLog = (log: EventLog, keys: KeyStore): EventLog => ({
  progress: (offsets) => log.progress(offsets),
  consume: (options) =>
    log.consume({
      ...options,
      handle: async (batch) => {
        let entries: ReadonlyArray<LogBatchEntry>
        try {
          const opened = await openEvents(
            keys,
            batch.entries.map((e) => e.event),
          )
          entries = batch.entries.map((e, i) => ({ offset: e.offset, event: opened[i]! }))
        } catch (err) {
          if (!(err instanceof TamperedRecord)) throw err
          const each: LogBatchEntry[] = []
          for (const e of batch.entries) each.push(await openOne(keys, e))
          entries = each
        }
        return options.handle({ ...batch, entries })
      },
    }),
})
