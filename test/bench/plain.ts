// The benchmark's baseline without encryption: the same event shape (a `personal` record holding the contact
// fields, an action's description or a transition's note as base64 JSON), no key store lookups, no cipher. Only for the comparison in `pnpm bench` (the privacy
// step); never a setting: leadstream itself always seals.
import { hasPersonal, keyedHash, Sealed, type DomainEvent, type RecordedEvent } from '@leadstream/domain'
import type { EventLog } from '@leadstream/event-log'
import type { AppendRequest, EventStore } from '@leadstream/event-store'
import { openKeyStore, type PersonalData } from '@leadstream/privacy'

const unsealed = (e: DomainEvent): DomainEvent => {
  if (!hasPersonal(e)) return e
  const p = e.data.personal
  if (p === null || !('open' in p)) return e
  const record: Sealed = { keyId: 'plain', iv: '', tag: '', data: Buffer.from(JSON.stringify(p.open)).toString('base64') }
  return { ...e, data: { ...e.data, personal: record } } as DomainEvent
}

const opened = (r: RecordedEvent): RecordedEvent => {
  const e = r.event
  if (!hasPersonal(e)) return r
  const p = e.data.personal
  if (p === null || !Sealed.is(p)) return r
  const open: unknown = JSON.parse(Buffer.from(p.data, 'base64').toString('utf8'))
  return { ...r, event: { ...e, data: { ...e.data, personal: { open } } } as DomainEvent }
}

export const plainStore = (store: EventStore): EventStore => {
  const encode = (requests: ReadonlyArray<AppendRequest>): ReadonlyArray<AppendRequest> =>
    requests.map((r) => ({ ...r, events: r.events.map((e) => ({ ...e, event: unsealed(e.event) })) }))
  return { ...store, append: (r) => store.append(encode([r])[0]!), appendMany: (rs) => store.appendMany(encode(rs)) }
}

export const plainLog = (log: EventLog): EventLog => ({
  progress: (o) => log.progress(o),
  consume: (options) =>
    log.consume({ ...options, handle: (b) => options.handle({ ...b, entries: b.entries.map((e) => ({ offset: e.offset, event: opened(e.event) })) }) }),
})

/** PersonalData for startEmbedded that seals nothing (the key store is opened, as a real start does, but unused). */
export const plainPersonalData = async (settings: Parameters<typeof openKeyStore>[0]): Promise<PersonalData> => {
  const keys = await openKeyStore(settings)
  const secret = { bytes: Buffer.from('bench identity secret') }
  return {
    keys,
    secret,
    identity: keyedHash(secret.bytes),
    seal: async (requests) => requests.map((r) => ({ ...r, events: r.events.map((e) => ({ ...e, event: unsealed(e.event) })) })),
    sealing: plainStore,
    opening: plainLog,
    rotated: Promise.resolve(0),
    close: () => keys.close(),
  }
}
