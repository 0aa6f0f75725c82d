// `pnpm start`: the whole pipeline in one process on the embedded default (SQLite under ./data).
import * as E from 'fp-ts/lib/Either.js'
import { createLogger, describeSettings, loadConfig } from '@leadstream/runtime'
import { embeddedSettings } from './config.js'
import { startEmbedded } from './embedded.js'

if (process.argv.includes('--help')) {
  process.stdout.write(`leadstream (embedded): ingest, projector and query API in one process.\n\nSettings (environment variables):\n${describeSettings(embeddedSettings)}\n`)
  process.exit(0)
}

const config = loadConfig(embeddedSettings, process.env)
if (E.isLeft(config)) {
  process.stderr.write(`leadstream: cannot start, fix these settings:\n${config.left.map((l) => `  ${l}`).join('\n')}\n`)
  process.exit(2)
}

const logger = createLogger('leadstream', config.right.logLevel)
const running = await startEmbedded(config.right, logger)
process.stdout.write(`leadstream is serving at ${running.url}\n`)

const shutdown = (signal: string) => {
  logger.info({ signal }, 'shutting down')
  const force = setTimeout(() => process.exit(1), 15000)
  force.unref()
  void running.close().then(() => process.exit(0))
}
process.once('SIGINT', () => shutdown('SIGINT'))
process.once('SIGTERM', () => shutdown('SIGTERM'))
