// `leadstream dead-letters list|show|replay|discard`: rejected inbound payloads with their reasons. Payloads
// hold customer contact data, so only `show` prints them; list and discard print everything else.
import { exitCode, jsonOut, wholeNumber, type Command, type Context } from './command.js'
import { problemLines, table } from './render.js'
import { DeadLetterPage, DeadLetterView, ReplayAnswer } from '@leadstream/api'

const statuses = ['open', 'replayed', 'discarded'] as const

const withoutPayload = ({ payload: _payload, ...rest }: DeadLetterView) => rest

const idOf = (raw: string): number | null => {
  const id = wholeNumber(raw)
  return id === null || id === 0 ? null : id
}

const badId = (ctx: Context, raw: string): number => ctx.usage(`<id>: expected a dead-letter id, got ${JSON.stringify(raw)}`)

const list: Command = {
  name: 'list',
  args: [],
  summary: 'dead letters with their source, status and problems (never their payloads)',
  options: [
    ['--status <s>', 'only open, replayed or discarded ones'],
    ['--limit <n>', 'at most N (1 to 1000; the server’s default is 100)'],
    ['--after <id>', 'the page after this id (printed when there are more)'],
  ],
  json: '{items, next, open}, without payloads',
  run: async (ctx, _args, values) => {
    const status = values['status']
    if (status !== undefined && !(statuses as ReadonlyArray<unknown>).includes(status))
      return ctx.usage(`--status: expected one of ${statuses.join(', ')}, got ${JSON.stringify(status)}`)
    const limit = values['limit'] === undefined ? undefined : wholeNumber(values['limit'])
    if (limit === null || (limit !== undefined && (limit < 1 || limit > 1000)))
      return ctx.usage(`--limit: expected 1 to 1000, got ${JSON.stringify(values['limit'])}`)
    const after = values['after'] === undefined ? undefined : wholeNumber(values['after'])
    if (after === null) return ctx.usage(`--after: expected a dead-letter id, got ${JSON.stringify(values['after'])}`)
    const r = await ctx.api.call('query', 'GET', '/v1/admin/dead-letters', DeadLetterPage, {
      status: typeof status === 'string' ? status : undefined,
      limit,
      after,
    })
    if (!r.ok) return ctx.fail(r.failure)
    const page = r.value
    if (ctx.json) return jsonOut(ctx, { ...page, items: page.items.map(withoutPayload) })
    if (page.items.length === 0) ctx.io.out(`no ${typeof status === 'string' ? `${status} ` : ''}dead letters\n`)
    else
      ctx.io.out(
        table(
          ['ID', 'STATUS', 'RECEIVED', 'SOURCE', 'FORMAT', 'PROBLEMS'],
          page.items.map((d) => [String(d.id), d.status, d.receivedAt, d.source, d.format, problemLines(d.problems, true).join('; ')]),
        ),
      )
    ctx.io.err(`${page.open} open in all${page.next === null ? '' : `; more with --after ${page.next}`}\n`)
    return exitCode.ok
  },
}

const show: Command = {
  name: 'show',
  args: ['<id>'],
  summary: 'one dead letter with its problems and its payload as received (customer data)',
  json: 'the dead letter',
  run: async (ctx, [raw = '']) => {
    const id = idOf(raw)
    if (id === null) return badId(ctx, raw)
    const r = await ctx.api.call('query', 'GET', `/v1/admin/dead-letters/${id}`, DeadLetterView)
    if (!r.ok) return ctx.fail(r.failure)
    const d = r.value
    if (ctx.json) return jsonOut(ctx, d)
    let payload = d.payload
    try {
      payload = JSON.stringify(JSON.parse(d.payload), null, 2)
    } catch {
      // not JSON (that may be why it was rejected): shown as received
    }
    const indent = (text: string) => text.replace(/^/gm, '    ')
    ctx.io.out(
      `dead letter ${d.id} (${d.status})\n` +
        `  source:    ${d.source}\n  format:    ${d.format}\n  received:  ${d.receivedAt}\n` +
        `  problems:\n${problemLines(d.problems, false)
          .map((l) => `    ${l}\n`)
          .join('')}` +
        `  payload:\n${indent(payload)}\n`,
    )
    if (d.status === 'open')
      ctx.io.err(`replay it with 'leadstream dead-letters replay ${d.id}' once the cause is fixed, or 'leadstream dead-letters discard ${d.id}'\n`)
    return exitCode.ok
  },
}

const replay: Command = {
  name: 'replay',
  args: ['<id>'],
  summary: 'run an open dead letter through ingest again (with today’s settings); exits 1 with the problems if still rejected',
  json: 'ingest’s result',
  run: async (ctx, [raw = '']) => {
    const id = idOf(raw)
    if (id === null) return badId(ctx, raw)
    const r = await ctx.api.call('ingest', 'POST', `/v1/admin/dead-letters/${id}/replay`, ReplayAnswer)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const replayed = r.value
    ctx.io.out(
      replayed.status === 'accepted'
        ? `dead letter ${id} replayed: event ${replayed.eventId} of lead ${replayed.leadId} written at position ${replayed.position}\n`
        : replayed.status === 'parked'
          ? `dead letter ${id} replayed: lead ${replayed.leadId} is still not captured; event ${replayed.eventId} parked until ${replayed.until}\n`
          : `dead letter ${id} replayed: lead ${replayed.leadId} already had it (duplicate)\n`,
    )
    return exitCode.ok
  },
}

const discard: Command = {
  name: 'discard',
  args: ['<id>'],
  summary: 'mark an open dead letter discarded (it is kept, never deleted)',
  json: 'the discarded dead letter, without its payload',
  run: async (ctx, [raw = '']) => {
    const id = idOf(raw)
    if (id === null) return badId(ctx, raw)
    const r = await ctx.api.call('ingest', 'POST', `/v1/admin/dead-letters/${id}/discard`, DeadLetterView)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, withoutPayload(r.value))
    ctx.io.out(`dead letter ${id} discarded\n`)
    return exitCode.ok
  },
}

export const commands: ReadonlyArray<Command> = [list, show, replay, discard]
