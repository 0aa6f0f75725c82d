// Which service answers which admin route and where it is: the base URLs the CLI calls, read from the flags and
// environment. Kept free of heavy imports: `leadstream --help` loads it and must answer at once.

/** Embedded mode: one server answers everything. Distributed: each route group lives on its own service. */
export type Service = 'query' | 'ingest' | 'projector' | 'relay' | 'webhooks'

export interface ServiceInfo {
  readonly name: string
  readonly flag: string
  readonly env: string
}

export const services: Readonly<Record<Service, ServiceInfo>> = {
  query: { name: 'the server', flag: '--url', env: 'LEADSTREAM_URL' },
  ingest: { name: 'ingest', flag: '--ingest-url', env: 'LEADSTREAM_INGEST_URL' },
  projector: { name: 'the projector', flag: '--projector-url', env: 'LEADSTREAM_PROJECTOR_URL' },
  relay: { name: 'the relay', flag: '--relay-url', env: 'LEADSTREAM_RELAY_URL' },
  webhooks: { name: 'the webhook dispatcher', flag: '--webhooks-url', env: 'LEADSTREAM_WEBHOOKS_URL' },
}

export interface Endpoint {
  /** Base URL without a trailing slash. */
  readonly url: string
  /** True when no per-service URL was given and `--url` stands in for the service. */
  readonly fallback: boolean
}

export type Endpoints = Readonly<Record<Service, Endpoint>>

export const DEFAULT_URL = 'http://127.0.0.1:8080'

/** The base URL, or the reason it is not one (named after the flag or variable it came from). */
export const baseUrl = (raw: string, from: string): { readonly ok: true; readonly url: string } | { readonly ok: false; readonly reason: string } => {
  let u: URL
  try {
    u = new URL(raw)
  } catch {
    return { ok: false, reason: `${from}: not a URL: ${JSON.stringify(raw)}` }
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return { ok: false, reason: `${from}: expected an http(s) URL, got ${JSON.stringify(raw)}` }
  return { ok: true, url: u.href.replace(/\/+$/, '') }
}

type Flags = Readonly<Record<string, unknown>>

const nonEmpty = (s: unknown): string | undefined => (typeof s === 'string' && s.trim() !== '' ? s.trim() : undefined)

/** commander's key for a flag: `--ingest-url` → `ingestUrl`. */
const keyOf = (flag: string): string => flag.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase())

/** Each service's URL: its flag, its variable, else --url / LEADSTREAM_URL (the embedded server answers all). */
export const endpointsOf = (
  flags: Flags,
  env: NodeJS.ProcessEnv,
): { readonly ok: true; readonly endpoints: Endpoints } | { readonly ok: false; readonly reason: string } => {
  const one = (
    service: Service,
    fallback: string | null,
  ): { readonly ok: true; readonly url: string; readonly given: boolean } | { readonly ok: false; readonly reason: string } => {
    const { flag, env: variable } = services[service]
    const fromFlag = nonEmpty(flags[keyOf(flag)])
    const raw = fromFlag ?? nonEmpty(env[variable])
    if (raw === undefined) return { ok: true, url: fallback ?? DEFAULT_URL, given: false }
    const u = baseUrl(raw, fromFlag === undefined ? variable : flag)
    return u.ok ? { ...u, given: true } : u
  }
  const query = one('query', null)
  if (!query.ok) return query
  const endpoints: Partial<Record<Service, Endpoint>> = { query: { url: query.url, fallback: false } }
  for (const s of ['ingest', 'projector', 'relay', 'webhooks'] as const) {
    const e = one(s, query.url)
    if (!e.ok) return e
    endpoints[s] = { url: e.url, fallback: !e.given }
  }
  return { ok: true, endpoints: endpoints as Endpoints }
}

/** The operator token: --token, else LEADSTREAM_TOKEN, else none. */
export const tokenOf = (flags: Flags, env: NodeJS.ProcessEnv): string | null => nonEmpty(flags['token']) ?? nonEmpty(env['LEADSTREAM_TOKEN']) ?? null
