// The analysts' dashboard: one HTML page and its static files (scripts, styles, the charting library). Open to
// anyone: the page holds no data, and asks for an analyst token when the data routes answer 401.
import * as t from 'io-ts'
import { Problem } from './problem.js'
import { route } from './route.js'

const page = { role: null, services: ['query-api'], tags: ['dashboard'] } as const

export const dashboardRoutes = {
  page: route({
    ...page,
    id: 'getDashboard',
    method: 'GET',
    path: '/',
    summary: 'The analysts\' dashboard (HTML): totals, splits, funnel, leads over time, top lists, the leads, export',
    responses: { 200: { description: 'the page', media: 'text/html' } },
  }),
  asset: route({
    ...page,
    id: 'getDashboardFile',
    method: 'GET',
    path: '/dashboard/{file}',
    summary: 'A static file of the dashboard (ES module, stylesheet, the charting library), served from the installed packages',
    params: t.type({ file: t.string }),
    responses: {
      200: { description: 'the file', media: 'text/javascript, text/css' },
      404: { description: 'no such file', json: Problem },
    },
  }),
} as const
