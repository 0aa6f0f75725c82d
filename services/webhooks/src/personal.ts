// Opening a delivery's personal part at send time, with the privacy work's unsealer and the key store: a
// capture's contact data is kept sealed in the delivery log (as in the event store) and opened only for the
// attempt; a shredded key (an erasure) opens as nothing, so an erased person's data is never sent.
import type { WebhookContact } from '@leadstream/api'
import { currentVersion, isTransition, noteOf, type DomainEvent, type RecordedEvent } from '@leadstream/domain'
import { unsealer, type KeyStore } from '@leadstream/privacy'
import type { OpenedPersonal, PersonalRef } from '@leadstream/delivery-log'

export type OpenPersonal = (leadId: string, ref: PersonalRef) => Promise<OpenedPersonal>

export const personalOpener = (keys: KeyStore): OpenPersonal => {
  const unseal = unsealer(keys)
  return async (leadId, ref) => {
    // The unsealer opens recorded events; this is the event's sealed record under the same lead and type (its
    // authenticated data), the other fields of the event play no part in opening it.
    if (ref._tag === 'Note') {
      const change = { type: ref.type, version: currentVersion[ref.type], data: { leadId, personal: ref.sealed } } as unknown as DomainEvent
      const opened = (await unseal({ eventId: '', streamId: `lead-${leadId}`, revision: 0, position: 0, event: change, metadata: {}, recordedAt: '' })).event
      const note = isTransition(opened) ? noteOf(opened.data.personal) : null
      return note === null ? null : { note }
    }
    const capture = { type: 'LeadCaptured', version: 2, data: { leadId, personal: ref.sealed } } as unknown as DomainEvent
    const opened = await unseal({ eventId: '', streamId: `lead-${leadId}`, revision: 0, position: 0, event: capture, metadata: {}, recordedAt: '' } satisfies RecordedEvent)
    const ev = opened.event
    if (ev.type !== 'LeadCaptured' || ev.data.personal === null || !('open' in ev.data.personal)) return null
    const c = ev.data.personal.open
    const contact: WebhookContact = { firstName: c.firstName, lastName: c.lastName, email: c.email, phone: c.phone, country: ref.country, company: c.company, title: c.title, description: c.description }
    return { contact }
  }
}

/** Without a key store (tests of the sender alone): nothing sealed is opened, so no contact data or note is sent. */
export const nothingOpened: OpenPersonal = async () => null
