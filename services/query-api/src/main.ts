// The query API as its own process: views → HTTP, plus operators' read-only admin routes.
import { openDeadLetters } from '@leadstream/dead-letters'
import { httpApp, listen } from '@leadstream/http-edge'
import {
  commonSettings,
  configOrExit,
  deadLetterSettings,
  createLogger,
  createMetrics,
  engineRules,
  httpSettings,
  onShutdown,
  tokenSettings,
  viewStoreSettings,
} from '@leadstream/runtime'
import { liveViews, openViewStore } from '@leadstream/view-store'
import { leadsProjection } from '@leadstream/domain'
import { adminRoutes } from './admin.js'
import { dashboardPage } from './dashboard.js'
import { exportRoutes } from './exports.js'
import { queryRoutes } from './routes.js'
import { querySettings } from './settings.js'

const config = configOrExit(
  'leadstream-query-api',
  'serves the views over HTTP',
  { ...commonSettings, ...httpSettings(8080), ...tokenSettings, ...viewStoreSettings, ...deadLetterSettings, ...querySettings },
  engineRules,
)
const logger = createLogger('query-api', config.logLevel)
const metrics = createMetrics()
const base = await openViewStore(config, 1, logger)
const views = liveViews({ projection: leadsProjection.name, base, openViews: (g) => openViewStore(config, g) })
const deadLetters = await openDeadLetters(config)
const tokens = { ingest: config.ingestTokens, analyst: config.analystTokens, operator: config.operatorTokens }

const app = httpApp(
  [
    queryRoutes({ views }, { tokens, defaultWaitMs: config.readWaitMs }),
    exportRoutes({ views }, { tokens, defaultWaitMs: config.readWaitMs }),
    dashboardPage({ tokens }),
    adminRoutes({ deadLetters }, { tokens }),
  ],
  { metrics, logger, service: 'query-api', health: async () => ({ ok: true, generation: await views.generation(), position: await views.position() }) },
)
const server = await listen(app, { host: config.host, port: config.port, tokens, logger, timeouts: config })
process.stdout.write(`query-api is serving at ${server.url}\n`)

onShutdown(logger, async () => {
  await server.close()
  await views.close()
  await Promise.all([base.close(), deadLetters.close()])
})
