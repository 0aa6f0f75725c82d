// Listening and stopping, the same way in every service: loopback-only without tokens, graceful close.
import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Express } from 'express'
import type { HttpTimeouts, Logger } from '@leadstream/runtime'
import { tokensConfigured, type Tokens } from './auth.js'

export interface Listening {
  readonly url: string
  /** Stops accepting connections and waits for in-flight requests to finish. */
  close(): Promise<void>
}

/**
 * `open: true` is for a server with no protected routes (only health and metrics, like the relay's): it
 * listens where it is told. Every other server is held to loopback while no tokens are configured.
 */
export const listen = async (
  app: Express,
  options: { host: string; port: number; tokens: Tokens; logger: Logger; open?: boolean; timeouts: HttpTimeouts },
): Promise<Listening> => {
  const secured = options.open === true || tokensConfigured(options.tokens)
  const host = secured ? options.host : '127.0.0.1'
  if (!secured)
    options.logger.warn(
      { host, requested: options.host },
      'no tokens configured (LEADSTREAM_*_TOKENS): every caller is trusted, so the server listens on 127.0.0.1 only',
    )
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = options.timeouts
  // Node checks the header and request deadlines every `connectionsCheckingInterval` (30 s by default): check
  // often enough that a deadline means what it says. Node refuses headersTimeout > requestTimeout.
  const server = createServer(
    {
      headersTimeout: Math.min(headersTimeoutMs, requestTimeoutMs),
      requestTimeout: requestTimeoutMs,
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeoutMs / 2)),
    },
    app,
  )
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, host, () => resolve())
  })
  // `server.close()` waits for every open connection, and a keep-alive one that a client keeps busy never
  // goes idle: once closing, every answer (in flight or new) says `Connection: close`, so each connection ends.
  let closing = false
  const inFlight = new Set<ServerResponse>()
  server.prependListener('request', (_req, res: ServerResponse) => {
    if (closing) return void res.setHeader('Connection', 'close')
    inFlight.add(res)
    res.once('close', () => inFlight.delete(res))
  })
  const url = `http://${host}:${(server.address() as AddressInfo).port}`
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true
        for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close')
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}
