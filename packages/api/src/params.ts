// Query-string codecs: each decodes the string a URL carries and encodes back to it. A bad one is named in the
// 400 by its parameter. Shared by every read route, so a filter means the same thing everywhere.
import * as t from 'io-ts'
import { CampaignType, Instant, OfferKind, QualificationState, Storefront } from '@leadstream/domain'
import { withSchema } from './annotate.js'

// ---------------------------------------------------------------------------------------------------------
// scalars
// ---------------------------------------------------------------------------------------------------------

/** A decimal integer in [min, max]: digits only (no sign, no `0x`, no exponent). */
export const IntParam = (min: number, max: number) =>
  withSchema(
    new t.Type<number, string, unknown>(
      `integer ${min}..${max}`,
      (u): u is number => typeof u === 'number',
      (u, c) => {
        const n = typeof u === 'string' && /^\d{1,16}$/.test(u) ? Number(u) : NaN
        return Number.isSafeInteger(n) && n >= min && n <= max ? t.success(n) : t.failure(u, c, `expected an integer from ${min} to ${max}`)
      },
      String,
    ),
    { type: 'integer', minimum: min, maximum: max },
  )

export const BoolParam = withSchema(
  new t.Type<boolean, string, unknown>(
    'boolean',
    (u): u is boolean => typeof u === 'boolean',
    (u, c) => (u === 'true' || u === '1' ? t.success(true) : u === 'false' || u === '0' ? t.success(false) : t.failure(u, c, 'expected true or false')),
    String,
  ),
  { type: 'boolean' },
)

/** An ISO-8601 instant with an offset (`2026-11-01T00:00:00Z`) or a calendar date (`2026-11-01`, read as UTC midnight). */
export const InstantParam = withSchema(
  new t.Type<string, string, unknown>(
    'instant',
    (u): u is string => typeof u === 'string',
    (u, c) => {
      const s = typeof u === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(u) ? `${u}T00:00:00Z` : u
      const r = Instant.validate(s, c)
      return r._tag === 'Right' ? r : t.failure(u, c, 'expected an ISO-8601 date (2026-11-01) or date-time with an offset (2026-11-01T10:00:00Z)')
    },
    t.identity,
  ),
  { type: 'string', description: 'ISO-8601 date or date-time with an offset' },
)

/** An IANA time zone name that this runtime knows (`Europe/Berlin`, `Asia/Kolkata`, `UTC`). */
export const TimeZoneParam = withSchema(
  new t.Type<string, string, unknown>(
    'time zone',
    (u): u is string => typeof u === 'string',
    (u, c) => {
      if (typeof u !== 'string' || u.length > 64) return t.failure(u, c, 'expected an IANA time zone such as Europe/Berlin')
      try {
        return t.success(new Intl.DateTimeFormat('en', { timeZone: u }).resolvedOptions().timeZone)
      } catch {
        return t.failure(u, c, 'expected an IANA time zone such as Europe/Berlin')
      }
    },
    t.identity,
  ),
  { type: 'string', description: 'IANA time zone name', examples: ['UTC', 'Europe/Berlin', 'Asia/Kolkata'] },
)

/** Half of a UTF-16 surrogate pair with no other half: not a Unicode string. */
export const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** A bounded free string (offer ids and titles, country names, action codes): no control characters. */
export const TextParam = (max: number) =>
  withSchema(
    new t.Type<string, string, unknown>(
      `text of at most ${max} characters`,
      (u): u is string => typeof u === 'string',
      (u, c) =>
        typeof u === 'string' && u.length > 0 && u.length <= max && !/[\u0000-\u001f\u007f]/.test(u) && !loneSurrogate.test(u)
          ? t.success(u)
          : t.failure(u, c, `expected 1 to ${max} characters without control characters`),
      t.identity,
    ),
    { type: 'string', minLength: 1, maxLength: max },
  )

// ---------------------------------------------------------------------------------------------------------
// shared groups
// ---------------------------------------------------------------------------------------------------------

/** Read-your-writes: `minPosition` (a position an ingest answer returned) and how long to wait for it. */
export const Freshness = t.partial({ minPosition: IntParam(0, Number.MAX_SAFE_INTEGER), waitMs: IntParam(0, 30000) })
export type Freshness = t.TypeOf<typeof Freshness>

/**
 * The filters every analyst read takes (count views, lead list, series, funnel, top lists, exports).
 * - `offer`: an offer id (`publisher.offer`) or a title; matches the lead's offer by either.
 * - `action`: an action code; a lead matches if it has recorded that action (unknown codes verbatim, or `other`).
 * - `country`: ISO 3166-1 alpha-2 (`US`) or a common form (`USA`, `United States`), normalised alike on both sides.
 * - `from`/`to`: capture time, `from` inclusive, `to` exclusive.
 * - `includeTest`: marketplace test leads (`MSFT_TEST`) are left out unless true.
 */
export const Filters = t.partial({
  storefront: Storefront,
  campaign: CampaignType,
  offer: TextParam(256),
  offerKind: OfferKind,
  action: TextParam(64),
  country: TextParam(64),
  state: QualificationState,
  from: InstantParam,
  to: InstantParam,
  includeTest: BoolParam,
})
export type Filters = t.TypeOf<typeof Filters>

export const Paging = t.partial({ limit: IntParam(1, 1000), cursor: TextParam(512) })
