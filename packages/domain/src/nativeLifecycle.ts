// The native format's lifecycle events: what a CRM (or n8n, Power Automate…) tells leadstream happened to a lead
// it already knows, each with the upstream's own eventId (idempotent re-delivery) and occurredAt (the time the
// analytics use). Each becomes a command that the decider judges against the lead's state, like one sent to
// POST /v1/leads/{id}/commands.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import type { FollowUpCommand } from './decide.js'
import { fromValidation } from './decodeError.js'
import { invalid, type LeadError } from './errors.js'
import { Instant } from './events.js'
import { ContactChannel, DisqualificationReason, LeadId } from './model.js'
import { campaignsIn } from './sources.js'
import { boundedText, textLimits as L } from './text.js'

export const EventId = t.refinement(t.string, (s) => /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(s), 'EventId')

/** Who did it upstream when the event does not say (every transition records someone). */
export const upstreamActor = 'upstream'

const envelope = <T extends string>(type: T) => ({ type: t.literal(type), version: t.literal(1), eventId: EventId, leadId: LeadId, occurredAt: Instant })

const transitionData = { by: boundedText(L.by, { nonBlank: true }), note: t.union([boundedText(L.note, { multiline: true }), t.null]) }

/** A transition whose `data` is optional: `{ by?, note? }` plus what the type needs. */
const transitionEvent = <T extends string, P extends t.Props>(type: T, extra: P) =>
  t.intersection([t.type(envelope(type)), t.partial({ data: t.partial({ ...transitionData, ...extra }) })], `Native${type}.v1`)

export const NativeLeadContactedV1 = transitionEvent('LeadContacted', { channel: t.union([ContactChannel, t.null]) })
export const NativeLeadNurturingStartedV1 = transitionEvent('LeadNurturingStarted', {})
export const NativeLeadQualifiedV1 = transitionEvent('LeadQualified', {})
export const NativeLeadConvertedV1 = transitionEvent('LeadConverted', {})
export const NativeLeadReopenedV1 = transitionEvent('LeadReopened', {})
/** `reason` is required, so `data` is too. */
export const NativeLeadDisqualifiedV1 = t.type(
  { ...envelope('LeadDisqualified'), data: t.intersection([t.type({ reason: DisqualificationReason }), t.partial(transitionData)]) },
  'NativeLeadDisqualified.v1',
)
export const NativeLeadActionRecordedV1 = t.type(
  {
    ...envelope('LeadActionRecorded'),
    data: t.intersection([
      t.type({ action: boundedText(L.action) }),
      t.partial({
        leadSource: boundedText(L.leadSource),
        description: t.union([boundedText(L.description, { multiline: true }), t.null]),
        campaigns: t.array(boundedText(L.campaign)),
      }),
    ]),
  },
  'NativeLeadActionRecorded.v1',
)

export const nativeLifecycleCodecs = {
  LeadContacted: NativeLeadContactedV1,
  LeadNurturingStarted: NativeLeadNurturingStartedV1,
  LeadQualified: NativeLeadQualifiedV1,
  LeadConverted: NativeLeadConvertedV1,
  LeadDisqualified: NativeLeadDisqualifiedV1,
  LeadReopened: NativeLeadReopenedV1,
  LeadActionRecorded: NativeLeadActionRecordedV1,
} as const
export type NativeLifecycleType = keyof typeof nativeLifecycleCodecs

interface Decoded {
  readonly eventId: string
  readonly command: FollowUpCommand
}

const base = (n: { leadId: string; occurredAt: string; data?: { by?: string; note?: string | null } | undefined }) => ({
  leadId: n.leadId,
  by: n.data?.by?.trim() ?? upstreamActor,
  at: n.occurredAt,
  note: n.data?.note ?? null,
  atField: 'occurredAt',
})

const decodeWith = <C extends t.Mixed>(codec: C, value: unknown, f: (n: t.TypeOf<C>) => Decoded): E.Either<LeadError, Decoded> =>
  pipe(
    codec.decode(value),
    E.bimap((errors) => invalid(fromValidation(errors)), f),
  )

/** Decodes one native lifecycle event of a known type into the command it stands for. */
export const decodeNativeLifecycle = (type: NativeLifecycleType, value: unknown): E.Either<LeadError, Decoded> => {
  switch (type) {
    case 'LeadContacted':
      return decodeWith(NativeLeadContactedV1, value, (n) => ({
        eventId: n.eventId,
        command: { ...base(n), type: 'ContactLead', channel: n.data?.channel ?? null },
      }))
    case 'LeadNurturingStarted':
      return decodeWith(NativeLeadNurturingStartedV1, value, (n) => ({ eventId: n.eventId, command: { ...base(n), type: 'StartNurturing' } }))
    case 'LeadQualified':
      return decodeWith(NativeLeadQualifiedV1, value, (n) => ({ eventId: n.eventId, command: { ...base(n), type: 'QualifyLead' } }))
    case 'LeadConverted':
      return decodeWith(NativeLeadConvertedV1, value, (n) => ({ eventId: n.eventId, command: { ...base(n), type: 'ConvertLead' } }))
    case 'LeadReopened':
      return decodeWith(NativeLeadReopenedV1, value, (n) => ({ eventId: n.eventId, command: { ...base(n), type: 'ReopenLead' } }))
    case 'LeadDisqualified':
      return decodeWith(NativeLeadDisqualifiedV1, value, (n) => ({
        eventId: n.eventId,
        command: { ...base(n), type: 'DisqualifyLead', reason: n.data.reason },
      }))
    case 'LeadActionRecorded':
      return decodeWith(NativeLeadActionRecordedV1, value, (n) => {
        const description = n.data.description ?? null
        return {
          eventId: n.eventId,
          command: {
            type: 'RecordAction',
            leadId: n.leadId,
            leadSource: n.data.leadSource ?? null,
            action: n.data.action,
            description,
            campaigns: n.data.campaigns ?? campaignsIn(description),
            occurredAt: n.occurredAt,
          },
        }
      })
    default: {
      const never: never = type
      return never
    }
  }
}
