// Qualification commands with a client-chosen commandId: a retry after a lost answer is a replay of the original
// result, not a 409 and not a second event; the same commandId for another command is refused, naming it.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { CommandAnswer, LeadAccepted, Problem, StreamAnswer } from '@leadstream/api'
import { getJson, http, startTestServer, typed, type TestServer } from '../support/embedded.js'

const test = suite('commands :: commandId')
let server: TestServer

test.before(async () => {
  server = await startTestServer()
})
test.after(async () => {
  await server.dispose()
})

const capture = async (email: string): Promise<string> => {
  const r = typed(
    LeadAccepted,
    await http('POST', `${server.url}/v1/marketplace/leads`, {
      UserDetails: { Email: email },
      LeadSource: 'SPZA',
      ActionCode: 'PLT',
      OfferTitle: 'Contoso CRM',
    }),
  )
  assert.is(r.status, 201)
  return r.body.leadId
}
const command = (leadId: string, body: unknown) => http('POST', `${server.url}/v1/leads/${leadId}/commands`, body)
const streamOf = async (leadId: string) => (await getJson(StreamAnswer, `${server.url}/v1/admin/streams/${leadId}`)).body.events

test('commandId :: the same command sent again is answered with the original result, replayed, and writes nothing', async () => {
  const leadId = await capture('replay@contoso.com')
  const body = { type: 'ContactLead', by: 'sam', channel: 'phone', commandId: 'call-0001' }
  const first = typed(CommandAnswer, await command(leadId, body))
  assert.is(first.status, 201)
  const again = typed(CommandAnswer, await command(leadId, body))
  assert.is(again.status, 200, JSON.stringify(again.body))
  assert.is(again.body.replayed, true)
  assert.is(again.body.status, 'accepted')
  assert.equal(again.body.eventIds, first.body.eventIds)
  assert.is(again.body.position, first.body.position)
  assert.equal(
    (await streamOf(leadId)).map((e) => e.type),
    ['LeadCaptured', 'LeadContacted'],
  )
})

test('commandId :: without one, the retry is decided again and refused (what commandId is for)', async () => {
  const leadId = await capture('no-id@contoso.com')
  assert.is((await command(leadId, { type: 'ContactLead', by: 'sam' })).status, 201)
  const again = typed(Problem, await command(leadId, { type: 'ContactLead', by: 'sam' }))
  assert.is(again.status, 409)
  assert.is(again.body.error.code, 'TransitionNotAllowed')
})

test('commandId :: the same commandId with a different command is a 409 naming it', async () => {
  const leadId = await capture('reuse@contoso.com')
  assert.is((await command(leadId, { type: 'ContactLead', by: 'sam', commandId: 'c-1' })).status, 201)
  const other = typed(Problem, await command(leadId, { type: 'StartNurturing', by: 'sam', commandId: 'c-1' }))
  assert.is(other.status, 409)
  assert.is(other.body.error.code, 'CommandIdReused')
  assert.equal(other.body.error.problems, [{ path: 'commandId', reason: `commandId "c-1" was already used on lead ${leadId} for a different command` }])
  assert.equal(
    (await streamOf(leadId)).map((e) => e.type),
    ['LeadCaptured', 'LeadContacted'],
  )
  // The same id on another lead is another command.
  const elsewhere = await capture('reuse-2@contoso.com')
  assert.is((await command(elsewhere, { type: 'ContactLead', by: 'sam', commandId: 'c-1' })).status, 201)
})

test('commandId :: one that is not URL-safe is a 400 naming the field', async () => {
  const leadId = await capture('bad-id@contoso.com')
  const r = typed(Problem, await command(leadId, { type: 'ContactLead', by: 'sam', commandId: 'call 1' }))
  assert.is(r.status, 400)
  assert.equal(
    r.body.error.problems.map((p) => p.path),
    ['commandId'],
  )
})

test.run()
