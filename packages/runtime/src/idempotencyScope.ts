// The Idempotency-Key of the request being handled, carried to the event store without threading it through
// every call: the store that can (SQLite) records it in the same transaction as the request's append.
import { AsyncLocalStorage } from 'node:async_hooks'

export interface IdempotencyClaim {
  readonly key: string
  /** A digest of the request (method, path, body): the same key on another request is refused. */
  readonly fingerprint: string
}

export const idempotencyScope = new AsyncLocalStorage<IdempotencyClaim>()
