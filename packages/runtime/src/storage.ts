// Storage faults: what can be wrong with the data directory or an SQLite file, told apart and named, so a
// process stops with a message an operator can act on (and a distinct exit code) instead of a stack trace.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs'
import { basename, dirname } from 'node:path'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** What a file holds decides what a fault in it means: derived views are rebuilt, acknowledged state is not. */
export type StoreKind = 'events' | 'views' | 'dead-letters' | 'parked' | 'idempotency' | 'checkpoints' | 'keys' | 'audit' | 'webhooks'

export type StorageFault =
  /** The data directory is missing and cannot be created, is a file, sits under a file, or cannot be written. */
  | { readonly _tag: 'DataDirUnusable'; readonly path: string; readonly reason: string }
  /** The file is not an SQLite database, is truncated, or failed a check. */
  | { readonly _tag: 'CorruptFile'; readonly path: string; readonly kind: StoreKind; readonly reason: string }
  /** Another process holds the file's lock past the busy timeout. */
  | { readonly _tag: 'FileLocked'; readonly path: string; readonly kind: StoreKind; readonly reason: string }

/** Thrown at start-up by the opener (an edge: the composition root turns it into a message and an exit code). */
export class StorageFaultError extends Error {
  constructor(readonly fault: StorageFault) {
    super(`${fault._tag}: ${fault.path}: ${fault.reason}`)
  }
}

export const isStorageFault = (e: unknown): e is StorageFaultError => e instanceof StorageFaultError

/**
 * Any other reason a service must not start, with the message an operator acts on and its own exit code (a
 * master key that does not open the key store, for one). Thrown at start-up like a StorageFaultError.
 */
export class StartupFault extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------------------------
// exit codes (2 is bad settings, see process.ts); README, "Settings" and "Operations"
// ---------------------------------------------------------------------------------------------------------

export const exitCodes = {
  badSettings: 2,
  dataDirUnusable: 3,
  eventStoreCorrupt: 4,
  stateCorrupt: 5,
  fileLocked: 6,
  /** The master key is missing, wrong, or does not unwrap the key store's keys (packages/privacy). */
  masterKey: 7,
} as const

export const exitCodeOf = (f: StorageFault): number =>
  f._tag === 'DataDirUnusable'
    ? exitCodes.dataDirUnusable
    : f._tag === 'FileLocked'
      ? exitCodes.fileLocked
      : f.kind === 'events'
        ? exitCodes.eventStoreCorrupt
        : exitCodes.stateCorrupt

const holds: Record<StoreKind, string> = {
  events: 'the event store',
  views: 'the views',
  'dead-letters': 'the dead letters',
  parked: 'the lifecycle events parked until their lead is captured',
  idempotency: 'the stored Idempotency-Key answers',
  checkpoints: 'the relay checkpoint',
  webhooks: 'the webhook subscriptions and delivery log',
  keys: 'the key store (data keys of personal data)',
  audit: 'the erasure audit',
}

/** One message naming the file, the setting and what to do. */
export const describeFault = (f: StorageFault): string => {
  const dir = f._tag === 'DataDirUnusable' ? f.path : dirname(f.path)
  const where = `LEADSTREAM_DATA_DIR=${dir}`
  switch (f._tag) {
    case 'DataDirUnusable':
      return [
        `the data directory ${f.path} cannot be used: ${f.reason}.`,
        `It is set by ${where}. Point LEADSTREAM_DATA_DIR at a directory this process can create and write`,
        `(fix its permissions or ownership, or the mount if it is read-only, or remove the file in its place).`,
      ].join('\n')
    case 'FileLocked':
      return [
        `${holds[f.kind]} file ${f.path} is locked by another process: ${f.reason}.`,
        `(${where}.) Stop the other process using this data directory, or give this one its own directory.`,
      ].join('\n')
    case 'CorruptFile':
      return [
        `${holds[f.kind]} file ${f.path} is damaged: ${f.reason}.`,
        `(${where}.) It holds acknowledged state, so leadstream will not start over it or replace it.`,
        `Stop every process using ${dir}, move ${basename(f.path)} (with any ${basename(f.path)}-wal and -shm) aside,`,
        `restore it from your last backup, then run \`leadstream events check --data-dir ${dir}\` and start again.`,
      ].join('\n')
  }
}

// ---------------------------------------------------------------------------------------------------------
// classification
// ---------------------------------------------------------------------------------------------------------

const codeOf = (e: unknown): string => String((e as { code?: unknown } | null)?.code ?? '')
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e))

/** Why creating the data directory failed, in words, or null when the error is not about the directory. */
export const dirFault = (dir: string, e: unknown): StorageFault | null => {
  const code = codeOf(e)
  const reason: Record<string, string> = {
    EEXIST: 'it is a file, not a directory',
    ENOTDIR: 'a part of its path is a file, not a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the device is full',
  }
  const why = reason[code]
  return why === undefined ? null : { _tag: 'DataDirUnusable', path: dir, reason: why }
}

/** Classifies an error SQLite raised while opening or first reading `path`; null for anything else. */
export const sqliteFault = (path: string, kind: StoreKind, e: unknown): StorageFault | null => {
  const code = codeOf(e)
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) return { _tag: 'CorruptFile', path, kind, reason: `${messageOf(e)} (${code})` }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return { _tag: 'FileLocked', path, kind, reason: `${messageOf(e)} (${code})` }
  if (
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_IOERR') ||
    code === 'SQLITE_PERM' ||
    code === 'SQLITE_FULL'
  )
    return { _tag: 'DataDirUnusable', path: dirname(path), reason: `${basename(path)}: ${messageOf(e)} (${code})` }
  return dirFault(dirname(path), e)
}

/**
 * A truncated file whose header is intact opens fine and fails only when a missing page is read, perhaps
 * hours later. The header records the page size and count (valid when its change counter matches the
 * version-valid-for field); a file shorter than that has lost pages. Costs one 100-byte read.
 *
 * Not when a write-ahead log with frames sits beside it: a checkpoint copies the log's pages into the file
 * in page order, page 1 (the header, with the new count) first, so a process killed mid-checkpoint leaves a
 * header ahead of the file's end. That is a sound state: the log still holds every page, SQLite reads them
 * from it and finishes the checkpoint. The chaos test's kill -9 of a relay found it.
 */
export const truncation = (path: string): string | null => {
  if (walHasFrames(`${path}-wal`)) return null
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null // a file that does not exist yet is not truncated
  }
  try {
    const size = fstatSync(fd).size
    if (size === 0) return null
    const h = Buffer.alloc(100)
    if (readSync(fd, h, 0, 100, 0) < 100) return `${size} bytes, shorter than an SQLite header`
    if (h.toString('latin1', 0, 16) !== 'SQLite format 3\u0000') return null // SQLite itself says "not a database"
    const raw = h.readUInt16BE(16)
    const pageSize = raw === 1 ? 65536 : raw
    const pages = h.readUInt32BE(28)
    const valid = h.readUInt32BE(24) === h.readUInt32BE(92)
    if (valid && pages > 0 && size < pages * pageSize) return `truncated: ${size} bytes where its header records ${pages} pages of ${pageSize} bytes`
    return null
  } finally {
    closeSync(fd)
  }
}

/** A WAL file is a 32-byte header followed by frames; anything longer holds pages not yet checkpointed. */
const walHasFrames = (wal: string): boolean => {
  try {
    return statSync(wal).size > 32
  } catch {
    return false
  }
}
