// Subscription secrets at rest: sealed with the key store's secrets key (a data key wrapped by the master key, and
// rewrapped with it on rotation), so a copy of webhooks.db or of the PostgreSQL schema alone does not hold the
// secrets that sign deliveries. A secret reads back open from `subscriptions()` and `subscription()`; one stored
// in clear by an earlier version reads as it was.
import * as E from 'fp-ts/lib/Either.js'
import type { Subscription, WebhookStore } from '@leadstream/delivery-log'
import { Sealed } from '@leadstream/domain'
import { open, seal, type KeyStore } from '@leadstream/privacy'

const PREFIX = 'sealed:'

/** What a sealed secret is bound to: its subscription, so it cannot be moved to another one. */
const aadOf = (subscriptionId: string): string => `leadstream webhook secret|${subscriptionId}`

/** The delivery log with its subscriptions' secrets sealed on the way in and opened on the way out. */
export const sealedSecrets = (store: WebhookStore, keys: KeyStore): WebhookStore => {
  // Opened secrets by subscription and sealed text (a record is bound to its subscription): the sender reads the
  // subscriptions every round.
  const opened = new Map<string, string>()

  const openSecret = async (s: Subscription): Promise<Subscription> => {
    if (!s.secret.startsWith(PREFIX)) return s
    const cacheKey = `${s.id}\u0000${s.secret}`
    const known = opened.get(cacheKey)
    if (known !== undefined) return { ...s, secret: known }
    const record = Sealed.decode(JSON.parse(s.secret.slice(PREFIX.length)))
    if (E.isLeft(record)) throw new Error(`the stored secret of subscription ${s.id} is not a sealed record`)
    const key = (await keys.keysById([record.right.keyId])).get(record.right.keyId)
    if (key === undefined) throw new Error(`the key that sealed subscription ${s.id}'s secret (${record.right.keyId}) is not in the key store`)
    const plain = open(key.key, aadOf(s.id), record.right)
    if (plain === null) throw new Error(`the stored secret of subscription ${s.id} fails its authentication: altered, or moved from another subscription`)
    const secret = plain.toString('utf8')
    opened.set(cacheKey, secret)
    return { ...s, secret }
  }

  return {
    ...store,
    addSubscription: async (s) => {
      const key = await keys.secretsKey()
      const sealed = `${PREFIX}${JSON.stringify(seal(key.key, key.keyId, aadOf(s.id), Buffer.from(s.secret, 'utf8')))}`
      await store.addSubscription({ ...s, secret: sealed })
    },
    subscriptions: async () => Promise.all((await store.subscriptions()).map(openSecret)),
    subscription: async (id) => {
      const s = await store.subscription(id)
      return s === null ? null : openSecret(s)
    },
  }
}

/** Secrets sealed wherever a key store is at hand (without one, as in tests of the delivery log alone, in clear). */
export const withSealedSecrets = (store: WebhookStore, keys: KeyStore | null): WebhookStore => (keys === null ? store : sealedSecrets(store, keys))
