// `leadstream <group> <command> [args] [options]` on commander: reads the flags and environment, finds the
// command, runs it. Only the groups named on the command line are loaded (groups.ts), so `--help` is instant.
// Exit codes: 0 done, 1 failed (an HTTP error, an unreachable server, a failed rebuild), 2 usage, 130 Ctrl-C.
import { Command as Program, CommanderError } from 'commander'
import { exitCode, type Command, type Context, type Values } from './command.js'
import { completionScript, shells, type Shell } from './completion.js'
import { DEFAULT_URL, endpointsOf, tokenOf } from './endpoints.js'
import { groups } from './groups.js'
import type { Io } from './render.js'

export { DEFAULT_URL } from './endpoints.js'

const globalOptions: ReadonlyArray<readonly [string, string]> = [
  ['--url <url>', `the embedded server, or the query API in the distributed mode (LEADSTREAM_URL; default ${DEFAULT_URL})`],
  ['--ingest-url <url>', 'ingest, distributed mode: replay/discard, events (LEADSTREAM_INGEST_URL; default --url)'],
  ['--projector-url <url>', 'the projector, distributed mode: projections (LEADSTREAM_PROJECTOR_URL; default --url)'],
  ['--relay-url <url>', 'the relay, distributed mode (LEADSTREAM_RELAY_URL; default --url)'],
  ['--webhooks-url <url>', 'the webhook dispatcher, distributed mode: webhooks (LEADSTREAM_WEBHOOKS_URL; default --url)'],
  ['--token <token>', 'an operator bearer token, when the servers have tokens configured (LEADSTREAM_TOKEN)'],
  ['--json', 'machine-readable output on stdout (each command’s help says what)'],
]

const exitCodes = 'Exit codes: 0 done, 1 failed (HTTP error, unreachable server, failed rebuild), 2 usage error, 130 Ctrl-C.'

/** Runs one command once commander has parsed its arguments and flags. */
const execute = async (cmd: Program, c: Command, args: ReadonlyArray<string>, values: Values, env: NodeJS.ProcessEnv, io: Io): Promise<number> => {
  const usage = (message: string): number => {
    io.err(`leadstream: ${message}\n\n${cmd.helpInformation({ error: true })}`)
    return exitCode.usage
  }
  const resolved = endpointsOf(values, env)
  if (!resolved.ok) return usage(resolved.reason)
  const { endpoints } = resolved
  // The HTTP client and the renderer pull in the codecs: loaded once a command runs, not for --help.
  const [{ api }, { failureText }] = await Promise.all([import('./http.js'), import('./render.js')])
  const ctx: Context = {
    api: api(endpoints, tokenOf(values, env), io.signal),
    io,
    endpoints,
    json: values['json'] === true,
    env,
    usage,
    fail: (f) => {
      if (f._tag === 'Interrupted') return exitCode.interrupted
      io.err(failureText(f, endpoints))
      return exitCode.failed
    },
  }
  return c.run(ctx, args, values)
}

/**
 * The command tree: every group, with the commands of those in `loaded`. Settings given to the program before
 * `.command()` (output, exit override, help) are inherited by each subcommand.
 */
const programOf = (loaded: ReadonlyMap<string, ReadonlyArray<Command>>, env: NodeJS.ProcessEnv, io: Io, done: (code: number) => void): Program => {
  const program = new Program('leadstream')
    .usage('<group> <command> [arguments] [options]')
    .description('The operators’ command line over leadstream’s admin routes.')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.out(s),
      writeErr: (s) => io.err(s),
      outputError: (s, write) => write(`leadstream: ${s.replace(/^error: /, '').trimEnd()}\n`),
    })
    .showHelpAfterError()
    .configureHelp({ showGlobalOptions: true })
    .helpCommand(false)
  for (const [flags, help] of globalOptions) program.option(flags, help)
  program.addHelpText('after', `\n${exitCodes}\nRun 'leadstream <group> --help' for its commands.`)

  const configure = (cmd: Program, c: Command): void => {
    cmd.usage([...c.args, '[options]'].join(' '))
    for (const a of c.args) cmd.argument(a)
    for (const [flags, help] of c.options ?? []) cmd.option(flags, help)
    const after = [c.details, c.json === undefined ? undefined : `With --json: ${c.json}, as JSON on stdout.`].filter((x) => x !== undefined)
    if (after.length > 0) cmd.addHelpText('after', `\n${after.join('\n\n')}`)
    cmd.action(async () => done(await execute(cmd, c, cmd.processedArgs as ReadonlyArray<string>, cmd.optsWithGlobals(), env, io)))
  }
  for (const g of groups) {
    // A group of one command is that command (`leadstream import FILE`).
    if (g.single === true) {
      const cmd = program.command(g.name).description(g.summary)
      const [c] = loaded.get(g.name) ?? []
      if (c !== undefined) configure(cmd, c)
      continue
    }
    const group = program.command(g.name).description(g.summary).usage('<command> [arguments] [options]')
    for (const c of loaded.get(g.name) ?? []) configure(group.command(c.name).description(c.summary), c)
  }

  program
    .command('completion')
    .description('print the shell completion script (bash or zsh)')
    .argument('<shell>', shells.join(' or '))
    .usage('<shell>')
    .addHelpText('after', '\nbash: eval "$(leadstream completion bash)" in ~/.bashrc\nzsh:  eval "$(leadstream completion zsh)" in ~/.zshrc')
    .action((shell: string, _opts: unknown, cmd: Program) => {
      if (!(shells as ReadonlyArray<string>).includes(shell)) cmd.error(`<shell>: expected ${shells.join(' or ')}, got ${JSON.stringify(shell)}`)
      io.out(completionScript(program, shell as Shell))
      done(exitCode.ok)
    })
  return program
}

/** Help asked for is a success; any other stop commander makes is a usage error. */
const codeOf = (e: CommanderError): number =>
  e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || (e.code === 'commander.help' && e.exitCode === 0) ? exitCode.ok : exitCode.usage

export const run = async (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv, io: Io): Promise<number> => {
  // The groups named on the line (all of them for a completion script); a flag's value that happens to be a
  // group's name only loads one module more.
  const wanted = argv.includes('completion') ? groups : groups.filter((g) => argv.includes(g.name))
  const loaded = new Map(await Promise.all(wanted.map(async (g) => [g.name, await g.load()] as const)))
  let code: number = exitCode.ok
  const program = programOf(loaded, env, io, (c) => {
    code = c
  })
  try {
    await program.parseAsync([...argv], { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return codeOf(e)
    throw e
  }
  return code
}
