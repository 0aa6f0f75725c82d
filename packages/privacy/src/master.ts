// The master key from the settings: LEADSTREAM_MASTER_KEY (32 random bytes, base64) or LEADSTREAM_MASTER_KEY_FILE;
// with neither, the embedded default keeps one in <dataDir>/master.key, created (mode 0600) on first start.
// LEADSTREAM_PREVIOUS_MASTER_KEYS still unwrap during a rotation. A key that is set but unusable stops the process.
import { randomBytes } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { dirFault, exitCodes, StartupFault, StorageFaultError, type Logger } from '@leadstream/runtime'
import { KEY_BYTES, masterKey, type MasterKey } from './crypto.js'
import type { MasterKeys } from './keyStore.js'

export interface MasterKeySettings {
  readonly dataDir: string
  readonly masterKey: string
  readonly masterKeyFile: string
  readonly previousMasterKeys: ReadonlyArray<string>
}

export const MASTER_KEY_FILE = 'master.key'

/** 32 bytes from base64 text, or null. Never echoes the text (it is the key). */
export const keyOfBase64 = (text: string): Buffer | null => {
  const t = text.trim()
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(t)) return null
  const b = Buffer.from(t, 'base64')
  return b.length === KEY_BYTES ? b : null
}

const fault = (reason: string): StartupFault =>
  new StartupFault(`${reason}\nA master key is 32 random bytes in base64: \`openssl rand -base64 32\`.`, exitCodes.masterKey)

const fromFile = (path: string, setting: string): MasterKey => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as { code?: string }).code
    // The default file under a data directory that cannot be used: that is the fault to report (exit 3).
    const dir = code === 'ENOTDIR' && setting.startsWith('LEADSTREAM_MASTER_KEY_FILE (default') ? dirFault(dirname(path), e) : null
    if (dir !== null) throw new StorageFaultError(dir)
    throw fault(`${setting}: the master key file ${path} cannot be read (${code ?? String(e)}).`)
  }
  const key = keyOfBase64(text)
  if (key === null) throw fault(`${setting}: the master key file ${path} does not hold 32 bytes in base64.`)
  return masterKey(key)
}

/** An entry of LEADSTREAM_PREVIOUS_MASTER_KEYS: a key in base64, or the path of a file holding one. */
const previousKey = (entry: string, i: number): MasterKey => {
  const key = keyOfBase64(entry)
  if (key !== null) return masterKey(key)
  if (existsSync(entry)) return fromFile(entry, `LEADSTREAM_PREVIOUS_MASTER_KEYS[${i}]`)
  throw fault(`LEADSTREAM_PREVIOUS_MASTER_KEYS[${i}]: neither 32 bytes in base64 nor a readable key file.`)
}

/**
 * The configured master keys. Throws a StartupFault (exit code `masterKey`) naming the setting when one is set
 * but unusable. Creates <dataDir>/master.key only when nothing is set and the file does not exist, and logs
 * that it did (never the key).
 */
export const loadMasterKeys = (s: MasterKeySettings, logger?: Logger): MasterKeys => {
  const previous = s.previousMasterKeys.map(previousKey)
  if (s.masterKey !== '') {
    const key = keyOfBase64(s.masterKey)
    if (key === null) throw fault('LEADSTREAM_MASTER_KEY: expected 32 bytes in base64.')
    return { current: masterKey(key), previous }
  }
  if (s.masterKeyFile !== '') return { current: fromFile(s.masterKeyFile, 'LEADSTREAM_MASTER_KEY_FILE'), previous }
  const path = join(s.dataDir, MASTER_KEY_FILE)
  if (!existsSync(path)) {
    // Written whole beside it, then linked into place: link never overwrites, so of two processes starting
    // together one key wins and the other reads it, never a half-written file.
    const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
    try {
      mkdirSync(s.dataDir, { recursive: true })
      writeFileSync(tmp, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' })
      linkSync(tmp, path)
      logger?.warn(
        { path },
        'created a new master key for personal data: back this file up APART from the data directory; without it the contact data in the events cannot be read',
      )
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') {
        const dir = dirFault(s.dataDir, e)
        throw dir === null ? fault(`cannot create the master key file ${path}: ${String(e)}`) : new StorageFaultError(dir)
      }
    } finally {
      try {
        unlinkSync(tmp)
      } catch {
        // not created
      }
    }
  }
  return { current: fromFile(path, `LEADSTREAM_MASTER_KEY_FILE (default ${path})`), previous }
}
