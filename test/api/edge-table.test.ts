// The HTTP edge's rules, generated from the route table like the route x role matrix: every path parameter of
// every route refuses broken percent-encoding with a 400 naming it; every path answers the methods it does not
// serve with 405 and the `Allow` its entries give; every route whose query takes `limit` refuses limit=0 the
// same way. A route added to the table is checked without anyone writing its case.
import * as E from 'fp-ts/lib/Either.js'
import * as assert from 'uvu/assert'
import { Problem, routes, type RouteSpec } from '@leadstream/api'
import { fromValidation } from '@leadstream/domain'
import { routeTableSuite, tokenOf, type RouteTableCtx } from '../support/api.js'
import { decodeAs } from '../support/embedded.js'

const test = routeTableSuite('edge rules x route table')

/** Sends as the operator (who may call every route), so what answers is the edge rule, not the role check. */
const call = async (ctx: RouteTableCtx, spec: RouteSpec, method: string, path: string, query = '') => {
  const base = ctx.servers.urlFor(spec)
  if (base === null) throw new Error(`${spec.id} is served by neither server`)
  const res = await fetch(`${base}${path}${query}`, {
    method,
    headers: { authorization: `Bearer ${tokenOf.operator}`, 'content-type': 'application/json' },
    ...(method === 'GET' || method === 'HEAD' ? {} : { body: '{}' }),
  })
  const text = await res.text()
  return { status: res.status, allow: res.headers.get('allow'), text }
}

const paramsOf = (spec: RouteSpec): ReadonlyArray<string> => [...spec.path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]!)
const fill = (spec: RouteSpec, values: (name: string) => string): string => spec.path.replace(/\{([A-Za-z0-9_]+)\}/g, (_m, name: string) => values(name))

test('percent-encoding :: every path parameter of every route: %ff is a 400 naming that parameter', async (ctx) => {
  const wrong: string[] = []
  let checked = 0
  for (const spec of routes)
    for (const param of paramsOf(spec)) {
      const a = await call(
        ctx,
        spec,
        spec.method,
        fill(spec, (name) => (name === param ? '%ff' : 'x1')),
      )
      checked++
      const named = a.status === 400 ? decodeAs(Problem, JSON.parse(a.text)).error.problems[0]?.path : undefined
      if (a.status !== 400 || named !== param) wrong.push(`${spec.method} ${spec.path} {${param}}=%ff: ${a.status} naming ${named ?? '-'}`)
    }
  assert.equal(wrong, [])
  assert.ok(checked >= 12, `only ${checked} path parameters in the table?`)
})

const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const

test('405 :: every path answers each method it does not serve with 405 and the Allow its entries give', async (ctx) => {
  const byPath = new Map<string, RouteSpec[]>()
  for (const r of routes) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r])
  const wrong: string[] = []
  for (const [path, specs] of byPath) {
    const served = specs.map((s) => s.method as string)
    const allow = [...new Set([...served, ...(served.includes('GET') ? ['HEAD'] : [])])].sort().join(', ')
    const concrete = fill(specs[0]!, () => 'x1')
    for (const method of methods.filter((m) => !served.includes(m))) {
      const a = await call(ctx, specs[0]!, method, concrete)
      if (a.status !== 405 || a.allow !== allow) wrong.push(`${method} ${path}: ${a.status}, Allow ${a.allow ?? '-'} (expected 405, Allow ${allow})`)
    }
  }
  assert.equal(wrong, [])
})

/** The routes whose query codec reads `limit`: they refuse 0 at that path. */
const limited = routes.filter((r) => {
  if (r.query === undefined) return false
  const d = r.query.decode({ limit: '0' })
  return E.isLeft(d) && fromValidation(d.left).some((p) => p.path === 'limit')
})

test('limit :: limit=0 is a 400 naming limit and its range on every route that pages, limit=1 is not refused', async (ctx) => {
  assert.ok(limited.length >= 6, `only ${limited.map((r) => r.id).join(', ')} take limit?`)
  const wrong: string[] = []
  for (const spec of limited) {
    const path = fill(spec, () => 'x1')
    const zero = await call(ctx, spec, spec.method, path, '?limit=0')
    const problem = zero.status === 400 ? decodeAs(Problem, JSON.parse(zero.text)).error.problems.find((p) => p.path === 'limit') : undefined
    if (problem === undefined || !/from 1 to \d+/.test(problem.reason)) wrong.push(`${spec.id} limit=0: ${zero.status} ${zero.text.slice(0, 200)}`)
    const one = await call(ctx, spec, spec.method, path, '?limit=1')
    const refused = one.status === 400 && decodeAs(Problem, JSON.parse(one.text)).error.problems.some((p) => p.path === 'limit')
    if (refused) wrong.push(`${spec.id} limit=1 refused`)
  }
  assert.equal(wrong, [])
  process.stdout.write(`  limit=0 checked on ${limited.length} routes: ${limited.map((r) => r.id).join(', ')}\n`)
})

test.run()
