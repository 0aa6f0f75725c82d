// The one contract every key store passes (SQLite and PostgreSQL): one key per subject, created once; keys
// unwrap back to the same bytes from another handle; shredding deletes them for good; rotation re-wraps; a
// store written with one master key refuses to open with another.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { masterKey, newKey } from './crypto.js'
import { MasterKeyError, type MasterKeys } from './keyStore.js'
import type { KeyStore } from './port.js'

/** `open(master, reuse?)` gives a store with nothing in it, or (reuse) another handle on `reuse`'s storage. */
export type OpenKeyStore = (master: MasterKeys, reuse?: KeyStore) => Promise<KeyStore>

export const keyStoreContract = (name: string, open: OpenKeyStore): void => {
  const test = suite(`key store contract (${name})`)
  const m1 = masterKey(newKey())
  const m2 = masterKey(newKey())

  test('keysFor :: one key per subject, created once, the same from another handle', async () => {
    const a = await open({ current: m1, previous: [] })
    const b = await open({ current: m1, previous: [] }, a)
    try {
      const first = await a.keysFor(['sub-a', 'sub-b', 'sub-a'])
      assert.is(first.size, 2)
      const again = await a.keysFor(['sub-a'])
      assert.is(again.get('sub-a')?.keyId, first.get('sub-a')?.keyId)
      const other = await b.keysFor(['sub-b', 'sub-c'])
      assert.is(other.get('sub-b')?.keyId, first.get('sub-b')?.keyId)
      assert.ok(other.get('sub-b')?.key.equals(first.get('sub-b')!.key), 'the other handle unwraps the same bytes')
      assert.not.ok(first.get('sub-a')!.key.equals(first.get('sub-b')!.key))
      const byId = await b.keysById([first.get('sub-a')!.keyId, 'dk-unknown'])
      assert.is(byId.size, 1)
      assert.ok(byId.get(first.get('sub-a')!.keyId)?.key.equals(first.get('sub-a')!.key))
      assert.is((await a.keysFor([])).size, 0)
    } finally {
      await b.close()
      await a.close()
    }
  })

  test('keysFor :: a batch of 2,000 subjects in one call', async () => {
    const a = await open({ current: m1, previous: [] })
    try {
      const subjects = Array.from({ length: 2000 }, (_, i) => `sub-batch-${i}`)
      const keys = await a.keysFor(subjects)
      assert.is(keys.size, 2000)
      assert.is(new Set([...keys.values()].map((k) => k.keyId)).size, 2000)
      assert.is((await a.keysById([...keys.values()].map((k) => k.keyId))).size, 2000)
    } finally {
      await a.close()
    }
  })

  test('shred :: the subject’s keys are gone for every handle (caches included); a new key is a new id', async () => {
    const a = await open({ current: m1, previous: [] })
    const b = await open({ current: m1, previous: [] }, a)
    try {
      const k = (await a.keysFor(['sub-x'])).get('sub-x')!
      assert.is((await b.keysById([k.keyId])).size, 1)
      assert.is(await a.shred('sub-x'), 1)
      assert.is(await a.shred('sub-x'), 0, 'shredding again: nothing left')
      assert.is((await a.keysById([k.keyId])).size, 0)
      assert.equal([...(await b.shredded([k.keyId, 'dk-never-existed']))], [k.keyId], 'a tombstone for the shredded id only: an unknown id is not an erasure')
      const fresh = new Map(await b.keysFor(['sub-x']))
      assert.is.not(fresh.get('sub-x')?.keyId, k.keyId)
      assert.is((await a.shredded([fresh.get('sub-x')?.keyId ?? ''])).size, 0, 'a live key has no tombstone')
      assert.is(await a.shred('sub-never'), 0)
    } finally {
      await b.close()
      await a.close()
    }
  })

  test('links :: leads of a subject, the subject of leads', async () => {
    const a = await open({ current: m1, previous: [] })
    try {
      await a.linkLeads([
        { subject: 'sub-l', leadId: 'lead-2' },
        { subject: 'sub-l', leadId: 'lead-1' },
        { subject: 'sub-l', leadId: 'lead-1' },
        { subject: 'sub-m', leadId: 'lead-3' },
      ])
      await a.linkLeads([])
      assert.equal(await a.leadsOf('sub-l'), ['lead-1', 'lead-2'])
      assert.equal(await a.leadsOf('sub-none'), [])
      const subjects = await a.subjectsOfLeads(['lead-1', 'lead-3', 'lead-9'])
      assert.equal([...subjects.entries()].sort(), [
        ['lead-1', 'sub-l'],
        ['lead-3', 'sub-m'],
      ])
    } finally {
      await a.close()
    }
  })

  test('identity secret :: generated once, shared by every handle, never shredded', async () => {
    const a = await open({ current: m1, previous: [] })
    const b = await open({ current: m1, previous: [] }, a)
    try {
      const s = await a.identitySecret()
      assert.is(s.bytes.length, 32)
      assert.ok((await b.identitySecret()).bytes.equals(s.bytes))
      assert.is(await a.shred('secret:identity'), 0)
    } finally {
      await b.close()
      await a.close()
    }
  })

  test('master key :: another key refuses to open the store (MasterKeyError, exit code 7)', async () => {
    const a = await open({ current: m1, previous: [] })
    try {
      await a.keysFor(['sub-w'])
      try {
        const wrong = await open({ current: m2, previous: [] }, a)
        await wrong.close()
        assert.unreachable('opened with the wrong master key')
      } catch (e) {
        if (!(e instanceof MasterKeyError)) throw e
        assert.is(e.exitCode, 7)
        assert.match(e.message, /LEADSTREAM_MASTER_KEY/)
      }
    } finally {
      await a.close()
    }
  })

  test('rotation :: the previous key still unwraps, rewrap moves every key to the current one, then the old key can go', async () => {
    const a = await open({ current: m1, previous: [] })
    const before = await a.keysFor(['sub-r1', 'sub-r2', 'sub-r3'])
    await a.close()
    const rotating = await open({ current: m2, previous: [m1] }, a)
    try {
      const during = await rotating.keysById([...before.values()].map((k) => k.keyId))
      assert.is(during.size, 3)
      assert.is(await rotating.rewrap(2), 2)
      assert.is(await rotating.rewrap(100), 1)
      assert.is(await rotating.rewrap(100), 0)
      assert.equal(
        (await rotating.wrappedBy()).map((w) => w.masterId),
        [m2.id],
      )
    } finally {
      await rotating.close()
    }
    const after = await open({ current: m2, previous: [] }, rotating)
    try {
      const keys = await after.keysById([...before.values()].map((k) => k.keyId))
      for (const k of before.values()) assert.ok(keys.get(k.keyId)?.key.equals(k.key), 'same key bytes after rotation')
    } finally {
      await after.close()
    }
  })

  test.run()
}
