// Operators replay a dead letter once what rejected it is fixed (a lead-source mapping), or discard it.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { AcceptedItem, BatchAnswer, DeadLetterPage, DeadLetterView, Problem, Rejected, StorefrontsAnswer } from '@leadstream/api'
import { getJson, http, itemAt, startTestServer, typed } from '../support/embedded.js'

const test = suite('dead letters')

const testDrive = (i: number) => ({
  UserDetails: { Email: `td${i}@example.com` },
  LeadSource: 'TestDrive',
  ActionCode: 'StartTestDrive',
  OfferTitle: 'Contoso VM',
})

test('replay :: a lead rejected for its lead source is accepted once a mapping exists', async () => {
  const first = await startTestServer()
  const rejected = typed(BatchAnswer, await http('POST', `${first.url}/v1/marketplace/leads`, [testDrive(1), testDrive(2)]))
  assert.is(rejected.status, 400)
  const [id1, id2] = rejected.body.results.map((r) => (r.status === 'rejected' ? r.deadLetterId : 0))
  const stillUnmapped = typed(Problem, await http('POST', `${first.url}/v1/admin/dead-letters/${id1}/replay`))
  assert.is(stillUnmapped.status, 422)
  assert.match(stillUnmapped.body.error.message, /TestDrive/)
  assert.is((await getJson(DeadLetterPage, `${first.url}/v1/admin/dead-letters?status=open`)).body.items.length, 2, 'a failed replay adds no copy')
  await first.close()

  const second = await startTestServer({ LEADSTREAM_LEAD_SOURCES: 'TestDrive=AzureMarketplace' }, first.dataDir)
  try {
    const replayed = typed(AcceptedItem, await http('POST', `${second.url}/v1/admin/dead-letters/${id1}/replay`))
    assert.is(replayed.status, 200)
    assert.is(replayed.body.status, 'accepted')
    const views = (await getJson(StorefrontsAnswer, `${second.url}/v1/views/storefronts?minPosition=${replayed.body.position}`)).body.storefronts
    assert.is(views['AzureMarketplace']?.total, 1)
    assert.is(views['AzureMarketplace']?.byAction['StartTestDrive'], 1)
    assert.is((await http('POST', `${second.url}/v1/admin/dead-letters/${id1}/replay`)).status, 409, 'a replayed letter is not replayed twice')
    const discarded = typed(DeadLetterView, await http('POST', `${second.url}/v1/admin/dead-letters/${id2}/discard`))
    assert.is(discarded.body.status, 'discarded')
    assert.is((await getJson(DeadLetterView, `${second.url}/v1/admin/dead-letters/${id1}`)).body.status, 'replayed')
    assert.is((await getJson(DeadLetterPage, `${second.url}/v1/admin/dead-letters?status=open`)).body.items.length, 0)
    assert.is((await http('POST', `${second.url}/v1/admin/dead-letters/999/replay`)).status, 404)
  } finally {
    await second.dispose()
  }
})

test('limits :: a 1 MB email and a NUL offer title get a 400 naming the field, and are kept in dead letters', async () => {
  const server = await startTestServer()
  try {
    const huge = typed(
      Rejected,
      await http('POST', `${server.url}/v1/marketplace/leads`, {
        ...testDrive(0),
        LeadSource: 'AzureMarketplace',
        UserDetails: { Email: `${'a'.repeat(1 << 20)}@x.com` },
      }),
    )
    assert.is(huge.status, 400)
    assert.equal(huge.body.error.problems, [{ path: 'UserDetails.Email', reason: 'at most 254 characters' }])
    assert.is(huge.body.error.message, 'UserDetails.Email: at most 254 characters')
    const nul = typed(
      BatchAnswer,
      await http('POST', `${server.url}/v1/marketplace/leads`, [{ ...testDrive(1), LeadSource: 'AzureMarketplace', OfferTitle: '\u0000' }]),
    )
    assert.is(nul.status, 400)
    assert.equal(itemAt(nul.body, 0, 'rejected').problems, [{ path: '[0].OfferTitle', reason: 'contains the control character U+0000' }])
    const note = typed(Rejected, await http('POST', `${server.url}/v1/leads/L1/commands`, { type: 'ContactLead', by: 'sam', note: 'x'.repeat(2001) }))
    assert.is(note.status, 400)
    assert.equal(note.body.error.problems, [{ path: 'note', reason: 'at most 2000 characters' }])
    const kept = (await getJson(DeadLetterPage, `${server.url}/v1/admin/dead-letters?status=open`)).body.items
    assert.equal(
      kept.map((d) => d.id),
      [huge.body.deadLetterId, itemAt(nul.body, 0, 'rejected').deadLetterId, note.body.deadLetterId],
    )
  } finally {
    await server.dispose()
  }
})

test.run()
