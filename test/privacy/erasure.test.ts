// Erasure in the embedded mode, end to end over real HTTP and the real SQLite files: after an erasure a byte
// search of every file of the data dir finds nothing of the person; before it, the event store holds their data
// as ciphertext only while the views hold it in clear (which proves the search finds what is there). The person's
// data includes what sales reps wrote about them: the notes of a command, of a CRM's lifecycle event, and of one
// parked (stored as received) because its lead did not allow it yet.
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import {
  CommandAnswer,
  ErasureAnswer,
  LeadAccepted,
  LeadAnswer,
  LeadParked,
  ParkedPage,
  LeadPage,
  privacyRoutes,
  PrivacyStatus,
  Rejected,
  StorefrontsAnswer,
  SubjectExport,
} from '@leadstream/api'
import { findInFiles } from '../support/bytes.js'
import { diffCounters, foldCounters, foldLeads, readEvents, viewCounters } from '../support/fold.js'
import { decodeAs, getJson, http, startTestServer, type TestServer } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'

const ann = { firstName: 'Quorvella', lastName: 'Tamblethwaite', email: 'Quorvella.T@erasure-test.example', phone: '+44 20 7946 0917' }
const annNeedles = [ann.firstName, ann.lastName, ann.email, ann.phone]
const bo = { FirstName: 'Bodvarsson', Email: 'bo@kept.example', Phone: '+1 555 0100', Country: 'US' }

const native = (leadId: string, offer: string) => ({
  type: 'LeadCaptured',
  version: 1,
  eventId: `ev-${leadId}`,
  leadId,
  occurredAt: '2026-11-25T10:00:00Z',
  data: {
    storefront: 'AppSource',
    action: 'INS',
    offer: { id: offer, title: offer },
    customer: { ...ann, country: 'GB' },
    description: `call ${ann.firstName} at ${ann.phone}`,
  },
})
const marketplace = { UserDetails: bo, LeadSource: 'AzureMarketplace', ActionCode: 'PLT', OfferTitle: 'Contoso VM' }
/** Notes about ann, distinctive enough that finding one in a file can only mean the note in clear. */
const notes = { command: 'promised Fennimorrow rollout quote', native: 'Zindabarrow pilot slipped to spring', parked: 'Wexcombridge contract waits on legal' }
const noteNeedles = Object.values(notes)
/** A CRM's lifecycle event (native format). */
const lifecycle = (type: string, leadId: string, note: string) => ({
  type,
  version: 1,
  eventId: `crm-${leadId}-${type}`,
  leadId,
  occurredAt: '2026-11-25T11:00:00Z',
  data: { by: 'crm:dynamics', note },
})
/** Rejected (no storefront for the lead source): a dead letter holding ann's data as sent. */
const unplaceable = { UserDetails: { FirstName: ann.firstName, Email: ann.email, Phone: ann.phone }, LeadSource: 'Moon', ActionCode: 'INS', OfferTitle: 'X' }

interface Ctx {
  server: TestServer
  position: number
}

const test = suite<Ctx>('erasure (embedded)', {} as Ctx)

test.before(async (ctx) => {
  ctx.server = await startTestServer()
  const u = ctx.server.url
  const a1 = decodeAs(LeadAccepted, (await http('POST', `${u}/v1/leads`, native('ann-1', 'contoso.crm'))).body)
  // With an Idempotency-Key: its stored answer names the lead, and must go too.
  const a2 = decodeAs(LeadAccepted, (await http('POST', `${u}/v1/leads`, native('ann-2', 'contoso.erp'), { 'idempotency-key': 'erasure-test-key' })).body)
  const b = decodeAs(LeadAccepted, (await http('POST', `${u}/v1/marketplace/leads`, marketplace)).body)
  const dead = await http('POST', `${u}/v1/marketplace/leads`, unplaceable)
  assert.is(dead.status, 400)
  decodeAs(Rejected, dead.body)
  // A sales rep's command and a CRM's event, each with a note naming things only ann's record holds.
  const c1 = decodeAs(
    CommandAnswer,
    (await http('POST', `${u}/v1/leads/ann-1/commands`, { type: 'ContactLead', by: 'sales@contoso', channel: 'phone', note: notes.command })).body,
  )
  const c2 = decodeAs(LeadAccepted, (await http('POST', `${u}/v1/leads`, lifecycle('LeadContacted', 'ann-2', notes.native))).body)
  // Converting ann-3 before it is captured parks the event; once captured it still waits (a captured lead cannot be
  // converted), so the parked payload, note in clear, stays until the erasure.
  const p3 = await http('POST', `${u}/v1/leads`, lifecycle('LeadConverted', 'ann-3', notes.parked))
  assert.is(p3.status, 202, JSON.stringify(p3.body))
  decodeAs(LeadParked, p3.body)
  const a3 = decodeAs(LeadAccepted, (await http('POST', `${u}/v1/leads`, native('ann-3', 'contoso.hr'))).body)
  ctx.position = Math.max(a1.position, a2.position, b.position, c1.position, c2.position, a3.position)
  await getJson(LeadPage, `${u}/v1/leads?minPosition=${ctx.position}&waitMs=10000`)
})

test.after(async (ctx) => {
  await ctx.server?.dispose()
})

const erase = async (ctx: Ctx, email: string) => {
  const a = await http('POST', `${ctx.server.url}${privacyRoutes.erase.path}`, { email, by: 'dpo@publisher.example', reason: 'the person asked by email' })
  assert.is(a.status, 200, JSON.stringify(a.body))
  return decodeAs(ErasureAnswer, a.body)
}

test('before :: the event store holds ciphertext only; the views and the dead letters hold the person in clear', async (ctx) => {
  assert.equal(
    findInFiles(ctx.server.dataDir, [...annNeedles, ...noteNeedles], (f) => f.startsWith('events.db')),
    [],
    'plaintext in the event store',
  )
  assert.ok(findInFiles(ctx.server.dataDir, annNeedles, (f) => f.startsWith('views')).length > 0, 'the search finds the views’ copy (else it proves nothing)')
  for (const n of [notes.command, notes.native])
    assert.ok(findInFiles(ctx.server.dataDir, [n], (f) => f.startsWith('views')).length > 0, `the views’ history shows the note "${n}"`)
  assert.ok(findInFiles(ctx.server.dataDir, [ann.email], (f) => f.startsWith('dead-letters')).length > 0, 'the dead letter holds the payload')
  assert.ok(findInFiles(ctx.server.dataDir, [notes.parked], (f) => f.startsWith('parked')).length > 0, 'the parked event holds its note as received')
  const lead = decodeAs(LeadAnswer, (await http('GET', `${ctx.server.url}/v1/leads/ann-1?minPosition=${ctx.position}`)).body)
  assert.equal(lead.history.find((h) => h.type === 'LeadContacted')?.detail, { note: notes.command, channel: 'phone' }, 'the projector opened the note')
  // Operators read the store through the key store: the note opened.
  const stream = (await http('GET', `${ctx.server.url}/v1/admin/streams/ann-2`)).body as {
    events: Array<{ type: string; version: number; data: { personal?: unknown } }>
  }
  assert.equal(stream.events.map((e) => [e.type, e.version, e.data.personal]).slice(1), [['LeadContacted', 3, { open: { note: notes.native } }]])
})

test('subject access :: one document with the leads (contact data opened), their events and the dead letters', async (ctx) => {
  const doc = decodeAs(SubjectExport, (await http('POST', `${ctx.server.url}${privacyRoutes.exportSubject.path}`, { email: ann.email.toUpperCase() })).body)
  assert.equal(doc.leads.map((l) => l.lead?.leadId).sort(), ['ann-1', 'ann-2', 'ann-3'])
  assert.ok(
    doc.leads.every((l) => l.lead?.customer.email === ann.email && l.lead.customer.phone === ann.phone),
    'contact data opened',
  )
  assert.ok(doc.leads.every((l) => l.events[0]?.type === 'LeadCaptured'))
  const events = doc.leads.flatMap((l) => l.events.filter((e) => e.type === 'LeadContacted').map((e) => (e.data as { personal: unknown }).personal))
  assert.equal(events.sort(), [{ open: { note: notes.command } }, { open: { note: notes.native } }].sort(), 'the notes in the leads’ events, opened')
  assert.is(doc.deadLetters.length, 1)
  assert.equal(
    doc.parked.map((p) => [p.leadId, p.eventId]),
    [['ann-3', 'crm-ann-3-LeadConverted']],
    'the event parked for one of the leads',
  )
  assert.match(doc.parked[0]?.payload ?? '', notes.parked, 'with its payload as received')
  assert.equal(doc.erasures, [])
  const bad = await http('POST', `${ctx.server.url}${privacyRoutes.exportSubject.path}`, { email: 'not-an-email' })
  assert.is(bad.status, 400)
  // The email is never in a URL: the old query form is not served.
  const byQuery = await http('GET', `${ctx.server.url}/v1/privacy/subjects?email=${encodeURIComponent(ann.email)}`)
  assert.is(byQuery.status, 404)
})

test('erase :: shreds, redacts both leads, purges the dead letter and the stored answer; nothing of the person is left in any file', async (ctx) => {
  const before = decodeAs(StorefrontsAnswer, (await http('GET', `${ctx.server.url}/v1/views/storefronts?minPosition=${ctx.position}`)).body)
  const r = await erase(ctx, `  ${ann.email} `)
  assert.is(r.outcome, 'erased', r.message)
  // Dead letters: the rejected payload, and ann-3's parked event.
  assert.equal(r.counts, { leads: 3, events: 3, keys: 1, deadLetters: 2, answers: 1 })
  assert.ok(r.position > ctx.position)
  // The scrub waited for the views: they are redacted already.
  const lead = decodeAs(LeadAnswer, (await http('GET', `${ctx.server.url}/v1/leads/ann-1?minPosition=${r.position}`)).body)
  assert.equal(lead.lead.customer, { firstName: '', lastName: '', email: '', phone: '', country: 'GB', company: '', title: '' })
  assert.is(lead.lead.description, null)
  assert.ok(lead.lead.erasedAt !== null)
  assert.is(lead.history[lead.history.length - 1]?.type, 'PersonalDataErased')
  assert.equal(lead.history.find((h) => h.type === 'LeadContacted')?.detail, { note: null, channel: 'phone' }, 'the note redacted in the live view')
  const after = decodeAs(StorefrontsAnswer, (await http('GET', `${ctx.server.url}/v1/views/storefronts?minPosition=${r.position}`)).body)
  assert.equal(after.storefronts, before.storefronts, 'counts are unchanged')
  assert.equal(findInFiles(ctx.server.dataDir, [...annNeedles, ...noteNeedles]), [], 'the person is still in the data dir')
  assert.is(decodeAs(ParkedPage, (await http('GET', `${ctx.server.url}/v1/admin/parked`)).body).parked, 0, 'the parked event is gone')
  assert.ok(findInFiles(ctx.server.dataDir, [bo.Email]).length > 0, 'another person’s data stays')
})

test('erase :: again is alreadyErased, an unknown email is unknownSubject: 200, not an error', async (ctx) => {
  const again = await erase(ctx, ann.email)
  assert.equal([again.outcome, again.counts.events, again.counts.keys], ['alreadyErased', 0, 0])
  const unknown = await erase(ctx, 'nobody@nowhere.example')
  assert.equal([unknown.outcome, unknown.counts], ['unknownSubject', { leads: 0, events: 0, keys: 0, deadLetters: 0, answers: 0 }])
  const deadLetters = async () => ((await http('GET', `${ctx.server.url}/v1/admin/dead-letters?limit=1000`)).body as { items: unknown[] }).items.length
  const before = await deadLetters()
  const bad = await http('POST', `${ctx.server.url}${privacyRoutes.erase.path}`, { email: 'x@', by: 'dpo' })
  assert.is(bad.status, 400)
  assert.is(await deadLetters(), before, 'a refused erasure request is not kept as a dead letter (it names the person)')
  const status = decodeAs(PrivacyStatus, (await http('GET', `${ctx.server.url}${privacyRoutes.privacyStatus.path}`)).body)
  assert.equal(
    status.recent.slice(0, 3).map((e) => e.outcome),
    ['unknownSubject', 'alreadyErased', 'erased'],
  )
  assert.is(status.pending, 0)
  // The audit keeps a keyed digest, never the email.
  assert.ok(status.recent.every((e) => !JSON.stringify(e).toLowerCase().includes('erasure-test.example')))
  assert.equal(
    findInFiles(ctx.server.dataDir, [ann.email, 'nobody@nowhere.example'], (f) => f.startsWith('audit')),
    [],
  )
})

test('erase :: a person known only from a rejected payload: their dead letter goes', async (ctx) => {
  const only = { ...unplaceable, UserDetails: { FirstName: 'Deadletterina', Email: 'only.dead@erasure-test.example' } }
  assert.is((await http('POST', `${ctx.server.url}/v1/marketplace/leads`, only)).status, 400)
  const r = await erase(ctx, 'Only.Dead@erasure-test.example')
  assert.equal([r.outcome, r.counts.leads, r.counts.deadLetters], ['erased', 0, 1])
  assert.equal(findInFiles(ctx.server.dataDir, ['Deadletterina', 'only.dead@erasure-test.example']), [])
})

test('subject access :: after the erasure the leads read as erased, with the audit entries', async (ctx) => {
  const doc = decodeAs(SubjectExport, (await http('POST', `${ctx.server.url}${privacyRoutes.exportSubject.path}`, { email: ann.email })).body)
  assert.is(doc.leads.length, 3)
  assert.ok(doc.leads.every((l) => l.lead?.customer.email === '' && l.lead.erasedAt !== null))
  const contacted = doc.leads.flatMap((l) => l.events.filter((e) => e.type === 'LeadContacted').map((e) => (e.data as { personal: unknown }).personal))
  assert.equal(contacted, [{ erased: true }, { erased: true }], 'the notes’ key is shredded: they read as erased')
  assert.ok(!noteNeedles.some((n) => JSON.stringify(doc).includes(n)))
  assert.equal(doc.deadLetters, [])
  assert.equal(doc.parked, [])
  assert.equal(
    doc.erasures.map((e) => e.outcome),
    ['erased', 'alreadyErased'],
  )
  assert.ok(!JSON.stringify(doc).includes(ann.phone))
})

test('rebuild :: a rebuild after the erasure gives the same (redacted) views', async (ctx) => {
  const u = ctx.server.url
  const list = async () => decodeAs(LeadPage, (await http('GET', `${u}/v1/leads?includeTest=true&limit=100`)).body).items
  const counts = async () => decodeAs(StorefrontsAnswer, (await http('GET', `${u}/v1/views/storefronts?includeTest=true`)).body).storefronts
  const history = async () =>
    Promise.all(['ann-1', 'ann-2', 'ann-3'].map(async (id) => decodeAs(LeadAnswer, (await http('GET', `${u}/v1/leads/${id}`)).body).history))
  const [leadsBefore, countsBefore, historyBefore] = [await list(), await counts(), await history()]
  const started = await http('POST', `${u}/v1/admin/projections/leads/rebuild`)
  assert.is(started.status, 202)
  const building = (started.body as { building: number }).building
  await eventually(
    'the rebuilt generation to go live',
    async () => {
      const s = (await http('GET', `${u}/v1/admin/projections`)).body as { projections: Array<{ registry: { live: number } | null }> }
      return s.projections[0]?.registry?.live === building ? true : undefined
    },
    20000,
  )
  assert.equal(await list(), leadsBefore)
  assert.equal(await counts(), countsBefore)
  assert.equal(await history(), historyBefore, 'the same history: the notes null, whether redacted live or unopened on rebuild')
  // The fold oracle: the whole event store folded from empty gives the rebuilt generation's counters, and the
  // erased leads fold to redacted, erasedAt set (the oracle opens nothing: every contact field folds empty).
  const events = readEvents(ctx.server.dataDir)
  assert.is(diffCounters(foldCounters(events), viewCounters(join(ctx.server.dataDir, `views-g${building}.db`))), '')
  const folded = foldLeads(events).filter((s) => s.leadId.startsWith('ann-'))
  assert.equal(folded.map((s) => [s.leadId, s.customer.email, s.erasedAt !== null]).sort(), [
    ['ann-1', '', true],
    ['ann-2', '', true],
    ['ann-3', '', true],
  ])
  assert.equal(findInFiles(ctx.server.dataDir, [...annNeedles, ...noteNeedles]), [])
})

test.run()
