// Erasure out: POST /v1/privacy/erasures (the privacy work's route) sends `lead.erased` to every subscription that
// received the lead, whatever events it asked for, and nothing to one that never had it.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { SubscriptionCreated, WebhookPayload } from '@leadstream/api'
import { decodeAs, http, startTestServer, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { startReceiver, type Receiver } from '../support/receiver.js'

const test = suite<{ server: TestServer; rx: Receiver }>('webhooks :: erasure')
test.before(async (ctx) => {
  ctx.rx = await startReceiver()
  ctx.server = await startTestServer({ LEADSTREAM_WEBHOOK_POLL_MS: '20' })
})
test.after(async (ctx) => {
  await ctx.server.dispose()
  await ctx.rx.close()
})

test('erased :: to every subscription that received the lead, none to one that did not', async ({ server, rx }) => {
  const subscribe = async (path: string, body: Record<string, unknown>) => {
    const created = decodeAs(SubscriptionCreated, (await http('POST', `${server.url}/v1/admin/webhooks`, { url: `${rx.url}${path}`, ...body })).body)
    rx.secrets.set(path, created.secret)
  }
  await subscribe('/captures', { events: ['lead.captured'], includeContact: true })
  await subscribe('/azure', { filters: { storefronts: ['AzureMarketplace'] } })
  const lead = {
    type: 'LeadCaptured',
    version: 1,
    eventId: 'er-1',
    leadId: 'er-lead-1',
    occurredAt: '2026-12-01T09:00:00Z',
    data: {
      storefront: 'AppSource',
      action: 'INS',
      offer: { id: 'contoso.crm', title: 'Contoso CRM' },
      customer: { firstName: 'Ada', email: 'ada-erase@example.com' },
    },
  }
  assert.is((await http('POST', `${server.url}/v1/leads`, lead)).status, 201)
  const bodies = (path: string) => rx.receipts.filter((r) => r.path === path && r.answered === 204).map((r) => decodeAs(WebhookPayload, JSON.parse(r.body)))
  await eventually('the capture delivered', () => (bodies('/captures').length === 1 ? true : undefined))
  const erased = await http('POST', `${server.url}/v1/privacy/erasures`, { email: 'ada-erase@example.com', by: 'dpo', reason: 'asked' })
  assert.is(erased.status, 200, JSON.stringify(erased.body))
  const e = await eventually('the erasure delivered', () => bodies('/captures').find((p) => p.type === 'lead.erased'), 5000)
  assert.is(e.data.leadId, 'er-lead-1')
  assert.ok(rx.receipts.every((r) => r.verified))
  assert.is(bodies('/azure').length, 0, 'a subscription that never had the lead gets no erasure')
})

test.run()
