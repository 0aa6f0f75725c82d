// The route x role matrix, generated from the route table: every route, called by no token, an unknown token and
// each role's token, answers 401 / 403 / not-refused exactly as its entry's role says (operator may do all;
// role null: anyone). A new route gets its row without anyone writing it.
import * as assert from 'uvu/assert'
import { routes, type RouteSpec } from '@leadstream/api'
import { callers, coverageGaps, routeTableSuite, send, type Caller } from '../support/api.js'

/** Harmless values for path parameters: nothing is found, so no call changes anything it should not. */
const placeholders: Readonly<Record<string, string>> = {
  id: '999999999',
  leadId: 'no-such-lead',
  name: 'no-such-projection',
  action: 'pause',
  file: 'no-such-file.js',
}

/** What a caller gets from a route with this role, by the rules of packages/http-edge/src/auth.ts. */
const expected = (role: RouteSpec['role'], caller: Caller): 401 | 403 | 'allowed' =>
  role === null ? 'allowed' : caller === 'none' || caller === 'unknown' ? 401 : caller === role || caller === 'operator' ? 'allowed' : 403

const test = routeTableSuite('route x role')

test('matrix :: every served route answers each caller as its role says', async (ctx) => {
  const { unserved, unlisted } = coverageGaps(ctx.servers.served)
  // A route served off the table would have no row, and a table route no server serves would be skipped: both fail here.
  assert.equal(unlisted, [], 'served but not in the route table, so not in this matrix')
  assert.equal(unserved, [], 'in the route table but served by no server, so its row cannot be checked')
  const rows = routes
  const wrong: string[] = []
  for (const r of rows)
    for (const caller of callers) {
      const a = await send(ctx.servers, r, { caller, params: placeholders })
      const want = expected(r.role, caller)
      const got = a.status === 401 || a.status === 403 ? a.status : 'allowed'
      if (got !== want) wrong.push(`${r.method} ${r.path} (${r.role ?? 'open'}) as ${caller}: ${a.status}, expected ${want}`)
      if (got === 401) assert.ok(r.responses[401] !== undefined, `${r.id} answers 401 but does not document it`)
      if (got === 403) assert.ok(r.responses[403] !== undefined, `${r.id} answers 403 but does not document it`)
    }
  assert.equal(wrong, [])
  process.stdout.write(`  route x role matrix: ${rows.length} routes x ${callers.length} callers = ${rows.length * callers.length} calls\n`)
})

test.run()
