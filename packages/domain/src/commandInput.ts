// Qualification commands and catalogue entries as callers send them over HTTP; the clock is passed in.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import type { QualificationCommand } from './decide.js'
import { fromValidation, problem } from './decodeError.js'
import { invalid, type LeadError } from './errors.js'
import { event, Instant, type OfferClassified } from './events.js'
import { boundedText, describedAs, textLimits as L } from './text.js'
import { ContactChannel, DisqualificationReason, OfferKind, offerKeyOfId, offerKeyOfTitle } from './model.js'

const commandTypes = ['ContactLead', 'StartNurturing', 'QualifyLead', 'ConvertLead', 'DisqualifyLead', 'ReopenLead'] as const

const NonEmpty = boundedText(L.by, { nonBlank: true })

/** A client-chosen command id: URL-safe, at most 128 characters, like event ids. */
export const CommandId = describedAs(
  new t.Type<string, string, unknown>(
    'CommandId',
    (u): u is string => typeof u === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(u),
    (u, c) =>
      typeof u === 'string' && /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(u)
        ? t.success(u)
        : t.failure(u, c, 'expected 1 to 128 characters: letters, digits, . _ : - (not first)'),
    t.identity,
  ),
  { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$', description: 'chosen by the caller: a retry with the same commandId is a replay' },
)

/** A qualification command's body as callers send it (the route's lead id and the clock are added). */
export const QualificationCommandBody = t.intersection([
  t.type({ type: t.keyof(Object.fromEntries(commandTypes.map((c) => [c, null])) as Record<(typeof commandTypes)[number], null>), by: NonEmpty }),
  // `reason` and `channel` are checked on every command (a bad one is a caller's mistake worth naming) but
  // carried only into the command they belong to.
  t.partial({
    commandId: CommandId,
    occurredAt: Instant,
    note: t.union([boundedText(L.note, { multiline: true }), t.null]),
    reason: DisqualificationReason,
    channel: t.union([ContactChannel, t.null]),
  }),
])

/** How far ahead of the server's clock a command's `occurredAt` may be (clocks of callers drift a little). */
export const maxClockSkewMs = 60_000

/**
 * `at` is the server's clock. A command may say when it happened (`occurredAt`: a CRM catching up, an import):
 * that time is then the transition's, so the analytics place it there. It may not be in the future (beyond
 * maxClockSkewMs) nor, as the decider checks, before the lead's capture.
 */
export const decodeQualificationCommand = (leadId: string, at: string, body: unknown): E.Either<LeadError, QualificationCommand> => {
  const type = (body as { type?: unknown } | null)?.type
  if (typeof type !== 'string' || !(commandTypes as ReadonlyArray<string>).includes(type))
    return E.left(invalid([problem('type', `unknown command ${JSON.stringify(type ?? null)}; accepted: ${commandTypes.join(', ')}`)]))
  return pipe(
    QualificationCommandBody.decode(body),
    E.mapLeft((errors) => invalid(fromValidation(errors))),
    E.chain((b) => {
      if (b.occurredAt !== undefined && Date.parse(b.occurredAt) > Date.parse(at) + maxClockSkewMs)
        return E.left(invalid([problem('occurredAt', `is in the future (the server's clock reads ${at})`)]))
      const when = b.occurredAt === undefined ? { at } : { at: b.occurredAt, atField: 'occurredAt' }
      const base = { leadId, by: b.by.trim(), ...when, note: b.note ?? null, ...(b.commandId === undefined ? {} : { commandId: b.commandId }) }
      if (b.type === 'DisqualifyLead') {
        if (b.reason === undefined)
          return E.left(invalid([problem('reason', `required for DisqualifyLead: one of ${Object.keys(DisqualificationReason.keys).join(', ')}`)]))
        return E.right({ ...base, type: b.type, reason: b.reason })
      }
      if (b.type === 'ContactLead') return E.right({ ...base, type: b.type, channel: b.channel ?? null })
      return E.right({ ...base, type: b.type })
    }),
  )
}

// ---------------------------------------------------------------------------------------------------------
// the offer catalogue: publishers name each offer's kind; the views follow when they do
// ---------------------------------------------------------------------------------------------------------

/** A catalogue entry as publishers send it: the offer by id and/or title, and its kind. */
export const CatalogueEntryBody = t.intersection([
  t.type({ kind: OfferKind, by: NonEmpty }),
  t.partial({ offerId: boundedText(L.offerId, { nonBlank: true }), offerTitle: boundedText(L.offerTitle, { nonBlank: true }) }),
])

/** One entry per catalogue key (`id:` and `title:`), so a lead named either way finds its kind. */
export const decodeCatalogueEntry = (at: string, body: unknown): E.Either<LeadError, ReadonlyArray<OfferClassified>> =>
  pipe(
    CatalogueEntryBody.decode(body),
    E.mapLeft((errors) => invalid(fromValidation(errors))),
    E.chain((b) => {
      const keys = [...(b.offerId === undefined ? [] : [offerKeyOfId(b.offerId)]), ...(b.offerTitle === undefined ? [] : [offerKeyOfTitle(b.offerTitle)])]
      if (keys.length === 0) return E.left(invalid([problem('offerId', 'name the offer by offerId (publisher.offer) or offerTitle')]))
      return E.right(
        keys.map((offerKey) =>
          event('OfferClassified', {
            offerKey,
            offerId: b.offerId?.trim() ?? null,
            offerTitle: b.offerTitle?.trim() ?? null,
            kind: b.kind,
            by: b.by.trim(),
            at,
          }),
        ),
      )
    }),
  )
