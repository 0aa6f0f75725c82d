// Reads an event back from storage or the wire: checks its type and version, upcasts old versions, decodes.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import type * as t from 'io-ts'
import * as tt from 'io-ts'
import {
  ActionText,
  Contact,
  currentVersion,
  eventCodecs,
  eventTypes,
  LeadActionRecordedV2,
  LeadCapturedV2,
  Sealed,
  TransitionNote,
  transitionTypes,
  type DomainEvent,
  type EventType,
} from './events.js'
import { fromValidation, problem, type FieldProblem } from './decodeError.js'

/**
 * Upcasters turn the data of version n of an event into version n + 1. A type's chain must reach
 * `currentVersion`; a stored event of any older version is upcast step by step on read, then decoded by the
 * current codec (so a problem is named in the current shape). This is the one place they are registered.
 * An upcaster leaves data that is not an object alone: the codec then refuses it at `data`.
 */
export type Upcaster = (data: unknown) => unknown

const isRecord = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === 'object' && u !== null && !Array.isArray(u)

const text = (u: unknown): string => (typeof u === 'string' ? u : '')
const textOrNull = (u: unknown): string | null => (typeof u === 'string' ? u : null)

/**
 * A transition's note was stored in clear before sealing existed: it is read as open personal data, in memory
 * only (the current codecs admit a sealed note only). A blank note reads as none, as `noteTextOf` writes it.
 */
const sealNote: Upcaster = (data) => {
  if (!isRecord(data)) return data
  const { note, ...rest } = data
  // A note that is not text (never valid) is kept in `personal`, so the codec refuses it there.
  if (note !== null && typeof note !== 'string') return { ...rest, personal: note }
  return { ...rest, personal: typeof note === 'string' && note.trim() !== '' ? { open: { note } } : null }
}

export const upcasters: Partial<Record<EventType, Readonly<Record<number, Upcaster>>>> = {
  // v2 records how the lead was contacted; a v1 event did not, so its channel is "not recorded". A `channel`
  // a v1 writer left in the data was never checked, so it is overwritten rather than trusted. v3 seals the note.
  LeadContacted: { 1: (data) => (isRecord(data) ? { ...data, channel: null } : data), 2: sealNote },
  LeadNurturingStarted: { 1: sealNote },
  LeadQualified: { 1: sealNote },
  LeadConverted: { 1: sealNote },
  LeadDisqualified: { 1: sealNote },
  LeadReopened: { 1: sealNote },
  // v1 held the contact fields in clear (written before sealing existed). They are read as open personal data,
  // in memory only: every writer stores v2, whose codec admits sealed data only (see `legacyCodecs`).
  LeadCaptured: {
    1: (data) => {
      if (!isRecord(data) || !isRecord(data['customer'])) return data
      const { customer: c, description, ...rest } = data
      const open = {
        firstName: text(c['firstName']),
        lastName: text(c['lastName']),
        email: text(c['email']),
        phone: text(c['phone']),
        company: text(c['company']),
        title: text(c['title']),
        description: textOrNull(description),
      }
      const none = Object.values(open).every((v) => v === '' || v === null)
      return { ...rest, country: c['country'], personal: none ? null : { open } }
    },
  },
  LeadActionRecorded: {
    1: (data) => {
      if (!isRecord(data)) return data
      const { description, ...rest } = data
      return { ...rest, personal: typeof description === 'string' ? { open: { description } } : null }
    },
  },
}

/**
 * What a v1 capture or action decodes to after its upcast: v2 with the personal data open (legacy plaintext,
 * read only). Never used for a v2 event, so a stored v2 event with plaintext is refused as corrupt.
 */
const legacyCodecs: Partial<Record<EventType, tt.Decoder<unknown, unknown>>> = {
  LeadCaptured: tt.type({ ...LeadCapturedV2.props, personal: tt.union([Sealed, tt.null, tt.type({ open: Contact })]) }),
  LeadActionRecorded: tt.type({ ...LeadActionRecordedV2.props, personal: tt.union([Sealed, tt.null, tt.type({ open: ActionText })]) }),
  ...Object.fromEntries(
    transitionTypes.map((k) => [k, tt.type({ ...eventCodecs[k].props, personal: tt.union([Sealed, tt.null, tt.type({ open: TransitionNote })]) })]),
  ),
}

const isEventType = (s: string): s is EventType => (eventTypes as ReadonlyArray<string>).includes(s)

export const decodeEvent = (type: string, version: number, data: unknown): E.Either<ReadonlyArray<FieldProblem>, DomainEvent> => {
  if (!isEventType(type)) return E.left([problem('type', `unknown event type "${type}"; known: ${eventTypes.join(', ')}`)])
  const target = currentVersion[type]
  if (!Number.isInteger(version) || version < 1 || version > target)
    return E.left([problem('version', `${type} has versions 1..${target}, got ${String(version)}`)])
  let upcast = data
  for (let v = version; v < target; v++) {
    const step = upcasters[type]?.[v]
    if (step === undefined) return E.left([problem('version', `no upcaster for ${type} v${v} → v${v + 1}`)])
    upcast = step(upcast)
  }
  // Widened to one decoder: the codec and the type agree by construction of eventCodecs.
  const codec: t.Decoder<unknown, unknown> = (version < target ? legacyCodecs[type] : undefined) ?? eventCodecs[type]
  return pipe(
    codec.decode(upcast),
    E.mapLeft((errors) => fromValidation(errors, 'data')),
    E.map((decoded) => ({ type, version: target, data: decoded }) as DomainEvent),
  )
}
