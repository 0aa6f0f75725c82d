// Composition root of the embedded mode: SQLite stores, in-process projector, one HTTP server for everything.
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { sqliteDeadLetters } from '@leadstream/dead-letters'
import { withSources } from '@leadstream/domain'
import { embeddedEventLog } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen, sqliteIdempotencyKeys, type Tokens } from '@leadstream/http-edge'
import { ingestRoutes } from '@leadstream/ingest'
import { projector } from '@leadstream/projector'
import { adminRoutes, queryRoutes } from '@leadstream/query-api'
import { createLogger, createMetrics, type Logger } from '@leadstream/runtime'
import { openViewStore } from '@leadstream/view-store'
import type { EmbeddedConfig } from './config.js'

export interface Running {
  readonly url: string
  /** Stops accepting requests, lets in-flight ones finish, stops the projector after its batch, closes the files. */
  close(): Promise<void>
}

/** The clock is a port: tests that compare two runs pass a deterministic one. */
export const startEmbedded = async (
  config: EmbeddedConfig,
  logger: Logger = createLogger('leadstream', config.logLevel),
  now: () => Date = () => new Date(),
): Promise<Running> => {
  const metrics = createMetrics()
  const store = await openEventStore(config, { now })
  const views = await openViewStore(config)
  const deadLetters = sqliteDeadLetters({ path: join(config.dataDir, 'dead-letters.db') })
  const idempotencyKeys = sqliteIdempotencyKeys({ path: join(config.dataDir, 'idempotency.db') })
  const tokens: Tokens = { ingest: config.ingestTokens, analyst: config.analystTokens, operator: config.operatorTokens }

  const proj = projector({ log: embeddedEventLog(store), views, metrics, logger }, { maxBatch: config.projectorBatch })
  proj.start()

  const ingestPorts = { store, deadLetters, sources: withSources(config.leadSources), now, newId: randomUUID, metrics, logger }
  const app = httpApp(
    [
      ingestRoutes(ingestPorts, { tokens, idempotencyKeys, bodyLimitBytes: config.bodyLimitBytes, maxBatch: config.maxBatch }),
      queryRoutes({ views }, { tokens, defaultWaitMs: config.readWaitMs }),
      adminRoutes({ deadLetters, projections: async () => [await proj.status()] }, { tokens }),
    ],
    {
      metrics,
      logger,
      health: async () => {
        const s = await proj.status()
        return { ok: s.state !== 'failed', projector: s }
      },
    },
  )

  const server = await listen(app, { host: config.host, port: config.port, tokens, logger })
  const url = server.url
  logger.info({ url, dataDir: config.dataDir }, 'leadstream is serving')

  let closing: Promise<void> | null = null
  return {
    url,
    close: () =>
      (closing ??= (async () => {
        await server.close()
        await proj.stop()
        await Promise.all([store.close(), views.close(), deadLetters.close(), idempotencyKeys.close()])
        logger.info('leadstream stopped')
      })()),
  }
}
