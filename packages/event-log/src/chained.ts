// A log read in two phases: a history first (the event store, when the Kafka topic no longer holds every
// event), then the live log (Kafka). Reading Kafka from its earliest offset after the history re-applies
// events the history already gave; projections skip those by lead revision. Progress counts the history
// and the live log until the history is done, then the live log alone, so a rebuilt generation is only
// promoted once it has caught up with the live log.
import type { ConsumeOptions, EventLog } from './port.js'

export const chainedEventLog = (history: EventLog, live: EventLog): EventLog => {
  let historyDone = false
  return {
    progress: async (offsets) => {
      const l = await live.progress(offsets)
      if (historyDone) return l
      const h = await history.progress(offsets)
      return { head: h.head + l.head, lag: h.lag + l.lag }
    },
    consume: async (options: ConsumeOptions) => {
      if (!historyDone) {
        await history.consume(options)
        if (options.signal.aborted) return
        historyDone = true
      }
      await live.consume(options)
    },
  }
}
