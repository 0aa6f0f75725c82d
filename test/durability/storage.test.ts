// Storage faults on a real `main.ts` child: damaged views are set aside and rebuilt from the events; a damaged
// event store or dead-letter file, or an unusable data directory, stops the process with one message naming
// the file, LEADSTREAM_DATA_DIR and what to do, and a distinct exit code; `leadstream events check` judges a file.
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, cpSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { exitCodes } from '@leadstream/runtime'
import { BatchAnswer, StorefrontsAnswer } from '@leadstream/api'
import { decodeAs, http, startTestServer, typed } from '../support/embedded.js'
import { killAllServices, runToExit, startService, workspaceRoot } from '../support/services.js'

const test = suite('storage faults')
const dirs: string[] = []
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'leadstream-storage-'))
  dirs.push(d)
  return d
}

const env = (dataDir: string) => ({ LEADSTREAM_DATA_DIR: dataDir, LEADSTREAM_PORT: '0', LEADSTREAM_LOG_LEVEL: 'warn', LEADSTREAM_PROJECTOR_THREAD: 'inline' })

const lead = (i: number) => ({ UserDetails: { Email: `s${i}@contoso.com` }, LeadSource: 'AzureMarketplace', ActionCode: 'INS', OfferTitle: `Offer ${i % 3}` })
const LEADS = 40

/** A data dir with LEADS leads in its events and views, every file closed. */
const populated = async (): Promise<string> => {
  const server = await startTestServer({ LEADSTREAM_PROJECTOR_THREAD: 'inline' }, tempDir())
  const r = typed(
    BatchAnswer,
    await http(
      'POST',
      `${server.url}/v1/marketplace/leads`,
      Array.from({ length: LEADS }, (_, i) => lead(i)),
    ),
  )
  assert.is(r.body.accepted, LEADS)
  assert.is((await http('GET', `${server.url}/v1/views/storefronts?minPosition=${r.body.position}`)).status, 200)
  await server.close()
  return server.dataDir
}

const garbage = (path: string) => writeFileSync(path, Buffer.alloc(64 * 1024, 'leadstream? no: garbage. '))

/** A process that refused to start: its code, one message, no stack trace. */
const refusal = (output: string, code: number | null, expected: number, ...names: ReadonlyArray<string | RegExp>) => {
  assert.is(code, expected, output)
  for (const n of names) assert.ok(typeof n === 'string' ? output.includes(n) : n.test(output), `the message does not say ${String(n)}:\n${output}`)
  assert.not.match(output, /\n\s+at .+:\d+:\d+/, `a stack trace was printed:\n${output}`)
}

// ---------------------------------------------------------------------------------------------------------
// views: derived data, set aside and rebuilt
// ---------------------------------------------------------------------------------------------------------

for (const [what, damage] of [
  ['garbage', (p: string) => garbage(p)],
  ['truncated', (p: string) => truncateSync(p, 2 * 4096)],
] as const)
  test(`views :: a ${what} views.db is set aside, logged at warn, and rebuilt from the events`, async () => {
    const dir = await populated()
    assert.ok(statSync(join(dir, 'views.db')).size > 2 * 4096, 'views.db is too small to truncate meaningfully')
    damage(join(dir, 'views.db'))
    const child = await startService('embedded', env(dir))
    try {
      const views = await http('GET', `${child.url}/v1/views/storefronts?minPosition=${LEADS}&waitMs=20000`)
      assert.is(views.status, 200, JSON.stringify(views.body))
      assert.is(decodeAs(StorefrontsAnswer, views.body).storefronts['AzureMarketplace']?.total, LEADS)
      const aside = readdirSync(dir).filter((f) => /^views\.db\.corrupt-[\dTZ-]+$/.test(f))
      assert.is(aside.length, 1, readdirSync(dir).join(' '))
      const warn = child
        .output()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { level: number; file?: string; setAsideAs?: string })
        .find((l) => l.setAsideAs !== undefined)
      assert.ok(warn !== undefined, `no log line says so:\n${child.output()}`)
      assert.is(warn.level, 40, 'logged at warn')
      assert.is(warn.file, join(dir, 'views.db'))
      assert.is(warn.setAsideAs, join(dir, aside[0]!))
    } finally {
      child.kill('SIGTERM')
      await child.exited
    }
  })

// ---------------------------------------------------------------------------------------------------------
// acknowledged state and the data directory: stop, name the file, say what to do
// ---------------------------------------------------------------------------------------------------------

test('events :: a garbage events.db stops the process with exit 4, naming the file, the setting and the check', async () => {
  const dir = await populated()
  garbage(join(dir, 'events.db'))
  const r = await runToExit('embedded', env(dir))
  refusal(
    r.output,
    r.code,
    exitCodes.eventStoreCorrupt,
    join(dir, 'events.db'),
    `LEADSTREAM_DATA_DIR=${dir}`,
    'restore it from your last backup',
    'leadstream events check',
  )
})

test('events :: a truncated events.db stops the process with exit 4 (found at start, not hours later)', async () => {
  const dir = await populated()
  truncateSync(join(dir, 'events.db'), 4096 + 100)
  const r = await runToExit('embedded', env(dir))
  refusal(r.output, r.code, exitCodes.eventStoreCorrupt, join(dir, 'events.db'), /truncated/)
})

test('events :: an events.db whose checkpoint a kill -9 cut short (header ahead of the file, pages in the WAL) starts and keeps every lead', async () => {
  const dir = await populated()
  // More leads on a server killed with SIGKILL: their pages, page 1 among them, are still in events.db-wal.
  const child = await startService('embedded', env(dir))
  const more = typed(
    BatchAnswer,
    await http(
      'POST',
      `${child.url}/v1/marketplace/leads`,
      Array.from({ length: LEADS }, (_, i) => lead(LEADS + i)),
    ),
  )
  assert.is(more.body.accepted, LEADS)
  child.kill('SIGKILL')
  await child.exited
  const file = join(dir, 'events.db')
  assert.ok(statSync(`${file}-wal`).size > 32, 'the WAL holds frames')
  // A checkpoint writes the log's pages in page order: page 1, with the larger page count, lands first. Make
  // the header say so while the file keeps its old length, as a kill between those writes leaves it.
  const fd = openSync(file, 'r+')
  const header = Buffer.alloc(100)
  readSync(fd, header, 0, 100, 0)
  const pages = Math.ceil(statSync(file).size / header.readUInt16BE(16))
  header.writeUInt32BE(pages + 64, 28)
  writeSync(fd, header, 0, 100, 0)
  closeSync(fd)
  const again = await startService('embedded', env(dir))
  try {
    const views = await http('GET', `${again.url}/v1/views/storefronts?minPosition=${more.body.position}&waitMs=20000`)
    assert.is(views.status, 200, JSON.stringify(views.body))
    assert.is(decodeAs(StorefrontsAnswer, views.body).storefronts['AzureMarketplace']?.total, 2 * LEADS)
  } finally {
    again.kill('SIGTERM')
    await again.exited
  }
  // With the log checkpointed and gone, the same header check still finds a real truncation (test above).
  const sound = await check(dir)
  assert.ok(sound.report.ok, JSON.stringify(sound.report))
  assert.is(sound.report.events, 2 * LEADS)
})

test('dead letters :: a garbage dead-letters.db stops the process with exit 5 (it holds acknowledged rejections)', async () => {
  const dir = await populated()
  garbage(join(dir, 'dead-letters.db'))
  const r = await runToExit('embedded', env(dir))
  refusal(r.output, r.code, exitCodes.stateCorrupt, join(dir, 'dead-letters.db'), `LEADSTREAM_DATA_DIR=${dir}`)
})

// Every other file of acknowledged state, added since: the key store, the webhooks' subscriptions and delivery
// log, the erasure audit, parked lifecycle events. Each stops the process naming its file, never replaced.
test('state files :: a garbage keys.db, webhooks.db, audit.db or parked.db stops the process with exit 5, naming it', async () => {
  const dir = await populated()
  for (const file of ['keys.db', 'webhooks.db', 'audit.db', 'parked.db']) {
    const copy = join(tempDir(), 'data')
    cpSync(dir, copy, { recursive: true })
    for (const extra of ['-wal', '-shm']) rmSync(join(copy, `${file}${extra}`), { force: true })
    garbage(join(copy, file))
    const r = await runToExit('embedded', env(copy))
    refusal(r.output, r.code, exitCodes.stateCorrupt, join(copy, file), `LEADSTREAM_DATA_DIR=${copy}`, 'restore it from your last backup')
    assert.ok(statSync(join(copy, file)).size === 64 * 1024, `${file} was replaced`)
  }
})

test('master key :: a missing or unreadable master.key beside a keys.db stops the process with exit 7, saying what to give', async () => {
  const dir = await populated()
  const missing = join(tempDir(), 'data')
  cpSync(dir, missing, { recursive: true })
  rmSync(join(missing, 'master.key'))
  const r = await runToExit('embedded', env(missing))
  refusal(r.output, r.code, exitCodes.masterKey, `${join(missing, 'master.key')} is missing`, 'LEADSTREAM_MASTER_KEY', 'restore that file from its backup')
  const bad = join(tempDir(), 'data')
  cpSync(dir, bad, { recursive: true })
  writeFileSync(join(bad, 'master.key'), 'not a key')
  const b = await runToExit('embedded', env(bad))
  refusal(b.output, b.code, exitCodes.masterKey, join(bad, 'master.key'), 'LEADSTREAM_MASTER_KEY_FILE', 'openssl rand -base64 32')
})

// Tests run as root, who ignores file modes: a chmod 0555 directory stays writable for root, so a read-only
// directory cannot be reproduced with modes here (nor a read-only mount, without privileges to mount). What
// root cannot get past: the immutable attribute (chattr +i, on file systems that have it, such as ext4), and the
// shape of the path: a file where the directory should be, or a path under a file.
const immutable = (dir: string, on: boolean): boolean => spawnSync('chattr', [on ? '+i' : '-i', dir]).status === 0

test('data dir :: a directory nobody may write (immutable, even for root) stops the process with exit 3', async () => {
  const dir = await populated()
  if (!immutable(dir, true)) {
    process.stderr.write('!!! chattr +i is not available here: the read-only data dir case did not run\n')
    return
  }
  try {
    const r = await runToExit('embedded', env(dir))
    refusal(r.output, r.code, exitCodes.dataDirUnusable, `the data directory ${dir} cannot be used`, 'events.db', 'LEADSTREAM_DATA_DIR', 'permissions')
  } finally {
    immutable(dir, false)
  }
})

test('data dir :: a data dir that is a file stops the process with exit 3, naming it', async () => {
  const file = join(tempDir(), 'data')
  writeFileSync(file, 'not a directory')
  const r = await runToExit('embedded', env(file))
  refusal(r.output, r.code, exitCodes.dataDirUnusable, `the data directory ${file} cannot be used`, 'it is a file', 'LEADSTREAM_DATA_DIR')
})

test('data dir :: a data dir under a file (cannot be created) stops the process with exit 3', async () => {
  const file = join(tempDir(), 'plain')
  writeFileSync(file, 'x')
  const r = await runToExit('embedded', env(join(file, 'data')))
  refusal(r.output, r.code, exitCodes.dataDirUnusable, join(file, 'data'), 'a part of its path is a file', 'LEADSTREAM_DATA_DIR')
})

// ---------------------------------------------------------------------------------------------------------
// leadstream events check
// ---------------------------------------------------------------------------------------------------------

const check = async (
  dir: string,
): Promise<{ code: number | null; report: { ok: boolean; events: number; checks: Array<{ name: string; ok: boolean; detail: string }> } }> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', 'events', 'check', '--data-dir', dir, '--json'], {
    cwd: workspaceRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
  const [code] = (await once(child, 'close')) as [number | null]
  return { code, report: JSON.parse(out) }
}

test('events check :: a sound store passes every check; gaps, forks and undecodable events are each named', async () => {
  const dir = await populated()
  const sound = await check(dir)
  assert.is(sound.code, 0, JSON.stringify(sound.report))
  assert.is(sound.report.events, LEADS)
  assert.equal(
    sound.report.checks.map((c) => c.ok),
    [true, true, true, true],
  )

  const db = new Database(join(dir, 'events.db'))
  db.prepare('DELETE FROM events WHERE position = 5').run()
  db.prepare('UPDATE events SET revision = 3 WHERE position = 7').run()
  db.prepare('UPDATE events SET data = \'{"leadId":1}\' WHERE position = 9').run()
  db.close()
  const broken = await check(dir)
  assert.is(broken.code, 1)
  assert.not.ok(broken.report.ok)
  const failed = Object.fromEntries(broken.report.checks.map((c) => [c.name, c]))
  assert.ok(failed['sqlite integrity_check']?.ok)
  assert.match(failed['positions contiguous from 1']?.detail ?? '', /missing positions 5\.\.5/)
  assert.match(failed['revisions per stream 0..n in position order']?.detail ?? '', /revision 3 after -1 \(position 7\)/)
  assert.match(failed['every event decodes']?.detail ?? '', /position 9 \(LeadCaptured v2\)/)
})

test('events check :: a garbage file is not sound, and the check never creates a missing one', async () => {
  const dir = await populated()
  garbage(join(dir, 'events.db'))
  const r = await check(dir)
  assert.is(r.code, 1)
  assert.not.ok(r.report.ok)
  const empty = tempDir()
  assert.is((await check(empty)).code, 1)
  assert.equal(readdirSync(empty), [])
})

test.after(async () => {
  await killAllServices()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

test.run()
