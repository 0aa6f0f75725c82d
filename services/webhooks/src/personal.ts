// Opening a delivery's personal part at send time with the key store: a capture's contact data and a state
// change's note are kept sealed in the delivery log (as in the event store) and opened only for the attempt; a
// shredded key (an erasure) opens as nothing, so an erased person's data is never sent.
import type { WebhookContact } from '@leadstream/api'
import { noteOf } from '@leadstream/domain'
import { openContact, openNote, type KeyStore } from '@leadstream/privacy'
import type { OpenedPersonal, PersonalRef } from '@leadstream/delivery-log'

export type OpenPersonal = (leadId: string, ref: PersonalRef) => Promise<OpenedPersonal>

export const personalOpener =
  (keys: KeyStore): OpenPersonal =>
  async (leadId, ref) => {
    if (ref._tag === 'Note') {
      const note = noteOf(await openNote(keys, leadId, ref.type, ref.sealed))
      return note === null ? null : { note }
    }
    const opened = await openContact(keys, leadId, ref.sealed)
    if (opened === null || !('open' in opened)) return null
    const c = opened.open
    const contact: WebhookContact = {
      firstName: c.firstName,
      lastName: c.lastName,
      email: c.email,
      phone: c.phone,
      country: ref.country,
      company: c.company,
      title: c.title,
      description: c.description,
    }
    return { contact }
  }

/** Without a key store (tests of the sender alone): nothing sealed is opened, so no contact data or note is sent. */
export const nothingOpened: OpenPersonal = async () => null
