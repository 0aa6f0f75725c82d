// Pseudonymous identity of a data subject: a keyed HMAC of the normalised email, never a bare hash (a hash of
// an email is reversed with a dictionary of addresses; an HMAC is not without the secret).
import { createHmac } from 'node:crypto'
import { normaliseEmail } from '@leadstream/domain'

/** A data subject's id: `sub-` and 32 hex digits of HMAC-SHA256(secret, normalised email). */
export type SubjectId = string

/** The secret the identity HMACs are keyed with (`LEADSTREAM_IDENTITY_SECRET`, or the one kept in the key store). */
export interface IdentitySecret {
  readonly bytes: Buffer
}

export const subjectOfEmail = (secret: IdentitySecret, email: string): SubjectId | null => {
  const normalised = normaliseEmail(email)
  return normalised === '' ? null : `sub-${createHmac('sha256', secret.bytes).update(`subject|${normalised}`).digest('hex').slice(0, 32)}`
}

/** A keyed hash for audit entries and logs: tells two erasures of one person apart from two people, reveals neither. */
export const keyedDigest = (secret: IdentitySecret, purpose: string, value: string): string =>
  createHmac('sha256', secret.bytes).update(`${purpose}|${value}`).digest('hex').slice(0, 32)

/** The subject of a lead with contact data but no email: its own, derived from the lead id, so it can still be erased. */
export const subjectOfLead = (secret: IdentitySecret, leadId: string): SubjectId =>
  `sub-${createHmac('sha256', secret.bytes).update(`subject-lead|${leadId}`).digest('hex').slice(0, 32)}`

/** The identity secret from LEADSTREAM_IDENTITY_SECRET (its UTF-8 bytes), or null when the setting is empty. */
export const identitySecretOf = (setting: string): IdentitySecret | null => (setting === '' ? null : { bytes: Buffer.from(setting, 'utf8') })
