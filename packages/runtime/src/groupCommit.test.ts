// The group commit: a durable() that resolved had an fsync started after it, callers meanwhile share one, a
// failure reaches every waiter and every later caller; and the WAL fsync by path against a real SQLite file.
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { DurabilityError, groupCommit, timingDurabilityWaits, walFsync, walGroupCommit } from './groupCommit.js'
import { checkpointTruncate, openSqlite } from './sqlite.js'

/** An fsync the test finishes by hand: each call is recorded with the order of events around it. */
const manualSync = () => {
  const calls: Array<{ readonly resolve: () => void; readonly reject: (e: unknown) => void }> = []
  const sync = () =>
    new Promise<void>((resolve, reject) => {
      calls.push({ resolve, reject })
    })
  return { calls, sync }
}

/** Lets pending promise callbacks run. */
const settled = () => new Promise<void>((r) => setImmediate(r))

const test = suite('groupCommit')

test('durable :: resolves only after an fsync that started after the call has completed', async () => {
  const { calls, sync } = manualSync()
  const commits = groupCommit(sync, 'x.db-wal')
  let done = false
  const waited = commits.durable().then(() => {
    done = true
  })
  assert.is(calls.length, 1, 'the fsync starts at once when none is running')
  await settled()
  assert.not.ok(done, 'not before the fsync completes')
  calls[0]?.resolve()
  await waited
  assert.ok(done)
  assert.is(commits.syncs(), 1)
})

test('durably :: answers what was written, only once the fsync after it has completed, and counts as a wait', async () => {
  const { calls, sync } = manualSync()
  const commits = groupCommit(sync, 'x.db-wal')
  let answer: number | null = null
  const timed = timingDurabilityWaits(() =>
    commits.durably(42).then((a) => {
      answer = a
      return a
    }),
  )
  await settled()
  assert.is(answer, null, 'not before the fsync completes')
  calls[0]?.resolve()
  const { value, waitedMs } = await timed
  assert.is(value, 42)
  assert.is(answer, 42)
  assert.ok(waitedMs > 0, 'the wait is counted as one')
})

test('durable :: a call made while an fsync runs waits for the next one, which the callers meanwhile share', async () => {
  const { calls, sync } = manualSync()
  const commits = groupCommit(sync, 'x.db-wal')
  const order: string[] = []
  const first = commits.durable().then(() => order.push('first'))
  // These commits landed after the running fsync started: it may not cover them.
  const late = [1, 2, 3].map((i) => commits.durable().then(() => order.push(`late${i}`)))
  assert.is(calls.length, 1, 'one fsync at a time')
  calls[0]?.resolve()
  await first
  await settled()
  assert.equal(order, ['first'], 'the late callers did not ride on the fsync that started before them')
  assert.is(calls.length, 2, 'the next fsync starts when the running one ends')
  calls[1]?.resolve()
  await Promise.all(late)
  assert.equal(order, ['first', 'late1', 'late2', 'late3'])
  assert.is(calls.length, 2, 'the three late callers shared one fsync')
  assert.is(commits.syncs(), 2)
})

test('durable :: a failed fsync rejects every waiter and every later call, naming the file', async () => {
  const { calls, sync } = manualSync()
  const commits = groupCommit(sync, '/data/events.db-wal')
  const running = commits.durable()
  const queued = commits.durable()
  calls[0]?.reject(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }))
  const outcomes = await Promise.allSettled([running, queued, commits.durable()])
  for (const o of outcomes) {
    assert.is(o.status, 'rejected')
    const reason = o.status === 'rejected' ? (o.reason as unknown) : null
    assert.instance(reason, DurabilityError)
    assert.match(String(reason), /\/data\/events\.db-wal.*EIO/)
  }
  assert.is(calls.length, 1, 'no fsync after a failure: what it lost cannot be synced again')
})

test('timingDurabilityWaits :: counts the time spent waiting for the fsync, and only inside its own call', async () => {
  const commits = groupCommit(() => new Promise<void>((resolve) => setTimeout(resolve, 40)), 'x.db-wal')
  const outside = commits.durable()
  const timed = await timingDurabilityWaits(async () => {
    await commits.durable()
    return 'done'
  })
  await outside
  assert.is(timed.value, 'done')
  assert.ok(timed.waitedMs >= 35, `waited ${timed.waitedMs} ms for an fsync of 40 ms or two`)
  assert.is((await timingDurabilityWaits(async () => 1)).waitedMs, 0)
})

test('walGroupCommit :: a failed fsync of a file fails the other group commits on it, with no fsync of theirs', async () => {
  const path = join(tmpdir(), `leadstream-gc-shared-${process.pid}-${Date.now()}.db`)
  let syncs = 0
  const ok = async () => {
    syncs += 1
  }
  const other = walGroupCommit(path, ok)
  await other.durable()
  const failing = walGroupCommit(path, async () => {
    throw new Error('EIO')
  })
  await failing.durable().then(
    () => assert.unreachable('the fsync failed'),
    (e: unknown) => assert.instance(e, DurabilityError),
  )
  await other.durable().then(
    () => assert.unreachable('the file failed in this process'),
    (e: unknown) => assert.match(String(e), /earlier fsync/),
  )
  assert.is(syncs, 1, 'no fsync after the failure')
  await walGroupCommit(`${path}.other`, ok).durable()
  assert.is(syncs, 2, 'another file is not affected')
})

test('walFsync :: syncs the WAL of a NORMAL file, one truncated by a checkpoint, and a missing one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadstream-gc-'))
  try {
    const path = join(dir, 'a.db')
    const db = openSqlite(path, ['CREATE TABLE t (x INTEGER);'], { kind: 'events', synchronous: 'NORMAL' })
    assert.is(db.pragma('synchronous', { simple: true }), 1, 'NORMAL')
    const commits = groupCommit(walFsync(path), `${path}-wal`)
    db.prepare('INSERT INTO t VALUES (1)').run()
    await commits.durable()
    assert.ok(checkpointTruncate(path), 'the WAL is truncated to nothing')
    db.prepare('INSERT INTO t VALUES (2)').run()
    await commits.durable()
    db.close()
    // The last connection closed: SQLite checkpointed and deleted the WAL.
    assert.not.ok(existsSync(`${path}-wal`))
    await commits.durable()
    assert.is(commits.syncs(), 3)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
