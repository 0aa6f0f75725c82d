// Erasure while the same person's new leads keep arriving (embedded, real HTTP): the outcome README describes.
// In capture order, the person's leads are erased up to some point and kept after it: a lead sealed before the
// erasure's final shred reads as erased, a lead sealed after it is kept with a new key. Never a kept lead before
// an erased one, never a lead that reads in clear from a shredded key.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { ErasureAnswer, LeadAnswer, LeadPage, privacyRoutes } from '@leadstream/api'
import { decodeAs, getJson, http, startTestServer, type TestServer } from '../support/embedded.js'

const who = { firstName: 'Concurra', lastName: 'Racewell', email: 'concurra@race-test.example', phone: '+1 555 0142' }
const native = (i: number) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `race-${i}`,
  leadId: `race-${i}`,
  occurredAt: '2026-11-25T10:00:00Z',
  data: { storefront: 'AppSource', action: 'PLT', offer: { id: `contoso.o${i}`, title: `O${i}` }, customer: { ...who, country: 'GB' } },
})

const test = suite<{ server: TestServer }>('erasure under concurrent ingest', {} as { server: TestServer })

test.before(async (ctx) => {
  ctx.server = await startTestServer()
})
test.after(async (ctx) => {
  await ctx.server?.dispose()
})

test('race :: erased up to a point, kept after it; a capture after the erasure is kept, a second erasure takes it', async (ctx) => {
  const u = ctx.server.url
  const captured: Array<{ id: string; position: number }> = []
  const capture = async (i: number) => {
    const a = await http('POST', `${u}/v1/leads`, native(i))
    assert.is(a.status, 201, JSON.stringify(a.body))
    captured.push({ id: `race-${i}`, position: (a.body as { position: number }).position })
  }
  for (let i = 0; i < 3; i++) await capture(i)
  let done = false
  const erasure = http('POST', `${u}${privacyRoutes.erase.path}`, { email: who.email, by: 'dpo', reason: 'asked' }).then((a) => {
    done = true
    return decodeAs(ErasureAnswer, a.body)
  })
  // Captures go on while the erasure runs, and a few after it answered.
  let i = 3
  for (let after = 0; after < 3; i++) {
    await capture(i)
    if (done) after++
  }
  const r = await erasure
  assert.is(r.outcome, 'erased')
  const last = Math.max(...captured.map((c) => c.position), r.position)
  await getJson(LeadPage, `${u}/v1/leads?minPosition=${last}&waitMs=10000`)
  const states = await Promise.all(captured.map(async (c) => decodeAs(LeadAnswer, (await http('GET', `${u}/v1/leads/${c.id}`)).body).lead.customer.email))
  const pattern = states.map((e) => (e === '' ? 'E' : e === who.email ? 'K' : '?')).join('')
  assert.match(pattern, /^E+K+$/, `in capture order, erased then kept: ${pattern}`)
  assert.ok(pattern.startsWith('EEE'), 'the leads captured before the erasure are erased')
  assert.ok(pattern.endsWith('KKK'), 'the leads captured after the erasure answered are kept')

  const again = decodeAs(ErasureAnswer, (await http('POST', `${u}${privacyRoutes.erase.path}`, { email: who.email, by: 'dpo', reason: 'asked again' })).body)
  assert.is(again.outcome, 'erased', 'the new key and the kept leads were there to erase')
  await getJson(LeadPage, `${u}/v1/leads?minPosition=${again.position}&waitMs=10000`)
  for (const c of captured) assert.is(decodeAs(LeadAnswer, (await http('GET', `${u}/v1/leads/${c.id}`)).body).lead.customer.email, '', c.id)
})

test.run()
