// Finds the leads a raw inbound payload names, so a dead letter can be purged when its lead's person is erased.
import type { LeadsOf } from './port.js'

const LEAD_ID_FIELD = /"lead_?id"\s*:\s*"((?:[^"\\]|\\.)*)"/gi

/**
 * The values of every `leadId` (or `lead_id`, any case) string field in a payload, each once. Scanned as text,
 * so a payload that is not valid JSON (often why it was rejected) still finds its lead; escapes are decoded
 * where they parse. Loose on purpose: a false positive only links a dead letter to a lead no one erases.
 */
export const leadsInPayload: LeadsOf = (payload) => {
  const found = new Set<string>()
  for (const m of payload.matchAll(LEAD_ID_FIELD)) {
    const raw = m[1] ?? ''
    let value = raw
    try {
      value = JSON.parse(`"${raw}"`) as string
    } catch {
      // kept as written
    }
    if (value !== '') found.add(value)
  }
  return [...found]
}
