// Opening personal data from the settings: the embedded default creates master.key once and reuses it; with
// previous master keys configured, the start re-wraps every old key in the background; the identity secret
// comes from the setting when given, else from the key store (the same on every start).
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { masterKey, newKey } from './crypto.js'
import { MASTER_KEY_FILE } from './master.js'
import { openPersonalData } from './personalData.js'

const dir = mkdtempSync(join(tmpdir(), 'leadstream-personal-'))
process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
const settings = (dataDir: string, changes: Partial<{ masterKey: string; previousMasterKeys: string[]; identitySecret: string }> = {}) => ({
  dataDir,
  keyStore: 'sqlite' as const,
  masterKey: '',
  masterKeyFile: '',
  previousMasterKeys: [],
  postgresUrl: '',
  postgresSchema: '',
  identitySecret: '',
  ...changes,
})

const test = suite('openPersonalData')

test('embedded default :: master.key is created once (0600) and reused; the identity secret stays the same', async () => {
  const d = join(dir, 'default')
  const first = await openPersonalData(settings(d))
  const secret = first.secret.bytes
  await first.keys.keysFor(['sub-a'])
  await first.close()
  const file = join(d, MASTER_KEY_FILE)
  assert.is(statSync(file).mode & 0o777, 0o600)
  const key = readFileSync(file, 'utf8')
  const again = await openPersonalData(settings(d))
  assert.ok(again.secret.bytes.equals(secret))
  assert.is(readFileSync(file, 'utf8'), key)
  await again.close()
  const given = await openPersonalData(settings(d, { identitySecret: 'from the setting' }))
  assert.ok(given.secret.bytes.equals(Buffer.from('from the setting')))
  await given.close()
})

test('rotation :: with previous master keys, the start re-wraps every old key in the background', async () => {
  const d = join(dir, 'rotation')
  const old = await openPersonalData(settings(d))
  await old.keys.keysFor(Array.from({ length: 2500 }, (_, i) => `sub-${i}`))
  await old.close()
  const fresh = newKey().toString('base64')
  writeFileSync(join(d, 'old.key'), readFileSync(join(d, MASTER_KEY_FILE)))
  const rotating = await openPersonalData(settings(d, { masterKey: fresh, previousMasterKeys: [join(d, 'old.key')] }))
  assert.is(await rotating.rotated, 2501)
  await rotating.close()
  const after = await openPersonalData(settings(d, { masterKey: fresh }))
  assert.equal(await after.keys.wrappedBy(), [{ masterId: masterKey(Buffer.from(fresh, 'base64')).id, keys: 2501 }])
  await after.close()
})

test.run()
