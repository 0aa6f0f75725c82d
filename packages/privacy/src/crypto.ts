// AES-256-GCM from node:crypto, the one cipher of personal data: sealing records with a data key, and wrapping
// data keys (and the identity secret) with the master key. Authenticated: a flipped bit or a record moved to
// another lead (its associated data differs) fails to open instead of yielding wrong plaintext.
import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from 'node:crypto'

const ALGORITHM = 'aes-256-gcm'
const IV_BYTES = 12
const TAG_BYTES = 16
export const KEY_BYTES = 32

/** A sealed record as events carry it: every part base64. `keyId` names the data key it was sealed with. */
export interface SealedRecord {
  readonly keyId: string
  readonly iv: string
  readonly data: string
  readonly tag: string
}

/** A master key: 32 bytes and its id (a short HMAC of the key, so the id reveals nothing and names it for rotation). */
export interface MasterKey {
  readonly id: string
  readonly key: Buffer
}

/**
 * Random bytes from the CSPRNG, drawn from a pool filled 16 KiB at a time: a seal needs a fresh 12-byte IV and
 * a new subject a key and an id, and one system call each costs more than the cipher on a busy machine. Every
 * byte is handed out once; the pool is refilled, never reused.
 */
const POOL_BYTES = 16 * 1024
let pool = Buffer.alloc(0)
let at = 0
export const randomBytesPooled = (n: number): Buffer => {
  if (n > POOL_BYTES) return randomFillSync(Buffer.alloc(n))
  if (at + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES))
    at = 0
  }
  // A copy: the caller may keep it (a key) while the pool is refilled.
  const out = Buffer.from(pool.subarray(at, at + n))
  pool.fill(0, at, at + n)
  at += n
  return out
}

export const newKey = (): Buffer => randomBytesPooled(KEY_BYTES)

export const masterKeyId = (key: Buffer): string => `mk-${createHmac('sha256', key).update('leadstream master key id').digest('hex').slice(0, 16)}`

export const masterKey = (key: Buffer): MasterKey => ({ id: masterKeyId(key), key })

/** Encrypts `plaintext` under `key`, bound to `aad`; a fresh random IV each time. */
export const seal = (key: Buffer, keyId: string, aad: string, plaintext: Buffer): SealedRecord => {
  const iv = randomBytesPooled(IV_BYTES)
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const data = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { keyId, iv: iv.toString('base64'), data: data.toString('base64'), tag: cipher.getAuthTag().toString('base64') }
}

/** The plaintext, or null when the record does not open with this key and associated data (tampered, moved, wrong key). */
export const open = (key: Buffer, aad: string, record: SealedRecord): Buffer | null => {
  try {
    const tag = Buffer.from(record.tag, 'base64')
    const iv = Buffer.from(record.iv, 'base64')
    if (tag.length !== TAG_BYTES || iv.length !== IV_BYTES) return null
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(aad, 'utf8'))
    decipher.setAuthTag(tag)
    return Buffer.concat([decipher.update(Buffer.from(record.data, 'base64')), decipher.final()])
  } catch {
    return null
  }
}

/** A key wrapped by a master key: `iv.tag.ciphertext` in base64, bound to what it is (`aad`: key id and subject). */
export const wrap = (master: MasterKey, aad: string, key: Buffer): string => {
  const s = seal(master.key, master.id, aad, key)
  return `${s.iv}.${s.tag}.${s.data}`
}

export const unwrap = (master: MasterKey, aad: string, wrapped: string): Buffer | null => {
  const [iv, tag, data] = wrapped.split('.')
  if (iv === undefined || tag === undefined || data === undefined) return null
  const key = open(master.key, aad, { keyId: master.id, iv, tag, data })
  return key !== null && key.length === KEY_BYTES ? key : null
}
