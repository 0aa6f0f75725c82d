// leadstream's own inbound format: upstream systems that know their lead and event ids send this.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import type { CaptureLead } from './decide.js'
import { fromValidation, problem } from './decodeError.js'
import { invalid, type LeadError } from './errors.js'
import { Instant } from './events.js'
import type { InboundLead } from './marketplace.js'
import { campaignOf, emptyCustomer, LeadId, offer, Storefront } from './model.js'
import { campaignsIn, looksLikeTestLead } from './sources.js'
import { boundedText, textLimits as L } from './text.js'
import { decodeNativeLifecycle, EventId } from './nativeLifecycle.js'

/** Inbound event types the native format accepts, with their versions. */
export const nativeTypes = {
  LeadCaptured: [1],
  LeadContacted: [1],
  LeadNurturingStarted: [1],
  LeadQualified: [1],
  LeadConverted: [1],
  LeadDisqualified: [1],
  LeadReopened: [1],
  LeadActionRecorded: [1],
} as const

export const NativeLeadCapturedV1 = t.type(
  {
    type: t.literal('LeadCaptured'),
    version: t.literal(1),
    eventId: EventId,
    leadId: LeadId,
    occurredAt: Instant,
    data: t.intersection([
      t.type({
        storefront: Storefront,
        action: boundedText(L.action),
        offer: t.intersection([t.partial({ id: boundedText(L.offerId), title: boundedText(L.offerTitle) }), t.type({})]),
      }),
      t.partial({
        leadSource: boundedText(L.leadSource),
        customer: t.partial({
          firstName: boundedText(L.firstName),
          lastName: boundedText(L.lastName),
          email: boundedText(L.email),
          phone: boundedText(L.phone),
          country: boundedText(L.country),
          company: boundedText(L.company),
          title: boundedText(L.title),
        }),
        description: t.union([boundedText(L.description, { multiline: true }), t.null]),
        campaigns: t.array(boundedText(L.campaign)),
        isTest: t.boolean,
      }),
    ]),
  },
  'NativeLeadCaptured.v1',
)
export type NativeLeadCapturedV1 = t.TypeOf<typeof NativeLeadCapturedV1>

/**
 * Decodes one native inbound event: a capture, or a lifecycle event (nativeLifecycle.ts) of a lead captured
 * before. An unknown type or version is named as such, not as a shape mismatch.
 */
export const decodeNativeLead = (value: unknown): E.Either<LeadError, InboundLead> => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return E.left(invalid([problem('(body)', 'expected a JSON object (one event)')]))
  const o = value as Record<string, unknown>
  const type = o['type']
  // Own keys only: `in` would also accept inherited names such as `toString`.
  if (typeof type !== 'string' || !Object.hasOwn(nativeTypes, type))
    return E.left(invalid([problem('type', `unknown event type ${JSON.stringify(type ?? null)}; accepted: ${Object.keys(nativeTypes).join(', ')}`)]))
  if (o['version'] !== 1) return E.left(invalid([problem('version', `${type} accepts versions 1, got ${JSON.stringify(o['version'] ?? null)}`)]))
  if (type !== 'LeadCaptured') return decodeNativeLifecycle(type as Exclude<keyof typeof nativeTypes, 'LeadCaptured'>, value)
  return pipe(
    NativeLeadCapturedV1.decode(value),
    E.mapLeft((errors) => invalid(fromValidation(errors))),
    E.chain((n) => {
      const o2 = offer(n.data.offer.id ?? null, n.data.offer.title ?? null)
      if (o2.id === null && o2.title === null) return E.left(invalid([problem('data.offer', 'needs an id or a title')]))
      // Only the known customer fields are kept: personal data nobody asked for is not stored.
      const c = n.data.customer ?? {}
      const customer = {
        firstName: c.firstName ?? emptyCustomer.firstName,
        lastName: c.lastName ?? emptyCustomer.lastName,
        email: c.email ?? emptyCustomer.email,
        phone: c.phone ?? emptyCustomer.phone,
        country: c.country ?? emptyCustomer.country,
        company: c.company ?? emptyCustomer.company,
        title: c.title ?? emptyCustomer.title,
      }
      const description = n.data.description ?? null
      const command: CaptureLead = {
        type: 'CaptureLead',
        leadId: n.leadId,
        storefront: n.data.storefront,
        campaign: campaignOf(n.data.storefront),
        leadSource: n.data.leadSource ?? n.data.storefront,
        action: n.data.action,
        offer: o2,
        customer,
        description,
        campaigns: n.data.campaigns ?? campaignsIn(description),
        isTest: n.data.isTest ?? looksLikeTestLead([customer.firstName, customer.lastName, customer.email, customer.company, description]),
        format: 'native',
        occurredAt: n.occurredAt,
      }
      return E.right({ eventId: n.eventId, command })
    }),
  )
}
