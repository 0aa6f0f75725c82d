// The key store's logic over any engine's rows: wrapping with the master keys, the LRU of unwrapped keys, the
// start-up check of the master key, rotation. The SQLite and PostgreSQL adapters only move rows.
import { exitCodes, StartupFault } from '@leadstream/runtime'
import { newKey, randomBytesPooled, unwrap, wrap, type MasterKey } from './crypto.js'
import { Lru } from './lru.js'
import type { DataKey, KeyStore, SubjectLead } from './port.js'
import type { SubjectId } from './subject.js'

/** A data key as stored: wrapped, naming the master key that wrapped it. */
export interface KeyRow {
  readonly keyId: string
  readonly subject: SubjectId
  readonly wrapped: string
  readonly masterId: string
}

/** What an engine provides: rows in and out, each call one transaction. */
export interface KeyRows {
  /** The rows of these subjects, inserting `make(subject)` for each one missing (a concurrent insert wins: its row is answered). */
  getOrCreate(subjects: ReadonlyArray<SubjectId>, make: (subject: SubjectId) => KeyRow, links: ReadonlyArray<SubjectLead>): Promise<ReadonlyArray<KeyRow>>
  byIds(keyIds: ReadonlyArray<string>): Promise<ReadonlyArray<KeyRow>>
  link(links: ReadonlyArray<SubjectLead>): Promise<void>
  leadsOf(subject: SubjectId): Promise<ReadonlyArray<string>>
  subjectsOfLeads(leadIds: ReadonlyArray<string>): Promise<ReadonlyArray<{ readonly subject: SubjectId; readonly leadId: string }>>
  /** Deletes the subject's rows and records a tombstone of each deleted key id, in one transaction; answers how many. */
  deleteSubject(subject: SubjectId): Promise<number>
  /** Which of these key ids have a tombstone. */
  shredded(keyIds: ReadonlyArray<string>): Promise<ReadonlyArray<string>>
  /** Each master id in use, with how many rows it wraps and one of them (to prove the key really unwraps). */
  masterIds(): Promise<ReadonlyArray<{ readonly masterId: string; readonly keys: number; readonly sample: KeyRow }>>
  notWrappedBy(masterId: string, limit: number): Promise<ReadonlyArray<KeyRow>>
  /** Replaces the wrapping of each row still wrapped by `was` (a row re-wrapped meanwhile is left alone); answers how many. */
  replaceWrapping(rows: ReadonlyArray<KeyRow & { readonly was: string }>): Promise<number>
  close(): Promise<void>
}

/** The current master key wraps; the previous ones (LEADSTREAM_PREVIOUS_MASTER_KEYS) still unwrap. */
export interface MasterKeys {
  readonly current: MasterKey
  readonly previous: ReadonlyArray<MasterKey>
}

/** The master key does not open this key store: the service must stop (never write what it cannot read back). */
export class MasterKeyError extends StartupFault {
  constructor(reason: string) {
    super(
      [
        `the master key does not open the key store: ${reason}.`,
        'Set LEADSTREAM_MASTER_KEY (or LEADSTREAM_MASTER_KEY_FILE) to the key the store was written with; while rotating,',
        'give the old one in LEADSTREAM_PREVIOUS_MASTER_KEYS. The embedded default keeps it in <LEADSTREAM_DATA_DIR>/master.key:',
        'restore that file from its backup. Without it the personal data in the events cannot be read.',
      ].join('\n'),
      exitCodes.masterKey,
    )
  }
}

/** The identity secret is kept as a key row of a reserved subject no email can produce (subjects are `sub-…`). */
const IDENTITY_SUBJECT = 'secret:identity'
/** The key of secrets stored for operators (webhook signing secrets), a reserved subject too. */
const SECRETS_SUBJECT = 'secret:stored'

const aadOf = (keyId: string, subject: SubjectId): string => `leadstream data key|${keyId}|${subject}`

/**
 * A new key id: `dk-`, the creation time in milliseconds (12 hex digits) and 6 random bytes. Time first, so the
 * key store's index of key ids grows at its end instead of taking a random leaf page per new subject (test/bench:
 * the random ids cost a page write each at every commit once the index outgrew a batch). Random within the
 * millisecond, so processes sharing a store never collide in practice; the time it tells is the recorded time
 * of the event sealed with it, already in the clear.
 */
export const newKeyId = (nowMs: number): string => `dk-${Math.floor(nowMs).toString(16).padStart(12, '0')}${randomBytesPooled(6).toString('hex')}`

export interface KeyStoreOptions {
  /** Unwrapped keys kept in memory (default 10,000). */
  readonly cacheSize?: number
}

/**
 * Builds the key store over `rows` after checking that every master id in use is known and its keys unwrap;
 * throws a MasterKeyError (exit code `masterKey`) otherwise.
 */
export const keyStoreOver = async (rows: KeyRows, master: MasterKeys, options: KeyStoreOptions = {}): Promise<KeyStore> => {
  const byId = new Map([master.current, ...master.previous].map((m) => [m.id, m] as const))
  const cache = new Lru<string, DataKey>(options.cacheSize ?? 10_000)

  const unwrapRow = (r: KeyRow): DataKey => {
    const m = byId.get(r.masterId)
    if (m === undefined) throw new MasterKeyError(`key ${r.keyId} is wrapped by master key ${r.masterId}, which is not configured`)
    const key = unwrap(m, aadOf(r.keyId, r.subject), r.wrapped)
    if (key === null) throw new MasterKeyError(`key ${r.keyId} does not unwrap with master key ${r.masterId}`)
    return { keyId: r.keyId, subject: r.subject, key }
  }
  /** A new key: wrapped for the store, and kept unwrapped in the cache (unwrapping what was just wrapped is waste). */
  const make = (subject: SubjectId): KeyRow => {
    const keyId = newKeyId(Date.now())
    const key = newKey()
    cache.set(keyId, { keyId, subject, key })
    return { keyId, subject, wrapped: wrap(master.current, aadOf(keyId, subject), key), masterId: master.current.id }
  }

  try {
    for (const m of await rows.masterIds()) {
      if (!byId.has(m.masterId))
        throw new MasterKeyError(`${m.keys} key(s) are wrapped by master key ${m.masterId}; the configured key(s) are ${[...byId.keys()].join(', ')}`)
      unwrapRow(m.sample)
    }
  } catch (e) {
    await rows.close()
    throw e
  }

  /**
   * Every call asks the store which keys exist (one query per batch): another process may have shredded a key
   * this one still holds in memory, and sealing with it, or opening with it, would defeat the erasure. The
   * cache saves the unwrapping, the costly part.
   */
  const unwrapped = (r: KeyRow): DataKey => {
    const k = cache.get(r.keyId)
    if (k !== undefined && k.subject === r.subject) return k
    const fresh = unwrapRow(r)
    cache.set(fresh.keyId, fresh)
    return fresh
  }

  const keysFor = async (subjects: ReadonlyArray<SubjectId>, links: ReadonlyArray<SubjectLead> = []): Promise<ReadonlyMap<SubjectId, DataKey>> => {
    if (subjects.length === 0) {
      if (links.length > 0) await rows.link(links)
      return new Map()
    }
    return new Map((await rows.getOrCreate([...new Set(subjects)], make, links)).map((r) => [r.subject, unwrapped(r)] as const))
  }

  return {
    keysFor,
    keysById: async (keyIds) =>
      keyIds.length === 0 ? new Map() : new Map((await rows.byIds([...new Set(keyIds)])).map((r) => [r.keyId, unwrapped(r)] as const)),
    shredded: async (keyIds) => (keyIds.length === 0 ? new Set() : new Set(await rows.shredded([...new Set(keyIds)]))),
    linkLeads: (links) => (links.length === 0 ? Promise.resolve() : rows.link(links)),
    leadsOf: (subject) => rows.leadsOf(subject),
    subjectsOfLeads: async (leadIds) =>
      leadIds.length === 0 ? new Map() : new Map((await rows.subjectsOfLeads([...new Set(leadIds)])).map((l) => [l.leadId, l.subject] as const)),
    shred: async (subject) => {
      if (subject === IDENTITY_SUBJECT || subject === SECRETS_SUBJECT) return 0
      const n = await rows.deleteSubject(subject)
      // The key leaves this process's memory too (other processes never serve a key the store no longer has).
      cache.deleteWhere((k) => k.subject === subject)
      return n
    },
    identitySecret: async () => {
      const k = (await keysFor([IDENTITY_SUBJECT])).get(IDENTITY_SUBJECT)
      if (k === undefined) throw new Error('the key store did not create the identity secret')
      return { bytes: k.key }
    },
    secretsKey: async () => {
      const k = (await keysFor([SECRETS_SUBJECT])).get(SECRETS_SUBJECT)
      if (k === undefined) throw new Error('the key store did not create the secrets key')
      return k
    },
    rewrap: async (limit) => {
      const old = await rows.notWrappedBy(master.current.id, limit)
      return rows.replaceWrapping(
        old.map((r) => {
          const k = unwrapRow(r)
          return {
            keyId: r.keyId,
            subject: r.subject,
            wrapped: wrap(master.current, aadOf(r.keyId, r.subject), k.key),
            masterId: master.current.id,
            was: r.masterId,
          }
        }),
      )
    },
    wrappedBy: async () => (await rows.masterIds()).map((m) => ({ masterId: m.masterId, keys: m.keys })),
    close: () => rows.close(),
  }
}
