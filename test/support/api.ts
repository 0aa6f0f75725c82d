// The API tests' servers and callers: the embedded server with one token per role, and the relay's routes on a
// loopback server over the same SQLite event store (the embedded mode runs no relay). Requests are built
// from route-table entries, so a test names a route by its entry, never by a hand-written path.
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { expressPath, routes, type Role, type RouteSpec } from '@leadstream/api'
import { openEventStore } from '@leadstream/event-store'
import { httpApp, listen, servedRoutes, type Served, type Tokens } from '@leadstream/http-edge'
import { relay, relayRoutes } from '@leadstream/relay'
import { createLogger, createMetrics, defaultHttpTimeouts, sqliteCheckpoints } from '@leadstream/runtime'
import { suite } from 'uvu'
import { startTestServer, type TestServer } from './embedded.js'

// ---------------------------------------------------------------------------------------------------------
// callers
// ---------------------------------------------------------------------------------------------------------

export const tokenOf: Readonly<Record<Role, string>> = { ingest: 'api-test-ingest', analyst: 'api-test-analyst', operator: 'api-test-operator' }

/** No token, a token nobody configured, or one role's token. */
export type Caller = 'none' | 'unknown' | Role
export const callers: ReadonlyArray<Caller> = ['none', 'unknown', 'ingest', 'analyst', 'operator']

const authorization = (caller: Caller): Record<string, string> =>
  caller === 'none' ? {} : { authorization: `Bearer ${caller === 'unknown' ? 'api-test-nobody' : tokenOf[caller]}` }

export const tokenEnv: Readonly<Record<string, string>> = {
  LEADSTREAM_INGEST_TOKENS: tokenOf.ingest,
  LEADSTREAM_ANALYST_TOKENS: tokenOf.analyst,
  LEADSTREAM_OPERATOR_TOKENS: tokenOf.operator,
}

// ---------------------------------------------------------------------------------------------------------
// servers
// ---------------------------------------------------------------------------------------------------------

export interface ApiServers {
  readonly server: TestServer
  /** Every route either server registered (the relay's site routes are the embedded server's too). */
  readonly served: ReadonlyArray<Served>
  /** The base URL of the server that serves this route, or null when neither does. */
  urlFor(spec: RouteSpec): string | null
  /** Stops the relay's server; the embedded server is the caller's to dispose (it may restart it). */
  close(): Promise<void>
}

const serves = (served: ReadonlyArray<Served>, spec: RouteSpec): boolean => served.some((s) => s.method === spec.method && s.path === expressPath(spec.path))

/**
 * The relay's routes over the embedded server's event store. The relay is never started, so its Kafka producer
 * never connects: status and reseed read and flag the store's positions only (no broker needed).
 */
const relayServer = async (dataDir: string, tokens: Tokens) => {
  const logger = createLogger('api-test-relay', 'silent')
  const metrics = createMetrics()
  const store = await openEventStore({ eventStore: 'sqlite', eventStoreUrl: '', dataDir })
  const checkpoints = sqliteCheckpoints(join(dataDir, 'relay.db'))
  const producer = new Kafka({ clientId: 'api-test', brokers: ['127.0.0.1:9'], logLevel: logLevel.NOTHING }).producer()
  const r = relay({ store, producer, checkpoints, logger, metrics }, { topic: 'api-test-unused', batch: 100 })
  const app = httpApp([relayRoutes(r, { tokens })], { metrics, logger, service: 'relay', health: async () => ({ ok: true, relay: await r.status() }) })
  const server = await listen(app, { host: '127.0.0.1', port: 0, tokens, logger, timeouts: defaultHttpTimeouts })
  return {
    url: server.url,
    served: servedRoutes(app),
    close: async () => {
      await server.close()
      checkpoints.close()
      await store.close()
    },
  }
}

export const startApiServers = async (server: TestServer): Promise<ApiServers> => {
  const tokens: Tokens = { ingest: [tokenOf.ingest], analyst: [tokenOf.analyst], operator: [tokenOf.operator] }
  const relaying = await relayServer(server.dataDir, tokens)
  return {
    server,
    served: [...server.served, ...relaying.served.filter((s) => !server.served.some((e) => e.method === s.method && e.path === s.path))],
    urlFor: (spec) => (serves(server.served, spec) ? server.url : serves(relaying.served, spec) ? relaying.url : null),
    close: relaying.close,
  }
}

/** What a route-table suite's cases get: the embedded server with a token per role, and the servers of every route. */
export interface RouteTableCtx {
  server: TestServer
  servers: ApiServers
}

/** A suite whose cases call the route table's entries; the servers start before its first case and stop after. */
export const routeTableSuite = (name: string) => {
  const test = suite<RouteTableCtx>(name, {} as RouteTableCtx)
  test.before(async (ctx) => {
    ctx.server = await startTestServer(tokenEnv)
    ctx.servers = await startApiServers(ctx.server)
  })
  test.after(async (ctx) => {
    await ctx.servers?.close()
    await ctx.server?.dispose()
  })
  return test
}

/** Routes in the table that no server registers yet, and registered routes that have no entry in the table. */
export const coverageGaps = (served: ReadonlyArray<Served>) => ({
  unserved: routes.filter((r) => !serves(served, r)).map((r) => r.id),
  unlisted: served.filter((s) => !routes.some((r) => r.method === s.method && expressPath(r.path) === s.path)).map((s) => `${s.method} ${s.path}`),
})

// ---------------------------------------------------------------------------------------------------------
// requests
// ---------------------------------------------------------------------------------------------------------

export interface Call {
  readonly caller: Caller
  readonly params?: Readonly<Record<string, string>>
  readonly query?: Readonly<Record<string, string>>
  /** Sent as JSON unless a string (sent as is). */
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
}

export interface RawAnswer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
}

/** Fills `{name}` in the entry's path; a name without a value is an error in the test. */
export const pathOf = (spec: RouteSpec, params: Readonly<Record<string, string>> = {}): string =>
  spec.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => {
    const v = params[name]
    if (v === undefined) throw new Error(`${spec.id}: no value for the path parameter ${name}`)
    return encodeURIComponent(v)
  })

export const send = async (servers: ApiServers, spec: RouteSpec, call: Call): Promise<RawAnswer> => {
  const base = servers.urlFor(spec)
  if (base === null) throw new Error(`${spec.id} (${spec.method} ${spec.path}) is served by neither server`)
  const query = new URLSearchParams(call.query ?? {}).toString()
  const res = await fetch(`${base}${pathOf(spec, call.params)}${query === '' ? '' : `?${query}`}`, {
    method: spec.method,
    headers: { ...(call.body === undefined ? {} : { 'content-type': 'application/json' }), ...authorization(call.caller), ...call.headers },
    ...(call.body === undefined ? {} : { body: typeof call.body === 'string' ? call.body : JSON.stringify(call.body) }),
  })
  return { status: res.status, headers: res.headers, text: await res.text() }
}
