// The route table's shape: one record per HTTP route, naming its codecs. The services register handlers for
// these records, the OpenAPI document is generated from them, and the route x role test walks them.
import type * as t from 'io-ts'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** Who may call a route once tokens are configured; null: anyone (health, metrics, docs). */
export type Role = 'ingest' | 'analyst' | 'operator'

/** The processes that serve a route (the embedded server serves every route of every service). */
export type Service = 'ingest' | 'query-api' | 'projector' | 'relay' | 'webhooks'

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A response: a JSON body described by a codec, or another media type described in words. */
export interface ResponseSpec {
  readonly description: string
  /** The JSON body's codec (encoded side is what goes on the wire). */
  readonly json?: t.Mixed
  /** A non-JSON body: `text/csv`, `application/x-ndjson`, `text/html`, `text/event-stream`, `text/plain`. */
  readonly media?: string
  /** Response headers worth documenting (name → description). */
  readonly headers?: Readonly<Record<string, string>>
}

export interface RouteSpec {
  /** OpenAPI operationId: unique, camelCase. */
  readonly id: string
  readonly method: Method
  /** OpenAPI path template: `/v1/leads/{id}`. `expressPath` turns it into `/v1/leads/:id`. */
  readonly path: string
  readonly role: Role | null
  readonly services: ReadonlyArray<Service>
  readonly summary: string
  readonly description?: string
  readonly tags: ReadonlyArray<string>
  /** Path parameters: an io-ts `type` whose props are the template's names. */
  readonly params?: t.Mixed
  /** Query parameters: an io-ts `partial`/`type`/`intersection` of string-decoding codecs. */
  readonly query?: t.Mixed
  /** The JSON request body. */
  readonly body?: t.Mixed
  /** Request headers worth documenting (name → description), e.g. `Idempotency-Key`. */
  readonly requestHeaders?: Readonly<Record<string, string>>
  readonly responses: Readonly<Record<number, ResponseSpec>>
}

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

export const route = (spec: RouteSpec): RouteSpec => spec

/** `/v1/leads/{id}` → `/v1/leads/:id` (express 5 path syntax). */
export const expressPath = (path: string): string => path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1')
