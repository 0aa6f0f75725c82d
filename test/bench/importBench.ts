// The history import (`leadstream import`, the real CLI as a child process) against an embedded server over
// HTTP: the same generated CRM export as CSV (one lead per row) and as NDJSON (its native events, one per line),
// each into a fresh data directory, beside the raw insert and direct append rates of as many events in the same run.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { csvUnit, readHeader } from '../../services/cli/src/import/rows.js'
import { rng } from './random.js'
import { startServer } from './server.js'

const root = resolve(import.meta.dirname, '..', '..')

export interface ImportFiles {
  readonly csv: string
  readonly ndjson: string
  readonly rows: number
  readonly events: number
}

const header =
  'leadId,storefront,offerId,email,country,capturedAt,contactedAt,contactChannel,nurturingAt,qualifiedAt,convertedAt,disqualifiedAt,disqualificationReason'

/**
 * `rows` leads captured over 2025, a third contacted, half of those qualified, half of those converted, and a
 * sixth disqualified: the mix of a CRM export. The NDJSON file holds exactly the events the CSV rows make.
 */
export const writeImportFiles = (dir: string, rows: number, seed: number): ImportFiles => {
  const r = rng(seed)
  const lines: string[] = [header]
  const start = Date.parse('2025-01-01T00:00:00Z')
  const iso = (ms: number) => new Date(ms).toISOString()
  for (let i = 0; i < rows; i++) {
    const captured = start + Math.floor(r.next() * 360 * 86_400_000)
    const step = () => Math.floor((0.1 + r.next()) * 3 * 86_400_000)
    const contacted = i % 3 === 0 ? captured + step() : null
    const qualified = contacted !== null && i % 2 === 0 ? contacted + step() : null
    const converted = qualified !== null && i % 4 === 0 ? qualified + step() : null
    const disqualified = converted === null && i % 6 === 1 ? captured + step() : null
    lines.push(
      [
        `imp-${i}`,
        i % 2 === 0 ? 'AppSource' : 'AzureMarketplace',
        `contoso.offer-${i % 40}`,
        `buyer${i}@example.com`,
        ['US', 'DE', 'FR', 'IN', 'JP'][i % 5],
        iso(captured),
        contacted === null ? '' : iso(contacted),
        contacted === null ? '' : 'email',
        '',
        qualified === null ? '' : iso(qualified),
        converted === null ? '' : iso(converted),
        disqualified === null ? '' : iso(disqualified),
        disqualified === null ? '' : 'lost',
      ].join(','),
    )
  }
  const head = readHeader(header.split(','))
  if (!head.ok) throw new Error(head.reason)
  const events = lines.slice(1).flatMap((l, i) => csvUnit(head, i + 2, l.split(',')).events)
  const csv = join(dir, 'export.csv')
  const ndjson = join(dir, 'history.ndjson')
  writeFileSync(csv, `${lines.join('\n')}\n`)
  writeFileSync(ndjson, `${events.join('\n')}\n`)
  return { csv, ndjson, rows, events: events.length }
}

export interface ImportRun {
  readonly seconds: number
  readonly rows: number
  readonly accepted: number
  readonly rejected: number
}

/** `leadstream import FILE --json` into a fresh embedded server on `dataDir`; wall time of the CLI process. */
export const runImport = async (dataDir: string, file: string, batch: number): Promise<ImportRun> => {
  const server = await startServer(dataDir)
  try {
    const started = performance.now()
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', 'import', file, '--batch', String(batch), '--json'], {
        cwd: root,
        env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('LEADSTREAM_'))), LEADSTREAM_URL: server.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let out = ''
      let err = ''
      child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
      child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s))
      child.once('error', fail)
      child.once('close', (c) => done({ code: c, stdout: out, stderr: err }))
    })
    const seconds = (performance.now() - started) / 1000
    if (code !== 0) throw new Error(`leadstream import ${file} exited ${String(code)}: ${stderr.slice(-2000)}`)
    const s = JSON.parse(stdout) as { rows: number; accepted: number; rejected: number }
    return { seconds, rows: s.rows, accepted: s.accepted, rejected: s.rejected }
  } finally {
    await server.close()
  }
}
