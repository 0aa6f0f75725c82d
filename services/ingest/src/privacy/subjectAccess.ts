// Subject access: everything leadstream holds about one email, as one JSON document (POST /v1/privacy/subjects/search, the email in the body).
import * as E from 'fp-ts/lib/Either.js'
import { projectBatch, streamOfLead, type Loaded, type RecordedEvent } from '@leadstream/domain'
import type { DeadLetters, ParkedEvents } from '@leadstream/dead-letters'
import type { EventStore } from '@leadstream/event-store'
import type { SubjectExport } from '@leadstream/api'
import { subjectOfEmail, type ErasureAudit, type IdentitySecret, type KeyStore } from '@leadstream/privacy'
import { viewOfSummary, type ViewReader } from '@leadstream/view-store'
import { presentEvent } from '../events.js'

export interface SubjectAccessPorts {
  readonly store: EventStore
  readonly keys: Pick<KeyStore, 'leadsOf'>
  /** By subject (payloads naming the email) and by lead (lifecycle payloads name a lead, not an email). */
  readonly deadLetters: Pick<DeadLetters, 'ofSubject' | 'ofLeads'>
  /** Lifecycle events parked for the subject's leads (a transition's note as received). */
  readonly parked: Pick<ParkedEvents, 'forLeads'>
  readonly audit: Pick<ErasureAudit, 'ofSubject'>
  readonly secret: () => Promise<IdentitySecret>
  /**
   * Opens the sealed personal fields of events read from the store with the subject's keys (a shredded key reads
   * as redacted). The identity where events are not sealed.
   */
  readonly unseal: (events: ReadonlyArray<RecordedEvent>) => Promise<ReadonlyArray<RecordedEvent>>
  /** The views, when this process reads them: a lead is shown as they show it (its offer kind from the catalogue). */
  readonly views?: Pick<ViewReader, 'lead'>
  readonly now: () => Date
}

const nothingLoaded: Loaded = { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() }

/**
 * The lead as the views show it; where this process has no views, or they have not applied the lead yet, as its
 * own events describe it: the same projection over the lead's stream alone (the offer kind then `unclassified`).
 */
const leadOf = async (ports: SubjectAccessPorts, leadId: string, events: ReadonlyArray<RecordedEvent>) => {
  const viewed = (await ports.views?.lead(leadId)) ?? null
  const changes = projectBatch(events, nothingLoaded)
  const summary = viewed ?? (E.isRight(changes) ? changes.right.leads[0] : undefined)
  if (summary === undefined) return null
  const v = viewOfSummary(summary)
  return { ...v, actions: [...v.actions], campaigns: [...v.campaigns] }
}

/** Everything held about the email's subject: its leads (contact data and notes opened, history), dead letters, parked events and erasures. */
export const exportSubject = async (ports: SubjectAccessPorts, email: string): Promise<SubjectExport | null> => {
  const subject = subjectOfEmail(await ports.secret(), email)
  if (subject === null) return null
  const leadIds = await ports.keys.leadsOf(subject)
  const leads: SubjectExport['leads'][number][] = []
  for (const leadId of leadIds) {
    const read = await ports.store.readStream(streamOfLead(leadId))()
    if (E.isLeft(read)) throw new Error(`reading the stream of lead ${leadId}: ${read.left._tag}`)
    if (read.right.events.length === 0) continue
    const events = await ports.unseal(read.right.events)
    leads.push({ lead: await leadOf(ports, leadId, events), events: events.map(presentEvent) })
  }
  const [bySubject, byLead, parked, erasures] = await Promise.all([
    ports.deadLetters.ofSubject(subject),
    ports.deadLetters.ofLeads(leadIds),
    ports.parked.forLeads(leadIds),
    ports.audit.ofSubject(subject),
  ])
  // What an erasure would delete: a letter naming the email or one of the leads, each once, in arrival order.
  const deadLetters = [...new Map([...bySubject, ...byLead].map((d) => [d.id, d] as const)).values()].sort((a, b) => a.id - b.id)
  const parkedViews = parked.map((p) => ({
    id: p.id,
    leadId: p.leadId,
    eventId: p.eventId,
    source: p.source,
    occurredAt: p.occurredAt,
    parkedAt: p.parkedAt,
    until: p.until,
    payload: p.payload,
  }))
  return { subject, exportedAt: ports.now().toISOString(), leads, deadLetters, parked: parkedViews, erasures: [...erasures] }
}
