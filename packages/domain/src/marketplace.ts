// The commercial marketplace's lead shapes (HTTPS endpoint JSON, Azure Table rows, CRM web-to-lead forms)
// decoded into one CaptureLead command. Field names and quirks: shared/DOMAIN.md.
import * as E from 'fp-ts/lib/Either.js'
import { pipe } from 'fp-ts/lib/function.js'
import * as t from 'io-ts'
import type { CaptureLead, LeadCommand } from './decide.js'
import { fromValidation, problem } from './decodeError.js'
import { invalid, type LeadError } from './errors.js'
import { deterministicEventId, marketplaceLeadId, type KeyedHash } from './identity.js'
import { campaignOf, offer as makeOffer, type Customer } from './model.js'
import { campaignsIn, looksLikeTestLead, splitLeadSource, storefrontOf, type SourceMap } from './sources.js'
import { boundedText, optionalText, textLimits } from './text.js'

/**
 * A decoded inbound event: the command and the event id that makes its re-delivery idempotent. The marketplace's
 * shapes are always captures; the native format also carries lifecycle events (nativeLifecycle.ts).
 */
export interface InboundLead<C extends LeadCommand = LeadCommand> {
  readonly eventId: string
  readonly command: C
}
/** What the marketplace's shapes decode to: always a capture. */
export type InboundCapture = InboundLead<CaptureLead>

/** Where and when the lead arrived: the clock is read at the edge and passed in. */
export interface Receipt {
  readonly receivedAt: string
  /** Keys the lead id derived from the customer's email (identity.ts). */
  readonly identity: KeyedHash
}

const L = textLimits
const text = (v: string | null | undefined): string => (v ?? '').trim()
const orNull = (v: string | null | undefined): string | null => (v === null || v === undefined || v.trim() === '' ? null : v.trim())

/** Renames an object's keys to their canonical spelling, whatever their casing (`userDetails` → `UserDetails`). */
const canonicalKeys = (value: unknown, names: ReadonlyArray<string>): unknown => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]))
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) out[byLower.get(k.toLowerCase()) ?? k] = v
  return out
}

const customerFields = ['FirstName', 'LastName', 'Email', 'Phone', 'Country', 'Company', 'Title'] as const
const UserDetails = t.partial({
  FirstName: optionalText(L.firstName),
  LastName: optionalText(L.lastName),
  Email: optionalText(L.email),
  Phone: optionalText(L.phone),
  Country: optionalText(L.country),
  Company: optionalText(L.company),
  Title: optionalText(L.title),
})
type UserDetails = t.TypeOf<typeof UserDetails>

const toCustomer = (u: UserDetails | null | undefined): Customer => ({
  firstName: text(u?.FirstName),
  lastName: text(u?.LastName),
  email: text(u?.Email),
  phone: text(u?.Phone),
  country: text(u?.Country),
  company: text(u?.Company),
  title: text(u?.Title),
})

// ---------------------------------------------------------------------------------------------------------
// the shapes
// ---------------------------------------------------------------------------------------------------------

const HttpsPayload = t.partial(
  {
    UserDetails: t.union([UserDetails, t.null]),
    LeadSource: optionalText(L.leadSource),
    ActionCode: optionalText(L.action),
    OfferTitle: optionalText(L.offerTitle),
    Description: optionalText(L.description, { multiline: true }),
  },
  'MarketplaceLead',
)

const TableRow = t.partial(
  {
    PartitionKey: optionalText(L.tableKey),
    RowKey: optionalText(L.tableKey),
    Timestamp: optionalText(L.timestamp),
    ActionCode: optionalText(L.action),
    Description: optionalText(L.description, { multiline: true }),
    LeadSource: optionalText(L.leadSource),
    OfferTitle: optionalText(L.offerTitle),
    CustomerInfo: t.union([boundedText(L.customerInfo, { multiline: true }), UserDetails, t.null]),
  },
  'AzureTableLead',
)

const formFields = ['first_name', 'last_name', 'email', 'phone', 'company', 'title', 'country', 'description', 'lead_source'] as const
const FormLead = t.partial(
  {
    first_name: optionalText(L.firstName),
    last_name: optionalText(L.lastName),
    email: optionalText(L.email),
    phone: optionalText(L.phone),
    company: optionalText(L.company),
    title: optionalText(L.title),
    country: optionalText(L.country),
    description: optionalText(L.description, { multiline: true }),
    lead_source: optionalText(L.leadSource),
  },
  'CrmFormLead',
)

export type MarketplaceShape = 'marketplace-https' | 'azure-table' | 'crm-form'

/** Which of the marketplace's shapes an object is, told by the fields only that shape has. */
export const shapeOf = (value: unknown): MarketplaceShape => {
  if (value === null || typeof value !== 'object') return 'marketplace-https'
  const keys = new Set(Object.keys(value).map((k) => k.toLowerCase()))
  if (keys.has('customerinfo') || keys.has('partitionkey') || keys.has('rowkey')) return 'azure-table'
  if (keys.has('lead_source') || keys.has('first_name') || keys.has('last_name')) return 'crm-form'
  return 'marketplace-https'
}

/** The parts every shape reduces to before the storefront and identity are worked out. */
interface Parts {
  readonly leadSource: string | null
  readonly action: string | null
  readonly offerTitle: string | null
  readonly description: string | null
  readonly customer: Customer
  readonly occurredAt: string | null
}

const decodeWith = <A>(codec: t.Decoder<unknown, A>, value: unknown, prefix: string): E.Either<LeadError, A> =>
  pipe(
    codec.decode(value),
    E.mapLeft((errors) => invalid(fromValidation(errors, prefix))),
  )

const isObject = (value: unknown, prefix: string): E.Either<LeadError, Record<string, unknown>> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)
    ? E.right(value as Record<string, unknown>)
    : E.left(invalid([problem(prefix === '' ? '(body)' : prefix, 'expected a JSON object (one lead)')]))

const httpsParts = (value: unknown, prefix: string): E.Either<LeadError, Parts> =>
  pipe(
    isObject(value, prefix),
    E.map((o) => canonicalKeys(o, ['UserDetails', 'LeadSource', 'ActionCode', 'OfferTitle', 'Description'])),
    E.map((o) => {
      const r = o as Record<string, unknown>
      return { ...r, UserDetails: canonicalKeys(r['UserDetails'], customerFields) }
    }),
    E.chain((o) => decodeWith(HttpsPayload, o, prefix)),
    E.map((p) => ({
      leadSource: orNull(p.LeadSource),
      action: orNull(p.ActionCode),
      offerTitle: orNull(p.OfferTitle),
      description: orNull(p.Description),
      customer: toCustomer(p.UserDetails),
      occurredAt: null,
    })),
  )

const tableParts = (value: unknown, prefix: string): E.Either<LeadError, Parts> =>
  pipe(
    isObject(value, prefix),
    E.map((o) => canonicalKeys(o, ['PartitionKey', 'RowKey', 'Timestamp', 'ActionCode', 'Description', 'LeadSource', 'OfferTitle', 'CustomerInfo'])),
    E.chain((o) => decodeWith(TableRow, o, prefix)),
    E.chain((row) => {
      // CustomerInfo is one column holding the customer's details packed as serialised JSON.
      const at = prefix === '' ? 'CustomerInfo' : `${prefix}.CustomerInfo`
      let info: unknown = row.CustomerInfo ?? null
      if (typeof info === 'string') {
        if (info.trim() === '') info = null
        else
          try {
            info = JSON.parse(info)
          } catch {
            return E.left(invalid([problem(at, 'expected serialised JSON of the customer details')]))
          }
      }
      return pipe(
        decodeWith(t.union([UserDetails, t.null]), canonicalKeys(info, customerFields), at),
        E.map(
          (details): Parts => ({
            leadSource: orNull(row.LeadSource),
            action: orNull(row.ActionCode),
            offerTitle: orNull(row.OfferTitle),
            description: orNull(row.Description),
            customer: toCustomer(details),
            occurredAt: orNull(row.Timestamp),
          }),
        ),
      )
    }),
  )

const formParts = (value: unknown, prefix: string): E.Either<LeadError, Parts> =>
  pipe(
    isObject(value, prefix),
    E.map((o) => canonicalKeys(o, formFields)),
    E.chain((o) => decodeWith(FormLead, o, prefix)),
    E.map((f) => ({
      leadSource: orNull(f.lead_source),
      action: null,
      offerTitle: null,
      description: orNull(f.description),
      customer: toCustomer({
        FirstName: f.first_name,
        LastName: f.last_name,
        Email: f.email,
        Phone: f.phone,
        Country: f.country,
        Company: f.company,
        Title: f.title,
      }),
      occurredAt: null,
    })),
  )

// ---------------------------------------------------------------------------------------------------------
// decoding
// ---------------------------------------------------------------------------------------------------------

const validInstant = (s: string | null): string | null => {
  if (s === null) return null
  const ms = Date.parse(s)
  return Number.isNaN(ms) ? null : new Date(ms).toISOString()
}

/**
 * Decodes one marketplace lead of any shape. `prefix` is the JSON path of the lead in its request
 * (`[3]` in a batch), so problems name the field the sender must fix.
 */
export const decodeMarketplaceLead = (sources: SourceMap, receipt: Receipt, value: unknown, prefix = ''): E.Either<LeadError, InboundCapture> => {
  const shape = shapeOf(value)
  const parts = shape === 'azure-table' ? tableParts(value, prefix) : shape === 'crm-form' ? formParts(value, prefix) : httpsParts(value, prefix)
  return pipe(
    parts,
    E.chain((p) => {
      const split = p.leadSource === null ? null : splitLeadSource(p.leadSource)
      return pipe(
        storefrontOf(sources, split?.source ?? null),
        E.chain((storefront) => {
          const offerId = split?.offerId ?? null
          if (offerId === null && p.offerTitle === null)
            return E.left(
              invalid([
                problem(prefix === '' ? 'OfferTitle' : `${prefix}.OfferTitle`, 'missing: the offer is named by neither OfferTitle nor the lead source'),
              ]),
            )
          const offer = makeOffer(offerId, p.offerTitle)
          const action = p.action ?? split?.action ?? ''
          const leadId = marketplaceLeadId(receipt.identity, storefront, offer, p.customer, value)
          const c = p.customer
          const command: CaptureLead = {
            type: 'CaptureLead',
            leadId,
            storefront,
            campaign: campaignOf(storefront),
            leadSource: p.leadSource ?? '',
            action,
            offer,
            customer: c,
            description: p.description,
            campaigns: campaignsIn(p.description),
            isTest: looksLikeTestLead([c.firstName, c.lastName, c.email, c.company, p.description]),
            format: shape,
            occurredAt: validInstant(p.occurredAt) ?? receipt.receivedAt,
          }
          return E.right({ eventId: deterministicEventId(`${leadId}|${action}`), command })
        }),
      )
    }),
  )
}
