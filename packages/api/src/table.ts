// The route table: every route of every service in one list. The OpenAPI document, the conformance test and
// the route x role test walk it, so a route cannot ship without an entry (and the tests covering it).
import { operatorRoutes } from './admin.js'
import { analyticsRoutes } from './analytics.js'
import { inboundRoutes } from './ingest.js'
import { privacyRoutes } from './privacy.js'
import type { RouteSpec, Service } from './route.js'
import { siteRoutes } from './site.js'
import { viewRoutes } from './views.js'
import { webhookRoutes } from './webhooks.js'

export const routes: ReadonlyArray<RouteSpec> = [
  ...Object.values(siteRoutes),
  ...Object.values(inboundRoutes),
  ...Object.values(viewRoutes),
  ...Object.values(analyticsRoutes),
  ...Object.values(operatorRoutes),
  ...Object.values(webhookRoutes),
  ...Object.values(privacyRoutes),
]

/** The routes one kind of process serves; the embedded server (no service named) serves them all. */
export const routesOf = (service?: Service): ReadonlyArray<RouteSpec> => (service === undefined ? routes : routes.filter((r) => r.services.includes(service)))
