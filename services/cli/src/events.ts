// `leadstream events stream <leadId>|tail`: the event store as ingest recorded it (customer data included, opened
// by the server with the key store: reading it is what the operator asked for); `events check`: the embedded store's integrity, from its file.
import { join } from 'node:path'
import { exitCode, jsonOut, sleep, wholeNumber, type Command } from './command.js'
import { table } from './render.js'
import { EventPage, StreamAnswer } from '@leadstream/api'

const PAGE = 1000
const FOLLOW_POLL_MS = 500
const TAIL_DEFAULT = 10

const stream: Command = {
  name: 'stream',
  args: ['<leadId>'],
  summary: 'every event of one lead, oldest first',
  json: '{streamId, revision, events}',
  run: async (ctx, [leadId = '']) => {
    const r = await ctx.api.call('ingest', 'GET', `/v1/admin/streams/${encodeURIComponent(leadId)}`, StreamAnswer)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const { streamId, revision, events } = r.value
    ctx.io.out(`${streamId} (revision ${revision})\n`)
    ctx.io.out(
      table(
        ['REV', 'POSITION', 'RECORDED', 'EVENT', 'DATA'],
        events.map((e) => [String(e.revision), String(e.position), e.recordedAt, `${e.type} v${e.version}`, JSON.stringify(e.data)]),
      ),
    )
    return exitCode.ok
  },
}

const tail: Command = {
  name: 'tail',
  args: [],
  summary: 'events of the global log as JSON lines, from a position or the newest ten',
  options: [
    ['--from <pos>', `start at this log position (0: the beginning); default: the newest ${TAIL_DEFAULT}`],
    ['-f, --follow', 'keep printing new events as they are recorded, until Ctrl-C'],
  ],
  run: async (ctx, _args, values) => {
    const from = values['from'] === undefined ? undefined : wholeNumber(values['from'])
    if (from === null) return ctx.usage(`--from: expected a log position ≥ 0, got ${JSON.stringify(values['from'])}`)
    const following = values['follow'] === true
    let after: number
    if (from === undefined) {
      const head = await ctx.api.call('ingest', 'GET', '/v1/admin/events', EventPage, { after: 0, limit: 1 })
      if (!head.ok) return ctx.fail(head.failure)
      after = Math.max(0, head.value.head - TAIL_DEFAULT)
    } else after = Math.max(0, from - 1)
    for (;;) {
      const r = await ctx.api.call('ingest', 'GET', '/v1/admin/events', EventPage, { after, limit: PAGE })
      if (!r.ok) return following && r.failure._tag === 'Interrupted' ? exitCode.ok : ctx.fail(r.failure)
      for (const e of r.value.events) {
        ctx.io.out(`${JSON.stringify(e)}\n`)
        after = Math.max(after, e.position)
      }
      await ctx.io.drained()
      if (r.value.events.length === PAGE) continue
      if (!following) return exitCode.ok
      if (!(await sleep(FOLLOW_POLL_MS, ctx.io.signal))) return exitCode.ok
    }
  },
}

const check: Command = {
  name: 'check',
  args: [],
  summary: 'integrity check of the embedded event store (events.db), read-only; exit 1 when it is not sound',
  details:
    "Reads the file itself, not a server: SQLite's integrity_check, positions contiguous from 1, each stream's revisions 0..n\n" +
    "in position order, every event decoding with today's codecs. Safe while the server runs (it only reads).",
  options: [['--data-dir <dir>', 'the data directory holding events.db (LEADSTREAM_DATA_DIR; default ./data)']],
  json: '{file, ok, events, streams, checks: [{name, ok, detail}]}',
  run: async (ctx, _args, values) => {
    const dir = typeof values['dataDir'] === 'string' ? values['dataDir'] : (ctx.env['LEADSTREAM_DATA_DIR'] ?? './data')
    // The store's module (SQLite's native binding) is loaded by this command only.
    const { checkSqliteEventStore } = await import('@leadstream/event-store')
    const report = checkSqliteEventStore(join(dir, 'events.db'))
    if (ctx.json) jsonOut(ctx, report)
    else {
      ctx.io.out(`${report.file}: ${report.ok ? 'sound' : 'NOT SOUND'} (${report.events} events, ${report.streams} streams)\n`)
      ctx.io.out(
        table(
          ['CHECK', 'RESULT', 'DETAIL'],
          report.checks.map((c) => [c.name, c.ok ? 'ok' : 'FAILED', c.detail]),
        ),
      )
    }
    return report.ok ? exitCode.ok : exitCode.failed
  },
}

export const commands: ReadonlyArray<Command> = [stream, tail, check]
