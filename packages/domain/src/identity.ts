// Lead identity for formats without ids: (storefront, offer, normalised email), or a hash of the payload.
import { createHash, createHmac } from 'node:crypto'
import type { Customer, Offer, Storefront } from './model.js'

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex')

export const normaliseEmail = (email: string): string => email.trim().toLowerCase()

/** JSON with sorted keys and trimmed strings: equal payloads give equal text whatever their key order. */
export const canonicalJson = (value: unknown): string => {
  if (typeof value === 'string') return JSON.stringify(value.trim())
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => [k.toLowerCase(), v] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/**
 * A keyed hash (HMAC-SHA256, hex) of text that identifies a person. A bare hash of an email is reversed with a
 * dictionary of addresses; a keyed one is not without the secret. The domain is handed one (it never reads the
 * secret): `LEADSTREAM_IDENTITY_SECRET`, or the one kept in the key store (packages/privacy).
 */
export type KeyedHash = (text: string) => string

export const keyedHash =
  (secret: Uint8Array): KeyedHash =>
  (text) =>
    createHmac('sha256', secret).update(text).digest('hex')

/**
 * A marketplace lead's id. With an email: one customer's interest in one offer on one storefront.
 * Without one (personal data withheld), the whole normalised payload identifies it. Keyed: see KeyedHash.
 */
export const marketplaceLeadId = (hash: KeyedHash, storefront: Storefront, offer: Offer, customer: Customer, payload: unknown): string => {
  const email = normaliseEmail(customer.email)
  const basis = email === '' ? `payload|${canonicalJson(payload)}` : `${storefront}|${offer.key}|${email}`
  return `mk-${hash(`lead|${basis}`).slice(0, 32)}`
}

/** A deterministic event id (UUID-shaped) from a name, so re-deliveries produce the same id. */
export const deterministicEventId = (name: string): string => {
  const h = sha256(name)
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}
