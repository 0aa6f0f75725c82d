// Lead sources and action codes as the marketplace sends them: split, map to a storefront, classify.
import * as E from 'fp-ts/lib/Either.js'
import { unknownStorefront, type LeadError } from './errors.js'
import type { Storefront } from './model.js'

/**
 * Which storefront a lead-source value means. Extend it with configuration (`LEADSTREAM_LEAD_SOURCES`) when
 * the marketplace sends a value this list lacks; `TestDrive` is left out on purpose, since test drives exist
 * on both storefronts and the payload does not say which.
 */
export type SourceMap = Readonly<Record<string, Storefront>>

export const defaultSources: SourceMap = {
  azuremarketplace: 'AzureMarketplace',
  azureportal: 'AzureMarketplace',
  spza: 'AppSource',
  appsource: 'AppSource',
}

export const withSources = (extra: SourceMap): SourceMap => ({
  ...defaultSources,
  ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k.trim().toLowerCase(), v])),
})

export const storefrontOf = (sources: SourceMap, leadSource: string | null): E.Either<LeadError, Storefront> => {
  const key = leadSource?.trim().toLowerCase()
  // Own keys only: `constructor`, `toString`, … are inherited by every object and are not storefronts.
  const found = key === undefined || !Object.hasOwn(sources, key) ? undefined : sources[key]
  return found === undefined ? E.left(unknownStorefront(leadSource)) : E.right(found)
}

/** A lead-source field split into its parts: `<source>-<action>|<publisher.offer>` or a bare source. */
export interface LeadSourceParts {
  readonly source: string
  readonly action: string | null
  readonly offerId: string | null
}

const combined = /^\s*([A-Za-z0-9_]+)-([A-Za-z0-9_]+)\s*\|\s*(\S.*?)\s*$/

export const splitLeadSource = (value: string): LeadSourceParts => {
  const m = combined.exec(value)
  if (m !== null) return { source: m[1] ?? '', action: m[2] ?? null, offerId: m[3] ?? null }
  const [source, offerId] = value.split('|', 2)
  return { source: (source ?? '').trim(), action: null, offerId: offerId === undefined || offerId.trim() === '' ? null : offerId.trim() }
}

/** `Campaigns: spring-launch, webinar-q3` in a description (format unconfirmed: tolerant on separators). */
export const campaignsIn = (description: string | null): ReadonlyArray<string> => {
  if (description === null) return []
  const m = /campaigns?\s*:\s*([^\n\r]*)/i.exec(description)
  if (m === null) return []
  return (m[1] ?? '')
    .split(/[,;|]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')
}

/** Microsoft's test leads carry `MSFT_TEST` in names, email, company and description. */
export const looksLikeTestLead = (fields: ReadonlyArray<string | null>): boolean => fields.some((f) => f?.toUpperCase().includes('MSFT_TEST') === true)
