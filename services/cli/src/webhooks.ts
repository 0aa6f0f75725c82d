// `leadstream webhooks list|add|show|remove|deliveries|replay`: subscriptions to signed lead events, their
// delivery status (lag, last success, last error, failure rate, circuit), parked deliveries and replay.
// The secret is printed once, by `add`; nothing else shows it.
import { exitCode, jsonOut, wholeNumber, type Command, type Context, type Values } from './command.js'
import { setTimeout as sleep } from 'node:timers/promises'
import { table } from './render.js'
import {
  DeliveryPage,
  SubscriptionCreated,
  SubscriptionDetail,
  SubscriptionList,
  SubscriptionRemoved,
  WebhookReplayed,
  LogReplayAnswer,
  type LogReplayView,
  webhookEventTypes,
  type SubscriptionDetail as Detail,
} from '@leadstream/api'

const csv = (v: unknown): ReadonlyArray<string> | undefined =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : undefined

const path = (id: string, rest = '') => `/v1/admin/webhooks/${encodeURIComponent(id)}${rest}`

const statusLine = (d: Detail): string => {
  const s = d.status
  const err = s.lastError === null ? 'none' : `${s.lastError.at} ${s.lastError.message}`
  return (
    `  pending ${s.pending}, parked ${s.parked}, delivered ${s.delivered}; lag ${s.lagSeconds === null ? '0' : `${s.lagSeconds}s`}; circuit ${s.circuit}\n` +
    `  last success ${s.lastSuccessAt ?? 'never'}; last error ${err}\n` +
    `  failure rate ${(s.failureRate * 100).toFixed(1)}% of ${s.attemptsRecent} attempts in the last 15 minutes\n`
  )
}

const describe = (d: Detail): string => {
  const { subscription: s } = d
  const f = s.filters
  const filters = [
    f.storefronts === undefined ? null : `storefronts ${f.storefronts.join(',')}`,
    f.campaigns === undefined ? null : `campaigns ${f.campaigns.join(',')}`,
    f.offers === undefined ? null : `offers ${f.offers.join(',')}`,
    f.includeTest === true ? 'test leads included' : 'no test leads',
  ].filter((x) => x !== null)
  return (
    `webhook ${s.id}${s.description === null ? '' : ` (${s.description})`}\n` +
    `  url: ${s.url}\n  events: ${s.events.join(', ')}\n  filters: ${filters.join('; ')}\n` +
    `  contact data: ${s.includeContact ? 'included' : 'not included'}\n  created: ${s.createdAt}\n` +
    statusLine(d)
  )
}

const list: Command = {
  name: 'list',
  args: [],
  summary: 'subscriptions with their lag, pending and parked deliveries, last success, last error and failure rate',
  json: '{subscriptions, dispatcher}',
  run: async (ctx) => {
    const r = await ctx.api.call('webhooks', 'GET', '/v1/admin/webhooks', SubscriptionList)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const { subscriptions, dispatcher } = r.value
    if (subscriptions.length === 0) ctx.io.out(`no webhook subscriptions (add one with 'leadstream webhooks add <url>')\n`)
    else
      ctx.io.out(
        table(
          ['ID', 'URL', 'PENDING', 'PARKED', 'LAG', 'LAST SUCCESS', 'FAILURES', 'CIRCUIT', 'LAST ERROR'],
          subscriptions.map(({ subscription: s, status: st }) => [
            s.id,
            s.url,
            String(st.pending),
            String(st.parked),
            st.lagSeconds === null ? '0' : `${st.lagSeconds}s`,
            st.lastSuccessAt ?? 'never',
            `${(st.failureRate * 100).toFixed(1)}%`,
            st.circuit,
            st.lastError?.message ?? '',
          ]),
        ),
      )
    ctx.io.err(
      `dispatcher ${dispatcher.state}: ${dispatcher.lag} events behind the log's head ${dispatcher.head}${dispatcher.lastError === null ? '' : `; last error: ${dispatcher.lastError}`}\n`,
    )
    return exitCode.ok
  },
}

const addBody = (ctx: Context, url: string, values: Values): Record<string, unknown> | number => {
  const events = csv(values['events'])
  const unknown = events?.filter((e) => !(webhookEventTypes as ReadonlyArray<string>).includes(e)) ?? []
  if (unknown.length > 0) return ctx.usage(`--events: unknown ${unknown.join(', ')}; known: ${webhookEventTypes.join(', ')}`)
  const storefronts = csv(values['storefronts'])
  const campaigns = csv(values['campaigns'])
  const offers = csv(values['offers'])
  const filters = {
    ...(storefronts === undefined ? {} : { storefronts }),
    ...(campaigns === undefined ? {} : { campaigns }),
    ...(offers === undefined ? {} : { offers }),
    ...(values['includeTest'] === true ? { includeTest: true } : {}),
  }
  return {
    url,
    ...(events === undefined ? {} : { events }),
    filters,
    ...(typeof values['secret'] === 'string' ? { secret: values['secret'] } : {}),
    includeContact: values['includeContact'] === true,
    ...(typeof values['description'] === 'string' ? { description: values['description'] } : {}),
  }
}

const add: Command = {
  name: 'add',
  args: ['<url>'],
  summary: 'subscribe a URL (https; http only to loopback) to signed lead events; prints the secret once',
  options: [
    ['--events <types>', `comma-separated: ${webhookEventTypes.join(', ')} (default: all)`],
    ['--storefronts <list>', 'only leads of these storefronts (AppSource, AzureMarketplace)'],
    ['--campaigns <list>', 'only leads of these campaign types (nurture, demand-generation)'],
    ['--offers <list>', 'only leads about these offer ids (publisher.offer) or offer keys'],
    ['--include-test', 'test leads too (left out by default)'],
    ['--include-contact', 'payloads carry the customer’s contact data (default: they do not)'],
    ['--secret <whsec>', 'a Standard Webhooks secret (whsec_…); default: a new random one'],
    ['--description <text>', 'a note for operators'],
  ],
  details: 'Deliveries start with events recorded from now on. Receivers verify them with the standardwebhooks package (README, "Webhooks").',
  json: '{subscription, secret}',
  run: async (ctx, [url = ''], values) => {
    const body = addBody(ctx, url, values)
    if (typeof body === 'number') return body
    const r = await ctx.api.call('webhooks', 'POST', '/v1/admin/webhooks', SubscriptionCreated, {}, body)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    ctx.io.out(`webhook ${r.value.subscription.id} → ${r.value.subscription.url}\nsecret: ${r.value.secret}\n`)
    ctx.io.err('keep the secret now: it is not shown again (the receiver verifies signatures with it)\n')
    return exitCode.ok
  },
}

const replayLine = (id: string, r: LogReplayView): string =>
  `webhook ${id}: replay from ${r.fromPosition === null ? `time ${r.fromTime ?? '?'}` : `position ${r.fromPosition}`} ${r.state}: ` +
  `${r.read} log events read, ${r.requeued} deliveries queued${r.error === null ? '' : `; error: ${r.error}`}\n`

const show: Command = {
  name: 'show',
  args: ['<id>'],
  summary: 'one subscription: its URL, events, filters and delivery status (and its latest replay from the log)',
  json: '{subscription, status}',
  run: async (ctx, [id = '']) => {
    const r = await ctx.api.call('webhooks', 'GET', path(id), SubscriptionDetail)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    ctx.io.out(describe(r.value))
    const replayed = await ctx.api.call('webhooks', 'GET', path(id, '/replay'), LogReplayAnswer)
    if (replayed.ok && replayed.value.replay !== null) ctx.io.out(`  ${replayLine(id, replayed.value.replay).replace(`webhook ${id}: `, '')}`)
    return exitCode.ok
  },
}

const remove: Command = {
  name: 'remove',
  args: ['<id>'],
  summary: 'remove a subscription and its delivery log (nothing more is sent to it)',
  json: '{removed}',
  run: async (ctx, [id = '']) => {
    const r = await ctx.api.call('webhooks', 'DELETE', path(id), SubscriptionRemoved)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    ctx.io.out(`webhook ${id} removed\n`)
    return exitCode.ok
  },
}

const deliveries: Command = {
  name: 'deliveries',
  args: ['<id>'],
  summary: 'a subscription’s deliveries in log order (--status parked for those that gave up)',
  options: [
    ['--status <s>', 'only pending, delivered or parked ones'],
    ['--limit <n>', 'at most N (1 to 1000; default 100)'],
    ['--after <seq>', 'the page after this seq (printed when there are more)'],
  ],
  json: '{items, next}',
  run: async (ctx, [id = ''], values) => {
    const status = values['status']
    if (status !== undefined && !['pending', 'delivered', 'parked'].includes(String(status)))
      return ctx.usage(`--status: expected pending, delivered or parked, got ${JSON.stringify(status)}`)
    const limit = values['limit'] === undefined ? undefined : wholeNumber(values['limit'])
    if (limit === null || (limit !== undefined && (limit < 1 || limit > 1000)))
      return ctx.usage(`--limit: expected 1 to 1000, got ${JSON.stringify(values['limit'])}`)
    const after = values['after'] === undefined ? undefined : wholeNumber(values['after'])
    if (after === null) return ctx.usage(`--after: expected a seq, got ${JSON.stringify(values['after'])}`)
    const r = await ctx.api.call('webhooks', 'GET', path(id, '/deliveries'), DeliveryPage, {
      status: typeof status === 'string' ? status : undefined,
      limit,
      after,
    })
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    if (r.value.items.length === 0) ctx.io.out('no deliveries\n')
    else
      ctx.io.out(
        table(
          ['SEQ', 'WEBHOOK-ID', 'TYPE', 'LEAD', 'POSITION', 'STATUS', 'ATTEMPTS', 'NEXT', 'LAST ERROR'],
          r.value.items.map((d) => [
            String(d.seq),
            d.id,
            d.type,
            d.leadId,
            String(d.position),
            d.status,
            String(d.attempts),
            d.nextAttemptAt ?? '',
            d.lastError ?? '',
          ]),
        ),
      )
    if (r.value.next !== null) ctx.io.err(`more with --after ${r.value.next}\n`)
    return exitCode.ok
  },
}

const replay: Command = {
  name: 'replay',
  args: ['<id>'],
  summary:
    'send again: the parked deliveries, or the event log re-read from a position or a time for this subscription only (same webhook-ids, in order per lead)',
  options: [
    ['--parked', 'the parked deliveries'],
    ['--from-position <n>', 'the events at or after this log position, read again from the log'],
    ['--since <instant>', 'the events recorded at or after this instant (2026-12-01T00:00:00Z), read again from the log'],
    ['--from-time <instant>', 'the same as --since'],
    ['--wait', 'follow a replay from the log until it has read up to the live dispatcher'],
  ],
  json: '{requeued, replay?}',
  run: async (ctx, [id = ''], values) => {
    const since = values['since'] ?? values['fromTime']
    const given = [values['parked'] === true, values['fromPosition'] !== undefined, since !== undefined].filter((b) => b).length
    if (given !== 1 || (values['since'] !== undefined && values['fromTime'] !== undefined))
      return ctx.usage('give exactly one of --parked, --from-position, --since')
    const position = values['fromPosition'] === undefined ? undefined : wholeNumber(values['fromPosition'])
    if (position === null) return ctx.usage(`--from-position: expected a log position, got ${JSON.stringify(values['fromPosition'])}`)
    const body = values['parked'] === true ? { parked: true } : position !== undefined ? { fromPosition: position } : { fromTime: since }
    const r = await ctx.api.call('webhooks', 'POST', path(id, '/replay'), WebhookReplayed, {}, body)
    if (!r.ok) return ctx.fail(r.failure)
    let latest = r.value.replay ?? null
    while (values['wait'] === true && latest !== null && latest.state === 'reading') {
      await sleep(500)
      const now = await ctx.api.call('webhooks', 'GET', path(id, '/replay'), LogReplayAnswer)
      if (!now.ok) return ctx.fail(now.failure)
      latest = now.value.replay
      if (!ctx.json && latest !== null && latest.state === 'reading') ctx.io.err(replayLine(id, latest))
    }
    if (ctx.json) return jsonOut(ctx, latest === null ? r.value : { requeued: latest.requeued, replay: latest })
    if (latest === null) ctx.io.out(`webhook ${id}: ${r.value.requeued} deliveries queued again\n`)
    else ctx.io.out(replayLine(id, latest))
    return latest?.state === 'failed' ? exitCode.failed : exitCode.ok
  },
}

export const commands: ReadonlyArray<Command> = [list, add, show, remove, deliveries, replay]
