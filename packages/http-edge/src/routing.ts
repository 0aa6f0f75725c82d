// What the express router knows about its own routes, read back from it: the methods a path allows (for 405
// and `Allow`) and which path parameter a request could not decode (for a 400 naming it). Derived from the
// router's stack, so it stays true as routes are added.
import type { Router } from 'express'

interface RouteLayer {
  readonly route?: { readonly path: unknown; readonly methods: Readonly<Record<string, boolean>> }
}

interface Known {
  readonly pattern: string
  readonly methods: ReadonlyArray<string>
}

/** The routes of a router with a plain pattern (`/v1/leads/:id`); other pattern syntaxes are not read. */
const knownRoutes = (router: Router): ReadonlyArray<Known> =>
  (router.stack as ReadonlyArray<RouteLayer>).flatMap((layer) => {
    const r = layer.route
    if (r === undefined || typeof r.path !== 'string') return []
    const methods = Object.keys(r.methods)
      .filter((m) => m !== '_all')
      .map((m) => m.toUpperCase())
    return [{ pattern: r.path, methods: methods.includes('GET') && !methods.includes('HEAD') ? [...methods, 'HEAD'] : methods }]
  })

/** The raw (still percent-encoded) parameters of `path` under `pattern`, or null when it does not match. */
const rawParams = (pattern: string, path: string): Record<string, string> | null => {
  const want = pattern.split('/')
  const got = path.replace(/(.)\/$/, '$1').split('/')
  if (want.length !== got.length) return null
  const params: Record<string, string> = {}
  for (const [i, w] of want.entries()) {
    const g = got[i]!
    if (w.startsWith(':')) {
      if (g === '') return null
      params[w.slice(1)] = g
    } else if (w.toLowerCase() !== g.toLowerCase()) return null
  }
  return params
}

const decodes = (s: string): boolean => {
  try {
    decodeURIComponent(s)
    return true
  } catch {
    return false
  }
}

/** The methods some route allows on `path` (empty: no route has this path). */
export const allowedMethods = (routers: ReadonlyArray<Router>, path: string): ReadonlyArray<string> => {
  const out = new Set<string>()
  for (const r of routers.flatMap(knownRoutes)) if (rawParams(r.pattern, path) !== null) for (const m of r.methods) out.add(m)
  return [...out].sort()
}

/** The name of the first path parameter of `path` that is not valid percent-encoding, if a route names it. */
export const undecodableParam = (routers: ReadonlyArray<Router>, path: string): string | null => {
  for (const r of routers.flatMap(knownRoutes)) {
    const params = rawParams(r.pattern, path)
    const bad = params === null ? undefined : Object.entries(params).find(([, v]) => !decodes(v))
    if (bad !== undefined) return bad[0]
  }
  return null
}
