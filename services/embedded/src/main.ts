// `pnpm start`: the whole pipeline in one process on the embedded default (SQLite under ./data).
import { configOrExit, createLogger, engineRules, onShutdown } from '@leadstream/runtime'
import { embeddedSettings } from './config.js'
import { startEmbedded } from './embedded.js'

const config = configOrExit('leadstream (embedded)', 'ingest, projector and query API in one process', embeddedSettings, engineRules)
const logger = createLogger('leadstream', config.logLevel)
const running = await startEmbedded(config, logger)
process.stdout.write(`leadstream is serving at ${running.url}\n`)
onShutdown(logger, () => running.close())
