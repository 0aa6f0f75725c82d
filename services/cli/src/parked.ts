// `leadstream parked list`: lifecycle events from upstream held until their lead is captured (or until their
// bound, LEADSTREAM_PARK_FOR_SECONDS, sends them to dead letters). Payloads are not shown (customer data).
import { exitCode, jsonOut, wholeNumber, type Command } from './command.js'
import { table } from './render.js'
import { ParkedPage } from '@leadstream/api'

const list: Command = {
  name: 'list',
  args: [],
  summary: 'parked lifecycle events: lead, event id, source, occurred, parked, until',
  options: [
    ['--limit <n>', 'at most N (1 to 1000; the server’s default is 100)'],
    ['--after <id>', 'the page after this id (printed when there are more)'],
  ],
  json: '{items, next, parked}',
  run: async (ctx, _args, values) => {
    const limit = values['limit'] === undefined ? undefined : wholeNumber(values['limit'])
    if (limit === null || (limit !== undefined && (limit < 1 || limit > 1000)))
      return ctx.usage(`--limit: expected 1 to 1000, got ${JSON.stringify(values['limit'])}`)
    const after = values['after'] === undefined ? undefined : wholeNumber(values['after'])
    if (after === null) return ctx.usage(`--after: expected a parked event id, got ${JSON.stringify(values['after'])}`)
    const r = await ctx.api.call('ingest', 'GET', '/v1/admin/parked', ParkedPage, { limit, after })
    if (!r.ok) return ctx.fail(r.failure)
    const page = r.value
    if (ctx.json) return jsonOut(ctx, page)
    if (page.items.length === 0) ctx.io.out('no parked events\n')
    else
      ctx.io.out(
        table(
          ['ID', 'LEAD', 'EVENT', 'SOURCE', 'OCCURRED', 'PARKED', 'UNTIL'],
          page.items.map((p) => [String(p.id), p.leadId, p.eventId, p.source, p.occurredAt, p.parkedAt, p.until]),
        ),
      )
    ctx.io.err(`${page.parked} parked in all${page.next === null ? '' : `; more with --after ${page.next}`}\n`)
    return exitCode.ok
  },
}

export const commands: ReadonlyArray<Command> = [list]
