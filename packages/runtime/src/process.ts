// The start-up and shutdown shape every service's main shares: decode settings or exit 2 naming them; a
// storage fault stops the process with its message and exit code (storage.ts); on SIGINT/SIGTERM drain and
// close, exit 0; a second signal or a stuck drain exits 1.
import * as E from 'fp-ts/lib/Either.js'
import { describeSettings, loadConfig, type ConfigOf, type Setting } from './config.js'
import type { Logger } from './log.js'
import { describeFault, exitCodeOf, exitCodes, isStorageFault, StartupFault } from './storage.js'

/**
 * A storage fault thrown while a main starts (its top-level await) reaches here: one message naming the
 * file, the setting and what to do, and the fault's exit code. Anything else keeps Node's default: the
 * stack on stderr and exit 1.
 */
export const exitOnStorageFault = (name: string): void => {
  process.on('uncaughtException', (e) => {
    if (isStorageFault(e)) {
      process.stderr.write(`${name}: cannot run: ${describeFault(e.fault)}\n`)
      process.exit(exitCodeOf(e.fault))
    }
    if (e instanceof StartupFault) {
      process.stderr.write(`${name}: cannot run: ${e.message}\n`)
      process.exit(e.exitCode)
    }
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  })
}

export const configOrExit = <S extends Record<string, Setting<unknown>>>(
  name: string,
  summary: string,
  settings: S,
  rules: (config: ConfigOf<S>) => ReadonlyArray<string> = () => [],
): ConfigOf<S> => {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${name}: ${summary}\n\nSettings (environment variables):\n${describeSettings(settings)}\n`)
    process.exit(0)
  }
  const config = loadConfig(settings, process.env)
  const problems = E.isLeft(config) ? config.left : rules(config.right)
  if (E.isLeft(config) || problems.length > 0) {
    process.stderr.write(`${name}: cannot start, fix these settings:\n${problems.map((l) => `  ${l}`).join('\n')}\n`)
    process.exit(exitCodes.badSettings)
  }
  exitOnStorageFault(name)
  return config.right
}

export const onShutdown = (logger: Logger, close: () => Promise<void>, graceMs = 15000): void => {
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) process.exit(1)
    stopping = true
    logger.info({ signal }, 'shutting down: draining in-flight work')
    setTimeout(() => {
      logger.error('shutdown took too long; exiting')
      process.exit(1)
    }, graceMs).unref()
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed')
        process.exit(1)
      },
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}
