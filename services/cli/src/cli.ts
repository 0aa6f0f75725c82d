// `leadstream <group> <command> [args] [options]`: reads the flags and environment, finds the command, runs it.
// Exit codes: 0 done, 1 failed (an HTTP error, an unreachable server, a failed rebuild), 2 usage, 130 Ctrl-C.
import { parseArgs } from 'node:util'
import { exitCode, type Command, type Context, type Group, type Options, type Values } from './command.js'
import { deadLetters } from './deadLetters.js'
import { events } from './events.js'
import { api, baseUrl, services, type Endpoints, type Service } from './http.js'
import { projections } from './projections.js'
import { failureText, type Io } from './render.js'
import { relay } from './relay.js'

export const DEFAULT_URL = 'http://127.0.0.1:8080'

const groups: ReadonlyArray<Group> = [projections, deadLetters, events, relay]

const globalOptions = {
  url: { type: 'string' },
  'ingest-url': { type: 'string' },
  'projector-url': { type: 'string' },
  'relay-url': { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

// ---------------------------------------------------------------------------------------------------------
// usage
// ---------------------------------------------------------------------------------------------------------

const list = (rows: ReadonlyArray<readonly [string, string]>): string => {
  const width = Math.max(...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}\n`).join('')
}

const globalHelp = list([
  ['--url URL', `the embedded server, or the query API in the distributed mode (LEADSTREAM_URL; default ${DEFAULT_URL})`],
  ['--ingest-url URL', 'ingest, distributed mode: replay/discard, events (LEADSTREAM_INGEST_URL; default --url)'],
  ['--projector-url URL', 'the projector, distributed mode: projections (LEADSTREAM_PROJECTOR_URL; default --url)'],
  ['--relay-url URL', 'the relay, distributed mode (LEADSTREAM_RELAY_URL; default --url)'],
  ['--token TOKEN', 'an operator bearer token, when the servers have tokens configured (LEADSTREAM_TOKEN)'],
  ['--json', 'machine-readable output on stdout'],
  ['-h, --help', 'this help, or a group’s or command’s'],
])

const topUsage = (full: boolean): string =>
  'Usage: leadstream <group> <command> [arguments] [options]\n\n' +
  `Groups:\n${list(groups.map((g) => [g.name, g.summary]))}\n` +
  (full
    ? `Options (everywhere):\n${globalHelp}\n` + 'Exit codes: 0 done, 1 failed (HTTP error, unreachable server, failed rebuild), 2 usage error, 130 Ctrl-C.\n'
    : "Run 'leadstream --help' for the options.\n") +
  "Run 'leadstream <group> --help' for its commands.\n"

const groupUsage = (g: Group): string =>
  `Usage: leadstream ${g.name} <command> [arguments] [options]\n\n${g.summary}\n\n` +
  `Commands:\n${list(g.commands.map((c) => [[c.name, ...c.args].join(' '), c.summary]))}\n` +
  `Run 'leadstream ${g.name} <command> --help' for its options; 'leadstream --help' for the global ones.\n`

/** In full for --help; after a usage error, the usage line and the command's own options. */
const commandUsage = (g: Group, c: Command, full: boolean): string => {
  const line = `Usage: leadstream ${[g.name, c.name, ...c.args].join(' ')} [options]\n`
  const options = c.optionHelp === undefined || c.optionHelp.length === 0 ? '' : `\nOptions:\n${list(c.optionHelp)}`
  return full
    ? `${line}\n${c.summary}\n${c.details === undefined ? '' : `\n${c.details}\n`}${options}\nGlobal options:\n${globalHelp}`
    : `${line}${options}\nRun 'leadstream ${g.name} ${c.name} --help' for more.\n`
}

/** Node's parse errors carry advice on `--` that does not help here: the first sentence is enough. */
const firstSentence = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split(/\.\s/)[0] ?? ''

// ---------------------------------------------------------------------------------------------------------
// endpoints
// ---------------------------------------------------------------------------------------------------------

const nonEmpty = (s: string | boolean | undefined): string | undefined => (typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined)

const endpointsOf = (values: Values, env: NodeJS.ProcessEnv): { readonly ok: true; readonly endpoints: Endpoints } | { readonly ok: false; readonly reason: string } => {
  const one = (service: Service, fallback: string | null): { readonly ok: true; readonly url: string; readonly given: boolean } | { readonly ok: false; readonly reason: string } => {
    const { flag, env: variable } = services[service]
    const fromFlag = nonEmpty(values[flag.slice(2)])
    const raw = fromFlag ?? nonEmpty(env[variable])
    if (raw === undefined) return fallback === null ? { ok: true, url: DEFAULT_URL, given: false } : { ok: true, url: fallback, given: false }
    const u = baseUrl(raw, fromFlag === undefined ? variable : flag)
    return u.ok ? { ...u, given: true } : u
  }
  const query = one('query', null)
  if (!query.ok) return query
  const endpoints: Partial<Record<Service, { url: string; fallback: boolean }>> = { query: { url: query.url, fallback: false } }
  for (const s of ['ingest', 'projector', 'relay'] as const) {
    const e = one(s, query.url)
    if (!e.ok) return e
    endpoints[s] = { url: e.url, fallback: !e.given }
  }
  return { ok: true, endpoints: endpoints as Endpoints }
}

// ---------------------------------------------------------------------------------------------------------
// run
// ---------------------------------------------------------------------------------------------------------

export const run = async (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv, io: Io): Promise<number> => {
  const usage = (message: string, text: string): number => {
    io.err(`leadstream: ${message}\n\n${text}`)
    return exitCode.usage
  }
  const help = (text: string): number => {
    io.out(text)
    return exitCode.ok
  }

  // First pass, lenient: which group and command (their own flags are not known yet).
  const loose = parseArgs({ args: [...argv], options: globalOptions, strict: false, allowPositionals: true })
  const wantsHelp = loose.values.help === true
  const [groupName, commandName] = loose.positionals
  if (groupName === undefined) return wantsHelp ? help(topUsage(true)) : usage('missing <group>', topUsage(false))
  const group = groups.find((g) => g.name === groupName)
  if (group === undefined) return usage(`unknown command ${JSON.stringify(groupName)}`, topUsage(false))
  if (commandName === undefined) return wantsHelp ? help(groupUsage(group)) : usage(`missing the ${group.name} command`, groupUsage(group))
  const command = group.commands.find((c) => c.name === commandName)
  if (command === undefined) return usage(`unknown ${group.name} command ${JSON.stringify(commandName)}`, groupUsage(group))

  // Second pass, strict: the global flags and this command's.
  let parsed: { values: Values; positionals: string[] }
  try {
    parsed = parseArgs({ args: [...argv], options: { ...globalOptions, ...command.options }, strict: true, allowPositionals: true })
  } catch (e) {
    return usage(firstSentence(e), commandUsage(group, command, false))
  }
  const { values } = parsed
  if (values['help'] === true) return help(commandUsage(group, command, true))
  const [g, c, ...args] = parsed.positionals
  if (g !== group.name || c !== command.name) return usage('put options after the command', commandUsage(group, command, false))
  if (args.length !== command.args.length)
    return usage(
      args.length < command.args.length ? `missing ${command.args.slice(args.length).join(' ')}` : `unexpected ${args.slice(command.args.length).map((a) => JSON.stringify(a)).join(' ')}`,
      commandUsage(group, command, false),
    )

  const resolved = endpointsOf(values, env)
  if (!resolved.ok) return usage(resolved.reason, commandUsage(group, command, false))
  const { endpoints } = resolved
  const token = nonEmpty(values['token']) ?? nonEmpty(env['LEADSTREAM_TOKEN']) ?? null
  const ctx: Context = {
    api: api(endpoints, token, io.signal),
    io,
    endpoints,
    json: values['json'] === true,
    env,
    usage: (message) => usage(message, commandUsage(group, command, false)),
    fail: (f) => {
      if (f._tag === 'Interrupted') return exitCode.interrupted
      io.err(failureText(f, endpoints))
      return exitCode.failed
    },
  }
  return command.run(ctx, args, values)
}
