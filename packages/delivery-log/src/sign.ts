// Standard Webhooks signing: `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` under the
// secret's bytes (the base64 after `whsec_`). Receivers verify with the `standardwebhooks` package.
import { createHmac, randomBytes } from 'node:crypto'

/** A new secret: 32 random bytes, in the Standard Webhooks `whsec_` format. */
export const newSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

export const signature = (secret: string, id: string, timestampSeconds: number, body: string): string =>
  `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64')}`

/** The three headers of one attempt (the timestamp is the attempt's, the id the message's). */
export const signedHeaders = (secret: string, id: string, now: Date, body: string): Record<string, string> => {
  const ts = Math.floor(now.getTime() / 1000)
  return { 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': signature(secret, id, ts, body) }
}
