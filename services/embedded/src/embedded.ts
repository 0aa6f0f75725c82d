// Composition root of the embedded mode: SQLite stores, in-process projector, one HTTP server for everything.
import { randomUUID } from 'node:crypto'
import { openDeadLetters, openParkedEvents } from '@leadstream/dead-letters'
import { leadsProjection, withSources } from '@leadstream/domain'
import { embeddedEventLog } from '@leadstream/event-log'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen, openIdempotencyKeys, servedRoutes, type Served, type Tokens } from '@leadstream/http-edge'
import { eventRoutes, ingestRoutes, parkingSweeper, privacyHttpRoutes, privacyPorts, resumePending, retentionLoop, sweep } from '@leadstream/ingest'
import { projectionRoutes, supervisor, supervisorInWorker } from '@leadstream/projector'
import { openErasureAudit, openPersonalData, subjectsInText, type PersonalData } from '@leadstream/privacy'
import { adminRoutes, dashboardPage, exportRoutes, queryRoutes } from '@leadstream/query-api'
import { createLogger, createMetrics, type Logger } from '@leadstream/runtime'
import { dropViewStore, liveViews, openViewStore } from '@leadstream/view-store'
import { startWebhooks, webhooksInWorker } from '@leadstream/webhooks'
import type { EmbeddedConfig } from './config.js'

export interface Running {
  readonly url: string
  /** The routes the server registered (the API tests compare them with the route table). */
  readonly served: ReadonlyArray<Served>
  /** Stops accepting requests, lets in-flight ones finish, stops the projector after its batch, closes the files. */
  close(): Promise<void>
}

/**
 * The clock is a port: tests that compare two runs pass a deterministic one. So is personal data: the benchmark
 * passes one that seals nothing, to measure what sealing costs (with LEADSTREAM_PROJECTOR_THREAD=inline; the
 * worker thread always opens its own). Nothing else should: without it the settings' key store is used.
 */
export const startEmbedded = async (
  config: EmbeddedConfig,
  logger: Logger = createLogger('leadstream', config.logLevel),
  now: () => Date = () => new Date(),
  ports: { readonly personal?: (config: EmbeddedConfig, logger: Logger) => Promise<PersonalData> } = {},
): Promise<Running> => {
  const metrics = createMetrics()
  const store = await openEventStore(config, { now })
  // Before anything is appended: a master key that does not open the key store stops the process here.
  const personal = await (ports.personal ?? openPersonalData)(config, logger)
  const base = await openViewStore(config, 1, logger)
  // Each dead letter records the subjects its payload names (keyed HMACs), so an erasure can purge it.
  const deadLetters = await openDeadLetters(config, subjectsInText(personal.secret))
  const audit = await openErasureAudit(config)
  const parked = await openParkedEvents(config)
  const idempotencyKeys = await openIdempotencyKeys(config, store)
  const tokens: Tokens = { ingest: config.ingestTokens, analyst: config.analystTokens, operator: config.operatorTokens }

  const leads =
    config.projectorThread === 'worker'
      ? await supervisorInWorker({ ...config, projection: leadsProjection.name, codeVersion: leadsProjection.version }, metrics)
      : supervisor(
          {
            base,
            openViews: (g) => openViewStore(config, g),
            dropViews: (g, s) => dropViewStore(config, g, s),
            openLog: async () => personal.opening(embeddedEventLog(store)),
            metrics,
            logger,
            deadLetters,
          },
          {
            projection: leadsProjection.name,
            codeVersion: leadsProjection.version,
            maxBatch: config.projectorBatch,
            buildBatch: config.rebuildBatch,
            onPoison: config.onPoison,
          },
        )
  await leads.start()
  const views = liveViews({ projection: leadsProjection.name, base, openViews: (g) => openViewStore(config, g) })

  // The dispatcher keeps time by the wall clock (retry times, last success), not by `now`: a test's stepping clock
  // must advance only with what the test does, and the dispatcher's readings depend on how its batches fall.
  // In a worker thread by default: routing and signed POSTs take a fifth or more of a core during heavy ingest.
  const webhooks =
    config.webhooks === 'off'
      ? null
      : config.webhookThread === 'worker'
        ? await webhooksInWorker(config, { keys: personal.keys, registry: metrics.registry, logger })
        : await startWebhooks(config, { log: embeddedEventLog(store, { idleWaitMs: 250 }), keys: personal.keys, registry: metrics.registry, logger })

  const privacy = privacyPorts({
    store,
    personal,
    deadLetters,
    parked,
    answers: idempotencyKeys,
    audit,
    views,
    dataDir: config.dataDir,
    inbound: null,
    viewsWaitMs: config.erasureViewsWaitMs,
    now,
    newId: randomUUID,
    metrics,
    logger,
  })
  // Erasures a crash cut short are finished before anything is served.
  await resumePending(privacy)
  const retention = config.retentionDays === 0 ? null : { days: config.retentionDays, everyMs: config.retentionEveryMinutes * 60_000 }
  const retentionTimer = retention === null ? null : retentionLoop(privacy, retention)

  // Ingest seals each batch before appending (seal), and any other append of it goes through the sealing store:
  // the event store holds personal data as ciphertext only.
  const ingestPorts = {
    store: personal.sealing(store),
    seal: personal.seal,
    deadLetters,
    parked,
    parkForMs: config.parkForSeconds * 1000,
    sources: withSources(config.leadSources),
    identity: personal.identity,
    now,
    newId: randomUUID,
    metrics,
    logger,
  }
  const sweeper = parkingSweeper(ingestPorts, config.parkSweepMs)
  const app = httpApp(
    [
      ingestRoutes(ingestPorts, {
        tokens,
        idempotencyKeys,
        bodyLimitBytes: config.bodyLimitBytes,
        maxBatch: config.maxBatch,
        marketplaceSecrets: config.marketplaceSecrets,
      }),
      queryRoutes({ views }, { tokens, defaultWaitMs: config.readWaitMs, now }),
      exportRoutes({ views, now }, { tokens, defaultWaitMs: config.readWaitMs }),
      dashboardPage({ tokens }),
      adminRoutes({ deadLetters }, { tokens }),
      eventRoutes(store, { tokens, unseal: privacy.unseal }),
      projectionRoutes(new Map([[leadsProjection.name, leads]]), { tokens }),
      ...(webhooks === null ? [] : [webhooks.routes(tokens)]),
      privacyHttpRoutes(privacy, {
        tokens,
        bodyLimitBytes: config.bodyLimitBytes,
        retentionDays: retention?.days ?? null,
        sweepNow: retention === null ? null : () => sweep(privacy, retention, now()),
      }),
    ],
    {
      metrics,
      logger,
      health: async () => {
        const s = await leads.status()
        const w = webhooks === null ? null : await webhooks.dispatcher.status()
        return {
          ok: s.failure === undefined && !s.generations.some((g) => g.state === 'failed') && w?.state !== 'failed',
          projections: [s],
          ...(w === null ? {} : { webhooks: w }),
        }
      },
    },
  )

  const server = await listen(app, { host: config.host, port: config.port, tokens, logger, timeouts: config })
  const url = server.url
  logger.info({ url, dataDir: config.dataDir }, 'leadstream is serving')

  let closing: Promise<void> | null = null
  return {
    url,
    served: servedRoutes(app),
    close: () =>
      (closing ??= (async () => {
        await server.close()
        await retentionTimer?.stop()
        await sweeper.stop()
        await leads.stop()
        await webhooks?.close()
        await views.close()
        await Promise.all([store.close(), base.close(), deadLetters.close(), parked.close(), idempotencyKeys.close(), audit.close(), personal.close()])
        logger.info('leadstream stopped')
      })()),
  }
}
