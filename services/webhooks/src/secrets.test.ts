// Subscription secrets at rest, on a real SQLite delivery log and key store: the file never holds a secret, the
// secret reads back open, one stored in clear earlier still reads, and a sealed secret moved to another
// subscription does not open.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { sqliteWebhookStore, type Subscription } from '@leadstream/delivery-log'
import { masterKey, newKey, sqliteKeyStore } from '@leadstream/privacy'
import { sealedSecrets } from './secrets.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-secrets-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))

const subscription = (id: string, secret: string): Subscription => ({
  id,
  url: `http://127.0.0.1:9/${id}`,
  events: ['lead.captured'],
  filters: {},
  secret,
  includeContact: false,
  description: null,
  createdAt: '2026-01-01T00:00:00.000Z',
})

const test = suite('sealedSecrets')

test('at rest :: the delivery log holds the secret sealed; it reads back open; a clear one from before reads as it was', async () => {
  const path = join(dir, 'webhooks.db')
  const raw = sqliteWebhookStore({ path })
  const keys = await sqliteKeyStore({ path: join(dir, 'keys.db'), master: { current: masterKey(newKey()), previous: [] } })
  try {
    const store = sealedSecrets(raw, keys)
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwSecretAtRest1'
    await store.addSubscription(subscription('a', secret))
    assert.is((await store.subscription('a'))?.secret, secret)
    assert.equal(
      (await store.subscriptions()).map((s) => s.secret),
      [secret],
    )
    const stored = (await raw.subscription('a'))?.secret ?? ''
    assert.ok(stored.startsWith('sealed:') && !stored.includes('MfKQ9r8G'), 'the row holds the sealed record only')
    raw.db.pragma('wal_checkpoint(TRUNCATE)')
    assert.not.ok(readFileSync(path).includes('MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'), 'nor does the file')
    await raw.addSubscription(subscription('old', 'whsec_c3RvcmVkIGluIGNsZWFyIGJ5IGFuIGVhcmxpZXIgdmVyc2lvbg=='))
    assert.is((await store.subscription('old'))?.secret, 'whsec_c3RvcmVkIGluIGNsZWFyIGJ5IGFuIGVhcmxpZXIgdmVyc2lvbg==')
    await raw.addSubscription(subscription('moved', stored))
    try {
      await store.subscription('moved')
      assert.unreachable('a sealed secret moved to another subscription must not open')
    } catch (e) {
      assert.match(String(e), /subscription moved fails its authentication/)
    }
  } finally {
    await raw.close()
    await keys.close()
  }
})

test.run()
