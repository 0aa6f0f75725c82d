// Retention in the embedded mode, driven by an injected clock (no waiting): a subject is erased once none of their
// leads has had an event for N days (by the time leadstream recorded it); a subject with one active lead keeps all
// of theirs; imported history with old dates is not erased at the first sweep; the status reports the run.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LeadAnswer, LeadPage, privacyRoutes, PrivacyStatus, RetentionRunView } from '@leadstream/api'
import { findInFiles } from '../support/bytes.js'
import { decodeAs, getJson, http, startTestServer, type TestServer } from '../support/embedded.js'

const person = (name: string) => ({
  firstName: name,
  lastName: `${name}-Retainson`,
  email: `${name.toLowerCase()}@retention-test.example`,
  phone: '+1 555 0199',
})
const native = (leadId: string, who: ReturnType<typeof person>, occurredAt: string) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `ev-${leadId}`,
  leadId,
  occurredAt,
  data: { storefront: 'AzureMarketplace', action: 'INS', offer: { id: `o.${leadId}`, title: leadId }, customer: { ...who, country: 'US' } },
})

const [amy, ben, cat, dan] = [person('Amyrelda'), person('Benvolio'), person('Catrionax'), person('Danforthia')]
let clock = Date.parse('2026-11-25T12:00:00Z')

interface Ctx {
  server: TestServer
}
const test = suite<Ctx>('retention (embedded)', {} as Ctx)

test.before(async (ctx) => {
  ctx.server = await startTestServer({ LEADSTREAM_RETENTION_DAYS: '90' }, undefined, () => new Date(clock))
  const u = ctx.server.url
  let position = 0
  const post = async (body: unknown, path = '/v1/leads') => {
    const a = await http('POST', `${u}${path}`, body)
    assert.ok(a.status < 300, JSON.stringify(a.body))
    position = Math.max(position, (a.body as { position: number }).position)
  }
  // Retention counts the time leadstream recorded each event (the clock when it was posted), so the clock steps.
  clock = Date.parse('2026-01-10T00:00:00Z')
  await post(native('amy-1', amy, '2026-01-10T00:00:00Z'))
  await post(native('ben-old', ben, '2026-01-10T00:00:00Z'))
  clock = Date.parse('2026-02-01T00:00:00Z')
  await post(native('cat-1', cat, '2026-02-01T00:00:00Z'))
  clock = Date.parse('2026-11-20T00:00:00Z')
  await post(native('ben-new', ben, '2026-11-20T00:00:00Z'))
  // History imported today with old dates: kept 90 days from its import, not erased at the first sweep.
  clock = Date.parse('2026-11-25T12:00:00Z')
  await post(native('dan-imported', dan, '2024-05-01T00:00:00Z'))
  // cat's lead was contacted today (the command's time is the clock's): it is active.
  await post({ type: 'ContactLead', by: 'sam' }, '/v1/leads/cat-1/commands')
  await getJson(LeadPage, `${u}/v1/leads?minPosition=${position}&waitMs=10000`)
})

test.after(async (ctx) => {
  await ctx.server?.dispose()
})

const customerOf = async (ctx: Ctx, id: string) => decodeAs(LeadAnswer, (await http('GET', `${ctx.server.url}/v1/leads/${id}`)).body).lead.customer.email
const run = async (ctx: Ctx) => decodeAs(RetentionRunView, (await http('POST', `${ctx.server.url}${privacyRoutes.runRetention.path}`)).body)

test('sweep :: only the subject whose every lead is idle for 90 days is erased', async (ctx) => {
  const r = await run(ctx)
  assert.equal(r, { ranAt: '2026-11-25T12:00:00.000Z', cutoff: '2026-08-27T12:00:00.000Z', subjects: 1, leads: 1 })
  assert.is(await customerOf(ctx, 'amy-1'), '')
  assert.is(await customerOf(ctx, 'ben-old'), ben.email, 'ben has an active lead: both are kept')
  assert.is(await customerOf(ctx, 'ben-new'), ben.email)
  assert.is(await customerOf(ctx, 'cat-1'), cat.email, 'a recent transition keeps the lead')
  assert.is(await customerOf(ctx, 'dan-imported'), dan.email, 'imported today: its old occurredAt does not count')
  assert.equal(findInFiles(ctx.server.dataDir, [amy.firstName, amy.email]), [])
  const status = decodeAs(PrivacyStatus, (await http('GET', `${ctx.server.url}${privacyRoutes.privacyStatus.path}`)).body)
  assert.equal([status.retentionDays, status.lastRetentionRun], [90, r])
  assert.equal(
    status.recent.map((e) => [e.reason, e.by, e.outcome, e.emailDigest]),
    [['retention', 'leadstream retention', 'erased', '']],
  )
})

test('sweep :: months later the others are due too; an erased lead is not erased again', async (ctx) => {
  clock = Date.parse('2027-03-01T00:00:00Z')
  const r = await run(ctx)
  assert.equal([r.subjects, r.leads], [3, 4])
  for (const id of ['ben-old', 'ben-new', 'cat-1', 'dan-imported']) assert.is(await customerOf(ctx, id), '', id)
  const again = await run(ctx)
  assert.equal([again.subjects, again.leads], [0, 0])
  assert.equal(findInFiles(ctx.server.dataDir, [ben.email, cat.email, ben.firstName, cat.lastName]), [])
})

test.run()
