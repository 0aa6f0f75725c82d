// Serves the analysts' dashboard: `GET /` is the page, `GET /dashboard/{file}` its plain ES modules and CSS
// (no build step) and the charting library, read from the installed chart.js package (never a CDN).
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import type { Response, Router } from 'express'
import { siteRoutes } from '@leadstream/api'
import { mount, sendProblem, type Tokens } from '@leadstream/http-edge'

/**
 * This package's folder, found by its name rather than this file's place: built, this module is bundled into
 * another service's dist/ (the embedded server's), where `import.meta` names the bundle.
 */
const packageJson = createRequire(import.meta.url).resolve('@leadstream/query-api/package.json')
const folder = resolve(dirname(packageJson), 'dashboard')

/** chart.js's UMD build (it defines `window.Chart`), found through the package's own entry point. */
const chartJs = join(dirname(createRequire(packageJson).resolve('chart.js')), 'chart.umd.min.js')

/** Every file the page may load: the folder's own (read once at start) and the library. Nothing else is served. */
const files = (): ReadonlyMap<string, string> =>
  new Map([
    ...readdirSync(folder)
      .filter((f) => /^[a-z][a-z0-9-]*\.(js|css|svg)$/.test(f))
      .map((f) => [f, join(folder, f)] as const),
    ['chart.umd.min.js', chartJs],
  ])

/**
 * The page runs only its own scripts (no inline script, nothing from elsewhere), and talks only to this server.
 * Inline styles stay allowed: Chart.js sizes its canvases with style attributes.
 */
const policy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"

const send = (res: Response, path: string) => {
  res.setHeader('Content-Security-Policy', policy)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  // Revalidated on each load (ETag), so an upgrade is seen at once; the files are small.
  res.setHeader('Cache-Control', 'no-cache')
  // The library sits under node_modules/.pnpm: a dot folder, which sendFile refuses unless told.
  res.sendFile(path, { dotfiles: 'allow' })
}

export const dashboardPage =
  (options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    const known = files()
    mount(router, options.tokens, siteRoutes.dashboard, (_req, res) => send(res, join(folder, 'index.html')))
    mount(router, options.tokens, siteRoutes.dashboardAsset, (req, res) => {
      const name = String(req.params['file'])
      const path = known.get(name)
      if (path === undefined) return sendProblem(res, 404, 'NotFound', [{ path: 'file', reason: `no dashboard file ${name}` }])
      send(res, path)
    })
  }
