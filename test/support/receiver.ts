// A webhook receiver on loopback for the delivery tests: a real HTTP server that verifies every request with the
// `standardwebhooks` package, records what came (verified or not), and answers as the test's `behaviour` says:
// 2xx, an error status (with Retry-After), no answer at all (the sender's timeout), or not listening (down).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'

export interface Receipt {
  readonly id: string
  readonly timestamp: string
  readonly body: string
  readonly verified: boolean
  /** The status answered (null: no answer, left to time out). */
  readonly answered: number | null
  readonly at: number
  readonly path: string
}

/** What to answer: a status (with an optional Retry-After), or `hang` (never answer). */
export type Answer = { readonly status: number; readonly retryAfter?: string } | 'hang'

export interface Receiver {
  readonly url: string
  readonly receipts: Receipt[]
  /** The secrets to verify with, by URL path (`/a` → its subscription's secret). */
  readonly secrets: Map<string, string>
  behaviour: (r: { readonly id: string; readonly path: string; readonly body: string }) => Answer
  /** Stops listening (connections refused) until `up`. */
  down(): Promise<void>
  up(): Promise<void>
  close(): Promise<void>
}

export const startReceiver = async (): Promise<Receiver> => {
  const hanging = new Set<ServerResponse>()
  let port = 0
  let server: Server
  const r: Receiver = {
    url: '',
    receipts: [],
    secrets: new Map(),
    behaviour: () => ({ status: 204 }),
    down: async () => {
      for (const res of hanging) res.destroy()
      hanging.clear()
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
    },
    up: () => listen(),
    close: () => r.down(),
  }
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const path = req.url ?? '/'
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      }
      const secret = r.secrets.get(path)
      let verified = false
      try {
        if (secret !== undefined) {
          new Webhook(secret).verify(body, headers)
          verified = true
        }
      } catch {
        verified = false
      }
      const answer = r.behaviour({ id: headers['webhook-id'], path, body })
      r.receipts.push({
        id: headers['webhook-id'],
        timestamp: headers['webhook-timestamp'],
        body,
        verified,
        answered: answer === 'hang' ? null : answer.status,
        at: Date.now(),
        path,
      })
      if (answer === 'hang') return void hanging.add(res)
      res.writeHead(answer.status, answer.retryAfter === undefined ? {} : { 'retry-after': answer.retryAfter }).end()
    })
  }
  const listen = () =>
    new Promise<void>((done) => {
      server = createServer(handle)
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port
        ;(r as { url: string }).url = `http://127.0.0.1:${port}`
        done()
      })
    })
  await listen()
  return r
}
