// `leadstream privacy rotate` as operators run it, on a real key store: keys wrapped by the previous master key
// are re-wrapped with the current one, after which the previous key can go; a key that opens nothing exits 7.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { MASTER_KEY_FILE, masterKey, newKey, openKeyStore } from '@leadstream/privacy'

const workspaceRoot = resolve(import.meta.dirname, '..', '..')

const leadstream = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>>): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((done, fail) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEADSTREAM_')))
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', ...args], {
      cwd: workspaceRoot,
      env: { ...clean, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s))
    child.once('error', fail)
    child.once('close', (code) => done({ code, stdout, stderr }))
  })

const test = suite('leadstream privacy rotate')

test('rotate :: re-wraps what the previous key wrapped; then only the current key is needed; a wrong key exits 7', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadstream-rotate-'))
  try {
    const settings = {
      dataDir: dir,
      keyStore: 'sqlite' as const,
      masterKey: '',
      masterKeyFile: '',
      previousMasterKeys: [],
      postgresUrl: '',
      postgresSchema: '',
    }
    const keys = await openKeyStore(settings) // the embedded default: creates master.key
    await keys.keysFor(['sub-1', 'sub-2', 'sub-3'])
    await keys.close()
    const old = readFileSync(join(dir, MASTER_KEY_FILE), 'utf8').trim()
    const fresh = newKey().toString('base64')
    const freshId = masterKey(Buffer.from(fresh, 'base64')).id

    const rotated = await leadstream(['privacy', 'rotate', '--json', '--data-dir', dir], {
      LEADSTREAM_MASTER_KEY: fresh,
      LEADSTREAM_PREVIOUS_MASTER_KEYS: join(dir, MASTER_KEY_FILE),
    })
    assert.is(rotated.code, 0, rotated.stderr)
    const answer = JSON.parse(rotated.stdout) as { rewrapped: number; wrappedBy: Array<{ masterId: string; keys: number }>; current: string }
    assert.is(answer.rewrapped, 3)
    assert.equal(answer.wrappedBy, [{ masterId: freshId, keys: 3 }])

    const after = await leadstream(['privacy', 'rotate', '--data-dir', dir], { LEADSTREAM_MASTER_KEY: fresh })
    assert.is(after.code, 0, after.stderr)
    assert.match(after.stdout, /LEADSTREAM_PREVIOUS_MASTER_KEYS can be removed/)

    const wrong = await leadstream(['privacy', 'rotate', '--data-dir', dir], { LEADSTREAM_MASTER_KEY: old })
    assert.is(wrong.code, 7, wrong.stdout + wrong.stderr)
    assert.match(wrong.stderr, /LEADSTREAM_MASTER_KEY/)
    assert.not.ok((wrong.stdout + wrong.stderr).includes(old), 'never prints a key')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
