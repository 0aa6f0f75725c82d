// The event store's own invariants, checked the same way by the kill -9 and chaos tests: every stream gapless
// from revision 0, one LeadCaptured per lead (at revision 0), and the events of each (lead, action) pair.
import type { RecordedEvent } from '@leadstream/domain'

export interface StoreIndex {
  /** Lead id → how many LeadCaptured events it has (more than one is already reported). */
  readonly captured: ReadonlyMap<string, number>
  /** `leadId|action` → its LeadCaptured / LeadActionRecorded events: exactly one each however often it was sent. */
  readonly perPair: ReadonlyMap<string, ReadonlyArray<RecordedEvent>>
  /** Events that are neither captures, actions nor offer classifications: the qualification commands'. */
  readonly commandEvents: number
}

export const indexStore = (events: ReadonlyArray<RecordedEvent>, fail: (m: string) => void): StoreIndex => {
  const lastRevision = new Map<string, number>()
  for (const e of events) {
    const prev = lastRevision.get(e.streamId) ?? -1
    if (e.revision !== prev + 1) fail(`stream ${e.streamId}: revision ${e.revision} follows ${prev}`)
    lastRevision.set(e.streamId, e.revision)
  }
  const captured = new Map<string, number>()
  const perPair = new Map<string, RecordedEvent[]>()
  let commandEvents = 0
  for (const e of events) {
    const ev = e.event
    if (ev.type === 'LeadCaptured') {
      captured.set(ev.data.leadId, (captured.get(ev.data.leadId) ?? 0) + 1)
      if (e.revision !== 0) fail(`lead ${ev.data.leadId} captured at revision ${e.revision}`)
    }
    if (ev.type === 'LeadCaptured' || ev.type === 'LeadActionRecorded') {
      const k = `${ev.data.leadId}|${ev.data.action}`
      perPair.set(k, [...(perPair.get(k) ?? []), e])
    } else if (ev.type !== 'OfferClassified') commandEvents++
  }
  for (const [id, n] of captured) if (n > 1) fail(`lead ${id} captured ${n} times`)
  return { captured, perPair, commandEvents }
}
