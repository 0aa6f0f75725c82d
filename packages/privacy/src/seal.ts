// Sealing events before they are stored, and opening them after they are read. Ingest seals (so the event
// store, the relay and Kafka hold ciphertext only); projectors and any reader that shows contact data open.
// A record whose key was shredded opens as `{ erased: true }`, the same on every read, so a rebuild after an
// erasure gives the same redacted views. A key id the store neither holds nor shredded is a fault (UnknownDataKey).
import {
  hasPersonal,
  type ActionText,
  type Contact,
  type DomainEvent,
  type NewEvent,
  type Personal,
  type RecordedEvent,
  Sealed,
  type TransitionNote,
} from '@leadstream/domain'
import { open, seal, type SealedRecord } from './crypto.js'
import type { DataKey, KeyStore } from './port.js'
import { subjectOfEmail, subjectOfLead, type IdentitySecret, type SubjectId } from './subject.js'

/** What a sealed record is bound to: its lead and event type, so ciphertext cannot be moved to another lead. */
export const aadOf = (leadId: string, type: string): string => `leadstream personal data|${leadId}|${type}`

/** A record that does not open with its key: tampered with, or moved from another lead. A defect, never redacted silently. */
export class TamperedRecord extends Error {
  constructor(
    readonly leadId: string,
    readonly keyId: string,
  ) {
    super(`the personal data of lead ${leadId} (key ${keyId}) fails its authentication: it was altered or moved from another lead`)
  }
}

/**
 * Sealed records name key ids the key store neither holds nor shredded: the store is the wrong one, empty, or
 * damaged. Never read as erased (that would redact every lead silently): the reader stops, and says so.
 */
export class UnknownDataKey extends Error {
  constructor(readonly keyIds: ReadonlyArray<string>) {
    super(
      `${keyIds.length} data key(s) named by sealed records are neither in the key store nor shredded (first: ${keyIds[0] ?? ''}): is LEADSTREAM_KEY_STORE pointing at the store these events were sealed with?`,
    )
  }
}

/** A capture (contact data), an action (its description) or a qualification transition (its note). */
type Sealable = Extract<DomainEvent, { readonly data: { readonly personal: unknown } }>
const sealable = (e: DomainEvent): e is Sealable => hasPersonal(e)
const openOf = (p: Personal<unknown>): unknown => (p !== null && 'open' in p ? p.open : undefined)

// ---------------------------------------------------------------------------------------------------------
// sealing
// ---------------------------------------------------------------------------------------------------------

export interface SealingPorts {
  readonly keys: KeyStore
  readonly secret: IdentitySecret
}

/**
 * Seals the open personal data of a batch of new events: one key-store transaction gets every subject's key
 * (created where missing) and links each subject to its leads, before the events are appended (a link to a lead
 * whose append then fails is harmless, a lead whose link is missing would escape an erasure). A batch of
 * actions or transitions only also asks which subject each lead belongs to. A capture's subject is
 * its email's; without an email, its lead's own. A later action or a transition's note is sealed with the key of
 * its lead's subject (a lead the key store does not know gets its lead-derived subject).
 */
export const sealEvents = async (ports: SealingPorts, events: ReadonlyArray<NewEvent>): Promise<ReadonlyArray<NewEvent>> => {
  const subjectOfCapture = new Map<string, SubjectId>()
  const actionLeads: string[] = []
  for (const e of events) {
    const ev = e.event
    if (!sealable(ev) || openOf(ev.data.personal) === undefined) continue
    if (ev.type === 'LeadCaptured') {
      const email = (openOf(ev.data.personal) as Contact).email
      subjectOfCapture.set(ev.data.leadId, subjectOfEmail(ports.secret, email) ?? subjectOfLead(ports.secret, ev.data.leadId))
    } else actionLeads.push(ev.data.leadId)
  }
  if (subjectOfCapture.size === 0 && actionLeads.length === 0) return events
  const known = await ports.keys.subjectsOfLeads(actionLeads.filter((l) => !subjectOfCapture.has(l)))
  const subjectOf = new Map<string, SubjectId>([...known, ...subjectOfCapture])
  for (const l of actionLeads) if (!subjectOf.has(l)) subjectOf.set(l, subjectOfLead(ports.secret, l))
  const links = [...subjectOf].filter(([l]) => !known.has(l)).map(([leadId, subject]) => ({ subject, leadId }))
  const keys = await ports.keys.keysFor([...new Set(subjectOf.values())], links)
  return events.map((e) => {
    const ev = e.event
    const plain = sealable(ev) ? openOf(ev.data.personal) : undefined
    if (!sealable(ev) || plain === undefined) return e
    const key = keys.get(subjectOf.get(ev.data.leadId) ?? '')
    if (key === undefined) throw new Error(`no data key for lead ${ev.data.leadId}`)
    const sealed: SealedRecord = seal(key.key, key.keyId, aadOf(ev.data.leadId, ev.type), Buffer.from(JSON.stringify(plain), 'utf8'))
    return { ...e, event: { ...ev, data: { ...ev.data, personal: sealed } } as DomainEvent }
  })
}

// ---------------------------------------------------------------------------------------------------------
// opening
// ---------------------------------------------------------------------------------------------------------

const openWith = (keys: ReadonlyMap<string, DataKey>, ev: Sealable, p: Sealed): Personal<Contact> | Personal<ActionText> | Personal<TransitionNote> => {
  const key = keys.get(p.keyId)
  if (key === undefined) return { erased: true }
  const plain = open(key.key, aadOf(ev.data.leadId, ev.type), p)
  if (plain === null) throw new TamperedRecord(ev.data.leadId, p.keyId)
  const o = JSON.parse(plain.toString('utf8')) as Record<string, unknown>
  const text = (k: string): string => (typeof o[k] === 'string' ? (o[k] as string) : '')
  const description = typeof o['description'] === 'string' ? o['description'] : null
  if (ev.type === 'LeadCaptured')
    return { open: { firstName: text('firstName'), lastName: text('lastName'), email: text('email'), phone: text('phone'), company: text('company'), title: text('title'), description } }
  return ev.type === 'LeadActionRecorded' ? { open: { description } } : { open: { note: text('note') } }
}

const sealedOf = (e: DomainEvent): Sealed | undefined => (sealable(e) && e.data.personal !== null && Sealed.is(e.data.personal) ? e.data.personal : undefined)

/** Opens the sealed personal data of a batch of events (one key-store call); a shredded key reads as erased, an unknown one throws UnknownDataKey. */
export const openEvents = async (keys: KeyStore, events: ReadonlyArray<RecordedEvent>): Promise<ReadonlyArray<RecordedEvent>> => {
  const ids = events.flatMap((r) => sealedOf(r.event)?.keyId ?? [])
  if (ids.length === 0) return events
  const found = await keys.keysById(ids)
  // Only a missing key costs a second look-up: erased only when shredded, otherwise a fault.
  const missing = [...new Set(ids.filter((id) => !found.has(id)))]
  if (missing.length > 0) {
    const shredded = await keys.shredded(missing)
    const unknown = missing.filter((id) => !shredded.has(id))
    if (unknown.length > 0) throw new UnknownDataKey(unknown)
  }
  return events.map((r) => {
    const p = sealedOf(r.event)
    if (p === undefined || !sealable(r.event)) return r
    const ev = r.event
    return { ...r, event: { ...ev, data: { ...ev.data, personal: openWith(found, ev, p) } } as DomainEvent }
  })
}

/** One event at a time, for readers outside the projectors (webhook deliveries): open, erased, or as it was. */
export const unsealer =
  (keys: KeyStore) =>
  async (event: RecordedEvent): Promise<RecordedEvent> =>
    (await openEvents(keys, [event]))[0] ?? event
