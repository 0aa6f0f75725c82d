// The migration runner: forward-only, once per version, safe when several processes open a new file at once.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { checkpointTruncate, openSqlite } from './sqlite.js'

const test = suite('openSqlite')

test('migrate :: runs each migration once and records the version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadstream-mig-'))
  try {
    const path = join(dir, 'a.db')
    const m = ['CREATE TABLE a (x INTEGER);', 'CREATE TABLE b (y INTEGER);']
    openSqlite(path, m.slice(0, 1), { kind: 'views' }).close()
    const db = openSqlite(path, m, { kind: 'views' })
    assert.is(db.pragma('user_version', { simple: true }), 2)
    db.close()
    let refused = false
    try {
      openSqlite(path, m.slice(0, 1), { kind: 'views' })
    } catch (e) {
      refused = /newer than this build/.test(String(e))
    }
    assert.ok(refused, 'an older build refuses a newer file')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('migrate :: four processes opening one new file at once all succeed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadstream-mig-'))
  try {
    const path = join(dir, 'race.db')
    // Each child loads first, then waits for the same instant to open the file, so the opens collide.
    const startAt = Date.now() + 2500
    const code = `const { openSqlite } = await import(${JSON.stringify(join(import.meta.dirname, 'sqlite.ts'))}); while (Date.now() < ${startAt}); openSqlite(process.env.DB, ['CREATE TABLE t (x INTEGER);', 'CREATE INDEX t_x ON t (x);'], { kind: 'views' }).close()`
    const runs = Array.from(
      { length: 4 },
      () =>
        new Promise<number | null>((resolve) => {
          const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { env: { ...process.env, DB: path }, stdio: 'inherit' })
          p.on('exit', resolve)
        }),
    )
    assert.equal(await Promise.all(runs), [0, 0, 0, 0])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('erasure :: a deleted row leaves no bytes in the file or the WAL after checkpointTruncate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadstream-secdel-'))
  try {
    const path = join(dir, 'x.db')
    const db = openSqlite(path, ['CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);'], { kind: 'views' })
    const secret = 'ada.lovelace.secret@example.com'
    db.prepare('INSERT INTO t (v) VALUES (?)').run(`${secret} ${'x'.repeat(5000)}`)
    db.prepare('INSERT INTO t (v) VALUES (?)').run('kept')
    const has = (file: string) => readFileSync(file).includes(Buffer.from(secret))
    assert.ok(has(`${path}-wal`) || has(path), 'the search finds the value before the delete')
    db.prepare('DELETE FROM t WHERE id = 1').run()
    assert.ok(checkpointTruncate(path), 'the WAL was emptied')
    assert.is(statSync(`${path}-wal`).size, 0)
    assert.not.ok(has(path), 'secure_delete zeroed the row in the database file')
    assert.is(db.prepare('SELECT v FROM t').get()?.constructor, Object)
    db.close()
    assert.ok(checkpointTruncate(join(dir, 'missing.db')), 'a missing file is fine')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
