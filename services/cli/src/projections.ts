// `leadstream projections status|rebuild|pause|resume`: the projector's generations, and a rebuild followed
// until the registry shows the new generation live (or it fails).
import { exitCode, jsonOut, sleep, type Command, type Context } from './command.js'
import { duration, progressReporter, rate, table, type Progress } from './render.js'
import { PauseChanged, ProjectionsAnswer, RebuildStarted, type GenerationStatusView, type ProjectionStatusView } from '@leadstream/api'

const POLL_MS = 250

const LIST = '/v1/admin/projections'
const action = (name: string, verb: 'rebuild' | 'pause' | 'resume') => `${LIST}/${encodeURIComponent(name)}/${verb}`

const rowsOf = (p: ProjectionStatusView): ReadonlyArray<ReadonlyArray<string>> => {
  const rows = p.generations.map((g) => ({
    generation: g.generation,
    cells: [
      p.projection,
      String(g.generation),
      g.role,
      g.state,
      `${g.position}/${g.head}`,
      String(g.lag),
      rate(g.eventsPerSecond),
      duration(g.etaSeconds),
      g.lastError?.message ?? '',
    ],
  }))
  // Generations the registry names but nothing runs (all of them while paused).
  const running = new Set(p.generations.map((g) => g.generation))
  const named =
    p.registry === null ? [] : [[p.registry.live, 'live'] as const, ...(p.registry.building === null ? [] : [[p.registry.building, 'rebuilding'] as const])]
  for (const [generation, role] of named)
    if (!running.has(generation))
      rows.push({ generation, cells: [p.projection, String(generation), role, p.paused ? 'paused' : 'not running', '-', '-', '-', '-', ''] })
  return rows.sort((a, b) => a.generation - b.generation).map((r) => r.cells)
}

const status: Command = {
  name: 'status',
  args: [],
  summary: 'every projection and its generations: state, position/head, lag, rate, ETA, last error',
  json: 'the projector’s answer',
  run: async (ctx) => {
    const r = await ctx.api.call('projector', 'GET', LIST, ProjectionsAnswer)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const header = ['PROJECTION', 'GEN', 'ROLE', 'STATE', 'POSITION/HEAD', 'LAG', 'EVENTS/S', 'ETA', 'LAST ERROR']
    ctx.io.out(table(header, r.value.projections.flatMap(rowsOf)))
    return exitCode.ok
  },
}

/**
 * The progress of a generation between two polls. The projector's rate covers its last few seconds of
 * batches and is 0 until it has two; meanwhile the rate seen between polls stands in.
 */
const progressOf = () => {
  let previous: { readonly at: number; readonly position: number } | null = null
  return (g: GenerationStatusView, at = Date.now()): Progress => {
    const seen = previous !== null && at > previous.at ? ((g.position - previous.position) * 1000) / (at - previous.at) : 0
    previous = { at, position: g.position }
    const eventsPerSecond = g.eventsPerSecond > 0 ? g.eventsPerSecond : seen
    return { position: g.position, head: g.head, eventsPerSecond, etaSeconds: g.etaSeconds ?? (eventsPerSecond > 0 ? g.lag / eventsPerSecond : null) }
  }
}

/** Polls the status until `target` is live (0), has failed or was dropped (1), or SIGINT (130). */
const follow = async (ctx: Context, name: string, target: number, initial: ProjectionStatusView): Promise<number> => {
  const progress = progressReporter(ctx.io, `${name} generation ${target}`)
  const measure = progressOf()
  const started = Date.now()
  let current = initial
  let pausedNoted = false
  for (;;) {
    const registry = current.registry
    const generation = current.generations.find((g) => g.generation === target)
    if (registry !== null && registry.live >= target && registry.building !== target) {
      const seconds = Math.max(0.001, (Date.now() - started) / 1000)
      const events = generation?.position ?? 0
      if (generation !== undefined) progress.update({ position: events, head: generation.head, eventsPerSecond: events / seconds, etaSeconds: 0 }, true)
      progress.end()
      if (ctx.json) return jsonOut(ctx, current)
      ctx.io.out(`${name}: generation ${target} is live (${events} events in ${seconds.toFixed(1)}s, ${rate(events / seconds)} events/s)\n`)
      return exitCode.ok
    }
    if (generation?.state === 'failed') {
      progress.update(measure(generation), true)
      progress.end()
      ctx.io.err(
        `leadstream: rebuilding ${name} failed: generation ${target} stopped at position ${generation.position}: ${generation.lastError?.message ?? 'no error recorded'}\n` +
          `  generation ${registry?.live ?? '?'} stays live; see 'leadstream projections status'\n`,
      )
      return exitCode.failed
    }
    if (registry !== null && registry.building !== target) {
      progress.end()
      ctx.io.err(`leadstream: generation ${target} of ${name} is no longer being built (live: ${registry.live}, building: ${registry.building ?? 'none'})\n`)
      return exitCode.failed
    }
    if (current.paused && !pausedNoted) {
      pausedNoted = true
      progress.note(`${name} is paused: generation ${target} builds once it is resumed ('leadstream projections resume ${name}')`)
    }
    if (generation !== undefined) progress.update(measure(generation))
    const r = (await sleep(POLL_MS, ctx.io.signal)) ? await ctx.api.call('projector', 'GET', LIST, ProjectionsAnswer) : null
    if (r === null || (!r.ok && r.failure._tag === 'Interrupted')) {
      progress.end()
      ctx.io.err(`leadstream: stopped waiting; generation ${target} keeps building on the server (see 'leadstream projections status')\n`)
      return exitCode.interrupted
    }
    if (!r.ok && r.failure._tag === 'Unreachable' && r.failure.timedOut) {
      // An embedded server catching up answers nothing until it is done: keep waiting (Ctrl-C stops).
      progress.note(`the projector has not answered for ${r.failure.reason.replace(/^no answer within /, '')}; still waiting`)
      continue
    }
    if (!r.ok) {
      progress.end()
      return ctx.fail(r.failure)
    }
    const next = r.value.projections.find((p) => p.projection === name)
    if (next === undefined) {
      progress.end()
      ctx.io.err(`leadstream: the projector no longer reports ${name}\n`)
      return exitCode.failed
    }
    current = next
  }
}

const rebuild: Command = {
  name: 'rebuild',
  args: ['<name>'],
  summary: 'build a new generation of a projection from the start of the log; readers switch once it caught up',
  details:
    'Waits until the new generation is live, showing position/head, percentage, events/s and ETA on stderr\n' +
    '(a bar on a terminal, a line a second otherwise). Exits 1 with its last error if the generation fails.\n' +
    'Ctrl-C stops waiting; the rebuild goes on on the server.',
  options: [['--no-wait', 'return once the rebuild has started']],
  json: 'the final status (or, with --no-wait, the projector’s answer)',
  run: async (ctx, [name = ''], values) => {
    const r = await ctx.api.call('projector', 'POST', action(name, 'rebuild'), RebuildStarted)
    if (!r.ok) return ctx.fail(r.failure)
    const { building } = r.value
    if (values['wait'] === false) {
      if (ctx.json) return jsonOut(ctx, r.value)
      ctx.io.out(`${name}: rebuild started, generation ${building} is building (follow it with 'leadstream projections status')\n`)
      return exitCode.ok
    }
    return follow(ctx, name, building, r.value.status)
  },
}

const pauseOrResume = (verb: 'pause' | 'resume'): Command => ({
  name: verb,
  args: ['<name>'],
  summary: verb === 'pause' ? 'stop every generation of a projection (its views stay readable)' : 'restart a paused projection where it stopped',
  json: 'the registry entry',
  run: async (ctx, [name = '']) => {
    const r = await ctx.api.call('projector', 'POST', action(name, verb), PauseChanged)
    if (!r.ok) return ctx.fail(r.failure)
    if (ctx.json) return jsonOut(ctx, r.value)
    const { live, building } = r.value.registry
    ctx.io.out(
      `${name}: ${r.value.registry.paused ? 'paused' : 'running'} (live generation ${live}${building === null ? '' : `, generation ${building} building`})\n`,
    )
    return exitCode.ok
  },
})

export const commands: ReadonlyArray<Command> = [status, rebuild, pauseOrResume('pause'), pauseOrResume('resume')]
