// What the operator sees: tables (cli-table3), durations and rates, failures with the server's problems, and the
// rebuild progress (cli-progress's bar redrawn on a terminal, plain periodic lines in a log or a pipe). Everything
// goes through `Io`.
import { MultiBar } from 'cli-progress'
import Table from 'cli-table3'
import { services, type Endpoints } from './endpoints.js'
import type { Failure } from './http.js'
import type { FieldProblem } from '@leadstream/domain'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export interface Io {
  /** Results: stdout. */
  out(text: string): void
  /** Diagnostics and progress: stderr. */
  err(text: string): void
  readonly errIsTty: boolean
  readonly columns: number
  /** Aborted on SIGINT: waits and requests end early. */
  readonly signal: AbortSignal
  /** Resolves once stdout takes more (a long tail piped into a slow reader). */
  drained(): Promise<void>
}

export interface Progress {
  readonly position: number
  readonly head: number
  readonly eventsPerSecond: number
  readonly etaSeconds: number | null
}

// ---------------------------------------------------------------------------------------------------------
// values
// ---------------------------------------------------------------------------------------------------------

export const duration = (seconds: number | null): string => {
  if (seconds === null || !Number.isFinite(seconds)) return '-'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}

export const rate = (perSecond: number): string => (perSecond >= 10 || perSecond === 0 ? String(Math.round(perSecond)) : perSecond.toFixed(1))

export const percent = (p: Progress): number => (p.head <= 0 ? 100 : Math.max(0, Math.min(100, Math.floor((p.position / p.head) * 100))))

/** No borders, no colours: left-aligned columns two spaces apart, a header line then one line per row (greppable). */
const plain = {
  chars: {
    top: '',
    'top-mid': '',
    'top-left': '',
    'top-right': '',
    bottom: '',
    'bottom-mid': '',
    'bottom-left': '',
    'bottom-right': '',
    left: '',
    'left-mid': '',
    mid: '',
    'mid-mid': '',
    right: '',
    'right-mid': '',
    middle: '  ',
  },
  style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
}

/** Left-aligned columns, two spaces apart; trailing blanks trimmed. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const t = new Table({ ...plain, head: [...header] })
  t.push(...rows.map((r) => [...r]))
  return `${t
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')}\n`
}

// Contact fields of the marketplace (`UserDetails.Email`) and native (`data.customer.email`) formats: a
// problem about one may quote the value, which is customer data.
const contactPath = /(userdetails|customer)(\.|\[|$)|(^|\.)(e-?mail|phone|firstname|lastname|company)$/i

/** `path: reason` lines; with `redact`, quoted values in problems about contact fields are hidden. */
export const problemLines = (problems: ReadonlyArray<FieldProblem>, redact: boolean): ReadonlyArray<string> =>
  problems.map((p) => `${p.path}: ${redact && contactPath.test(p.path) ? p.reason.replace(/"[^"]*"/g, '"(hidden)"') : p.reason}`)

/**
 * A URL as a failure message shows it: without its query string (`?…` says there was one). A query can name a
 * person (a filter, a search), and stderr ends up in CI logs and tickets.
 */
export const shownUrl = (url: string): string => {
  const q = url.search(/[?#]/)
  return q < 0 ? url : `${url.slice(0, q)}?…`
}

/** A failed call, for stderr: what was asked of which URL, and what to do when the service is not there. */
export const failureText = (f: Failure, endpoints: Endpoints, redact = true): string => {
  switch (f._tag) {
    case 'Interrupted':
      return 'leadstream: interrupted\n'
    case 'Unreachable': {
      const s = services[f.service]
      const base = endpoints[f.service].url
      const where = endpoints[f.service].fallback && f.service !== 'query' ? `${s.flag} / ${s.env}, or --url / LEADSTREAM_URL` : `${s.flag} / ${s.env}`
      return `leadstream: cannot reach ${s.name} at ${base} (${f.reason}): is it running? Set ${where}.\n`
    }
    case 'Unreadable':
      return `leadstream: ${f.method} ${shownUrl(f.url)} answered ${f.status} with something this CLI cannot read (${f.reason}): is ${endpoints[f.service].url} a leadstream server of this version?\n`
    case 'Refused': {
      const lines = problemLines(f.problems, redact)
      const detail = lines.length > 0 ? lines.map((l) => `  ${l}\n`).join('') : f.message === '' ? '' : `  ${f.message}\n`
      const s = services[f.service]
      const hint =
        f.status === 404 && f.problems.some((p) => p.reason.startsWith('no route'))
          ? `  (${endpoints[f.service].url} does not serve this route: in the distributed mode, point ${s.flag} / ${s.env} at ${s.name}${f.service === 'relay' ? '; the embedded mode has no relay' : ''})\n`
          : f.status === 401
            ? '  (give an operator token with --token or LEADSTREAM_TOKEN)\n'
            : f.status === 403
              ? '  (this token lacks the operator role)\n'
              : ''
      return `leadstream: ${f.method} ${shownUrl(f.url)} failed: ${f.status} ${f.code}\n${detail}${hint}`
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// progress
// ---------------------------------------------------------------------------------------------------------

const stats = (p: Progress, unit: string): string =>
  `${p.position}/${p.head} ${unit} (${percent(p)}%), ${rate(p.eventsPerSecond)} ${unit}/s, ETA ${duration(p.etaSeconds)}`

export interface ProgressReporter {
  /** Shows `p`; plain lines are throttled unless `force`. */
  update(p: Progress, force?: boolean): void
  /** A line of its own above the bar. */
  note(line: string): void
  /** Leaves the last bar on screen and moves below it. */
  end(): void
}

/** cli-progress draws on a stream: this one writes to `io.err` and tells its size. */
const errStream = (io: Io) => ({
  isTTY: io.errIsTty,
  columns: io.columns,
  write: (text: string): boolean => {
    io.err(text)
    return true
  },
})

/**
 * On a terminal, cli-progress's bar (redrawn in place, cursor hidden, notes printed above it). In a log or a
 * pipe, a plain line at most every `plainEveryMs` and only when it changed: cli-progress's own non-terminal mode
 * repeats the line on a timer with blank lines between, which reads worse in a log.
 */
export const progressReporter = (io: Io, label: string, plainEveryMs = 1000, now: () => number = Date.now, unit = 'events'): ProgressReporter => {
  if (!io.errIsTty) {
    let printedAt = -Infinity
    let printed = ''
    return {
      update: (p, force = false) => {
        const line = `${label}: ${stats(p, unit)}\n`
        if (line === printed || (!force && now() - printedAt < plainEveryMs)) return
        printedAt = now()
        printed = line
        io.err(line)
      },
      note: (line) => io.err(`${line}\n`),
      end: () => undefined,
    }
  }
  const bars = new MultiBar({
    // `stream` takes any writable; the typings ask for a full NodeJS.WritableStream.
    stream: errStream(io) as unknown as NodeJS.WritableStream,
    format: `${label} [{bar}] {percent}%  {value}/{total}  {rate} ${unit}/s  ETA {eta_text}`,
    barCompleteChar: '█',
    barIncompleteChar: '░',
    barsize: Math.max(10, Math.min(40, io.columns - label.length - 56)),
    hideCursor: true,
    linewrap: false,
  })
  let bar: ReturnType<MultiBar['create']> | null = null
  const payload = (p: Progress) => ({ percent: String(percent(p)).padStart(3), rate: rate(p.eventsPerSecond), eta_text: duration(p.etaSeconds) })
  return {
    update: (p) => {
      if (bar === null) bar = bars.create(p.head, p.position, payload(p))
      else {
        bar.setTotal(p.head)
        bar.update(p.position, payload(p))
      }
      bars.update()
    },
    note: (line) => {
      // Before the first bar there is nothing to draw above: a plain line.
      if (bar === null) return io.err(`${line}\n`)
      bars.log(`${line}\n`)
      bars.update()
    },
    end: () => {
      if (bar === null) return
      bars.update()
      bars.stop()
      bar = null
    },
  }
}
