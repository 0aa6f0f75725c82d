// Everything a composition root needs for personal data, opened from the settings in one call: the key store
// (after checking the master key), the identity secret, the keyed hash lead ids use, the sealing store and the
// opening log. While previous master keys are configured it re-wraps old keys in the background.
import { keyedHash, type KeyedHash } from '@leadstream/domain'
import type { EventLog } from '@leadstream/event-log'
import type { EventStore } from '@leadstream/event-store'
import type { Logger } from '@leadstream/runtime'
import { openKeyStore, type KeyStoreChoice } from './open.js'
import type { KeyStore } from './port.js'
import { identitySecretOf, type IdentitySecret } from './subject.js'
import { openingLog, sealingStore, sealRequests } from './wrap.js'
import type { AppendRequest } from '@leadstream/event-store'

export interface PersonalDataSettings extends KeyStoreChoice {
  readonly identitySecret: string
}

export interface PersonalData {
  readonly keys: KeyStore
  readonly secret: IdentitySecret
  readonly identity: KeyedHash
  /** Seals a batch of requests before they are appended (ingest: once per batch, however it is then sliced). */
  seal(requests: ReadonlyArray<AppendRequest>): Promise<ReadonlyArray<AppendRequest>>
  /** A store that seals what it appends (for appenders other than ingest). */
  sealing(store: EventStore): EventStore
  opening(log: EventLog): EventLog
  /** The background re-wrap of a rotation: resolves with how many keys it re-wrapped (0 when none was due). */
  readonly rotated: Promise<number>
  /** Stops a re-wrap in progress after its slice (the next start goes on) and closes the key store. */
  close(): Promise<void>
}

/** Re-wraps keys of previous master keys in slices, giving the event loop turns; resolves with how many. */
export const rewrapAll = async (keys: KeyStore, stopped: () => boolean = () => false, slice = 1000): Promise<number> => {
  let total = 0
  for (let n = -1; n !== 0 && !stopped(); total += n) {
    n = await keys.rewrap(slice)
    await new Promise((r) => setImmediate(r))
  }
  return total
}

export const openPersonalData = async (c: PersonalDataSettings, logger?: Logger): Promise<PersonalData> => {
  const keys = await openKeyStore(c, logger)
  const secret = identitySecretOf(c.identitySecret) ?? (await keys.identitySecret())
  let closing = false
  const rotation: Promise<number> =
    c.previousMasterKeys.length === 0
      ? Promise.resolve(0)
      : rewrapAll(keys, () => closing).then(
          (n) => {
            if (!closing)
              logger?.info(
                { rewrapped: n },
                'master key rotation: every data key is wrapped by the current master key; LEADSTREAM_PREVIOUS_MASTER_KEYS can be removed',
              )
            return n
          },
          (e: unknown) => {
            logger?.error({ err: e instanceof Error ? e.message : String(e) }, 'master key rotation failed; it is tried again at the next start')
            return 0
          },
        )
  return {
    keys,
    secret,
    identity: keyedHash(secret.bytes),
    seal: (requests) => sealRequests({ keys, secret }, requests),
    sealing: (store) => sealingStore(store, { keys, secret }),
    opening: (log) => openingLog(log, keys),
    rotated: rotation,
    close: async () => {
      closing = true
      await rotation
      await keys.close()
    },
  }
}
