// `leadstream relay status|reseed`: the relay that publishes the event store into Kafka (distributed mode only).
import { exitCode, jsonOut, type Command } from './command.js'
import { RelayStatusView, ReseedRequested } from '@leadstream/api'

const status: Command = {
  name: 'status',
  args: [],
  summary: 'the relay’s state and its position in the event store',
  json: 'the relay’s answer',
  run: async (ctx) => {
    const r = await ctx.api.call('relay', 'GET', '/v1/admin/relay', RelayStatusView)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const { state, position, head, lastError } = r.value
    ctx.io.out(`relay ${state}: published ${position}/${head}${lastError === null ? '' : `; last error: ${lastError}`}\n`)
    return exitCode.ok
  },
}

const reseed: Command = {
  name: 'reseed',
  args: [],
  summary: 'republish the whole event store into Kafka from position 0 (projections skip what they already applied)',
  json: 'the relay’s answer',
  run: async (ctx) => {
    const r = await ctx.api.call('relay', 'POST', '/v1/admin/relay/reseed', ReseedRequested)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    ctx.io.out(`relay reseed requested: republishing from position 0 (the store's head is ${r.value.status.head}); follow it with 'leadstream relay status'\n`)
    return exitCode.ok
  },
}

export const commands: ReadonlyArray<Command> = [status, reseed]
