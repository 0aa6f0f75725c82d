// The views' projection: summaries, catalogue entries and count deltas from batches of recorded events.
import * as E from 'fp-ts/lib/Either.js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { event, type DomainEvent, type Personal, type RecordedEvent, type TransitionNote, personalOf, actionTextOf } from './events.js'
import { campaignOf, emptyCustomer, offer, type ContactChannel, type Offer, type OfferKind, type QualificationState, type Storefront } from './model.js'
import { cellsOf } from './cells.js'
import { factsOf } from './analytics/facts.js'
import { needsOf, projectBatch, type Changes, type CountDelta, type LeadSummary, type Loaded, type OfferEntry } from './projection.js'

// ---------------------------------------------------------------------------------------------------------
// builders
// ---------------------------------------------------------------------------------------------------------

const t0 = '2026-11-25T10:00:00.000Z'
const t1 = '2026-11-25T11:00:00.000Z'

const recorded = (streamId: string, revision: number, position: number, ev: DomainEvent): RecordedEvent => ({
  eventId: `${streamId}@${revision}`,
  streamId,
  revision,
  position,
  event: ev,
  metadata: {},
  recordedAt: t0,
})

interface CaptureOptions {
  readonly storefront?: Storefront
  readonly action?: string
  readonly offer?: Offer
  readonly isTest?: boolean
}

const captured = (leadId: string, o: CaptureOptions = {}): DomainEvent => {
  const storefront = o.storefront ?? 'AzureMarketplace'
  const action = o.action ?? 'INS'
  return event('LeadCaptured', {
    leadId,
    storefront,
    campaign: campaignOf(storefront),
    leadSource: storefront,
    action,
    offer: o.offer ?? offer(null, 'Contoso CRM'),
    country: { ...emptyCustomer, email: `${leadId.toLowerCase()}@contoso.com` }.country,
    personal: personalOf({ ...emptyCustomer, email: `${leadId.toLowerCase()}@contoso.com` }, null),
    campaigns: [],
    isTest: o.isTest ?? false,
    doNotContact: action === 'DNC',
    format: 'marketplace-https',
    occurredAt: t0,
  })
}

const by = (leadId: string) => ({ leadId, by: 'sam', at: t1, personal: null })
/** A LeadContacted (current version) of `leadId`, its channel not recorded unless given. */
const contacted = (leadId: string, channel: ContactChannel | null = null): DomainEvent => event('LeadContacted', { ...by(leadId), channel })

const actionRecorded = (leadId: string, action: string): DomainEvent =>
  event('LeadActionRecorded', {
    leadId,
    leadSource: 'AzureMarketplace',
    action,
    personal: actionTextOf(null),
    campaigns: [],
    doNotContact: action === 'DNC',
    occurredAt: t1,
  })

const erased = (leadId: string): DomainEvent =>
  event('PersonalDataErased', { ...by(leadId), subject: `sub-${leadId}`, reason: 'request', note: 'asked by email' })

const classified = (offerKey: string, kind: OfferKind): DomainEvent =>
  event('OfferClassified', { offerKey, offerId: null, offerTitle: null, kind, by: 'pat', at: t1 })

const nothingLoaded: Loaded = { leads: new Map(), offers: new Map(), leadsOfOffer: new Map() }

const changesOf = (events: ReadonlyArray<RecordedEvent>, loaded: Loaded = nothingLoaded): Changes => {
  const r = projectBatch(events, loaded)
  if (E.isLeft(r)) throw new Error(`expected changes, got ${JSON.stringify(r.left)}`)
  return r.right
}

/** What a batch's changes leave stored, as the next batch would load it. */
const loadedAfter = (changes: Changes, leadsOfOffer: ReadonlyArray<[string, ReadonlyArray<string>]> = []): Loaded => ({
  leads: new Map(changes.leads.map((s) => [s.leadId, s])),
  offers: new Map(changes.offers.map((o) => [o.offerKey, o])),
  leadsOfOffer: new Map(leadsOfOffer),
})

const summaryOf = (changes: Changes, leadId: string): LeadSummary => {
  const s = changes.leads.find((l) => l.leadId === leadId)
  if (s === undefined) throw new Error(`no summary for ${leadId} in the changes`)
  return s
}

/** Count deltas as `dimension/key metric/bucket[ test]` → delta, so expectations read as a table. */
const tally = (counts: Iterable<CountDelta>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const c of counts) {
    const k = `${c.dimension}/${c.key} ${c.metric}/${c.bucket}${c.test ? ' test' : ''}`
    out[k] = (out[k] ?? 0) + c.delta
  }
  return Object.fromEntries(Object.entries(out).filter(([, n]) => n !== 0))
}

/** The same cells in each of a lead's three view rows (its storefront, its campaign, all). */
const inEveryRow = (storefront: Storefront, cells: Record<string, number>, test = false): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const row of [`storefront/${storefront}`, `campaign/${campaignOf(storefront)}`, 'all/all'])
    for (const [cell, n] of Object.entries(cells)) out[`${row} ${cell}${test ? ' test' : ''}`] = n
  return out
}

// ---------------------------------------------------------------------------------------------------------
// projectBatch
// ---------------------------------------------------------------------------------------------------------

const test = suite('projectBatch')

test('projectBatch :: a capture is counted under its storefront, campaign and all', () => {
  const changes = changesOf([recorded('lead-L1', 0, 7, captured('L1'))])
  assert.equal(tally(changes.counts), inEveryRow('AzureMarketplace', { 'leads/total': 1, 'state/captured': 1, 'offerKind/unclassified': 1, 'action/INS': 1 }))
  assert.is(changes.position, 7)
  const s = summaryOf(changes, 'L1')
  assert.equal([s.state, s.offerKind, s.revision, s.position], ['captured', 'unclassified', 0, 7])
  assert.equal(s.offerKeys, ['title:contoso crm'])

  const appSource = changesOf([recorded('lead-L2', 0, 8, captured('L2', { storefront: 'AppSource', action: 'PLT' }))])
  assert.equal(tally(appSource.counts), inEveryRow('AppSource', { 'leads/total': 1, 'state/captured': 1, 'offerKind/unclassified': 1, 'action/PLT': 1 }))
})

test('projectBatch :: a transition moves the lead from one state count to the next', () => {
  const first = changesOf([recorded('lead-L1', 0, 1, captured('L1'))])
  const changes = changesOf([recorded('lead-L1', 1, 2, contacted('L1'))], loadedAfter(first))
  assert.equal(tally(changes.counts), inEveryRow('AzureMarketplace', { 'state/captured': -1, 'state/contacted': 1 }))
  const s = summaryOf(changes, 'L1')
  assert.equal([s.state, s.revision, s.updatedAt, s.capturedAt], ['contacted', 1, t1, t0])
  assert.equal(
    s.history.map((h) => [h.type, h.by]),
    [
      ['LeadCaptured', null],
      ['LeadContacted', 'sam'],
    ],
  )
})

test('projectBatch :: a contact history entry says how the lead was contacted, null when not recorded', () => {
  const first = changesOf([recorded('lead-L1', 0, 1, captured('L1')), recorded('lead-L2', 0, 2, captured('L2'))])
  const changes = changesOf([recorded('lead-L1', 1, 3, contacted('L1', 'meeting')), recorded('lead-L2', 1, 4, contacted('L2'))], loadedAfter(first))
  assert.equal(summaryOf(changes, 'L1').history.at(-1)?.detail, { note: null, channel: 'meeting' })
  assert.equal(summaryOf(changes, 'L2').history.at(-1)?.detail, { note: null, channel: null })
})

test('projectBatch :: every lifecycle event sets its state', () => {
  const steps: ReadonlyArray<[DomainEvent, QualificationState]> = [
    [contacted('L1'), 'contacted'],
    [event('LeadNurturingStarted', by('L1')), 'nurturing'],
    [event('LeadQualified', by('L1')), 'qualified'],
    [event('LeadConverted', by('L1')), 'converted'],
    [event('LeadReopened', { ...by('L1'), to: 'qualified' }), 'qualified'],
    [event('LeadDisqualified', { ...by('L1'), reason: 'lost' }), 'disqualified'],
  ]
  let loaded = loadedAfter(changesOf([recorded('lead-L1', 0, 1, captured('L1'))]))
  for (const [i, [ev, state]] of steps.entries()) {
    const changes = changesOf([recorded('lead-L1', i + 1, i + 2, ev)], loaded)
    assert.is(summaryOf(changes, 'L1').state, state, ev.type)
    loaded = loadedAfter(changes)
  }
  const last = loaded.leads.get('L1')
  assert.is(last?.history.length, steps.length + 1)
  assert.equal(last?.history.at(-1)?.detail, { reason: 'lost', note: null })
})

test('projectBatch :: an event at or below the stored revision changes nothing', () => {
  const events = [
    recorded('lead-L1', 0, 1, captured('L1')),
    recorded('lead-L1', 1, 2, contacted('L1')),
    recorded('lead-L1', 2, 3, actionRecorded('L1', 'PLT')),
    recorded('offer-title:contoso crm', 0, 4, classified('title:contoso crm', 'saas')),
  ]
  const first = changesOf(events)
  assert.is(first.counts.length > 0, true)
  const loaded = loadedAfter(first, [['title:contoso crm', ['L1']]])
  const again = changesOf(events, loaded)
  assert.equal([again.leads, again.offers, again.counts], [[], [], []])
  assert.is(again.position, 4)
  const oneReplayed = changesOf([events[1] as RecordedEvent], loaded)
  assert.equal([oneReplayed.leads, oneReplayed.counts], [[], []])
})

test('projectBatch :: an unknown action is counted under other and verbatim', () => {
  const first = changesOf([recorded('lead-L1', 0, 1, captured('L1', { action: 'ViewedPricing' }))])
  assert.equal(
    tally(first.counts),
    inEveryRow('AzureMarketplace', { 'leads/total': 1, 'state/captured': 1, 'offerKind/unclassified': 1, 'action/other': 1, 'otherAction/ViewedPricing': 1 }),
  )
  // A second unknown action adds its own verbatim cell; the lead is already counted under other.
  const second = changesOf([recorded('lead-L1', 1, 2, actionRecorded('L1', 'Compared'))], loadedAfter(first))
  assert.equal(tally(second.counts), inEveryRow('AzureMarketplace', { 'otherAction/Compared': 1 }))
  const known = changesOf([recorded('lead-L1', 2, 3, actionRecorded('L1', 'PLT'))], loadedAfter(second))
  assert.equal(tally(known.counts), inEveryRow('AzureMarketplace', { 'action/PLT': 1 }))
  const none = changesOf([recorded('lead-L2', 0, 4, captured('L2', { action: '' }))])
  assert.is(tally(none.counts)['all/all otherAction/(none)'], 1)
})

test('projectBatch :: OfferClassified reclassifies the stored leads of the offer', () => {
  const stored = changesOf([
    recorded('lead-L1', 0, 1, captured('L1')),
    recorded('lead-L2', 0, 2, captured('L2', { storefront: 'AppSource' })),
    recorded('lead-L3', 0, 3, captured('L3', { offer: offer(null, 'Fabrikam VM') })),
  ])
  const loaded = loadedAfter(stored, [['title:contoso crm', ['L1', 'L2']]])
  const changes = changesOf([recorded('offer-title:contoso crm', 0, 10, classified('title:contoso crm', 'saas'))], loaded)
  assert.equal(tally(changes.counts), {
    ...inEveryRow('AzureMarketplace', { 'offerKind/unclassified': -1, 'offerKind/saas': 1 }),
    ...inEveryRow('AppSource', { 'offerKind/unclassified': -1, 'offerKind/saas': 1 }),
    'all/all offerKind/unclassified': -2,
    'all/all offerKind/saas': 2,
  })
  assert.equal(
    changes.leads.map((s) => [s.leadId, s.offerKind, s.revision]),
    [
      ['L1', 'saas', 0],
      ['L2', 'saas', 0],
    ],
  )
  assert.equal(changes.offers, [{ offerKey: 'title:contoso crm', kind: 'saas', revision: 0, position: 10 }])
})

test('projectBatch :: OfferClassified reclassifies leads captured earlier in the same batch', () => {
  const changes = changesOf([
    recorded('lead-L1', 0, 1, captured('L1')),
    recorded('offer-title:contoso crm', 0, 2, classified('title:contoso crm', 'saas')),
    recorded('offer-title:contoso crm', 1, 3, classified('title:contoso crm', 'container')),
  ])
  assert.equal(tally(changes.counts), inEveryRow('AzureMarketplace', { 'leads/total': 1, 'state/captured': 1, 'offerKind/container': 1, 'action/INS': 1 }))
  assert.is(summaryOf(changes, 'L1').offerKind, 'container')
  assert.equal(changes.offers, [{ offerKey: 'title:contoso crm', kind: 'container', revision: 1, position: 3 }])
})

test('projectBatch :: a later capture takes its kind from the catalogue, the offer id before the title', () => {
  const entry = (offerKey: string, kind: OfferKind): [string, OfferEntry] => [offerKey, { offerKey, kind, revision: 0, position: 1 }]
  const byId: Loaded = { ...nothingLoaded, offers: new Map([entry('id:contoso.crm', 'virtual-machine')]) }
  const kindOf = (o: Offer, loaded: Loaded) => summaryOf(changesOf([recorded('lead-L1', 0, 5, captured('L1', { offer: o }))], loaded), 'L1').offerKind
  assert.is(kindOf(offer('Contoso.CRM', 'Contoso CRM'), byId), 'virtual-machine')
  assert.is(kindOf(offer(null, 'Contoso CRM'), byId), 'unclassified')
  const byTitle: Loaded = { ...nothingLoaded, offers: new Map([entry('title:contoso crm', 'saas')]) }
  assert.is(kindOf(offer('contoso.crm', 'Contoso CRM'), byTitle), 'saas')
  const both: Loaded = { ...nothingLoaded, offers: new Map([entry('title:contoso crm', 'saas'), entry('id:contoso.crm', 'managed-service')]) }
  assert.is(kindOf(offer('contoso.crm', 'Contoso CRM'), both), 'managed-service')
  const counted = changesOf([recorded('lead-L1', 0, 5, captured('L1', { offer: offer('contoso.crm', null) }))], byId)
  assert.is(tally(counted.counts)['all/all offerKind/virtual-machine'], 1)
})

test('projectBatch :: an OfferClassified at or below the stored offer revision is skipped', () => {
  const loaded: Loaded = { ...nothingLoaded, offers: new Map([['id:x.y', { offerKey: 'id:x.y', kind: 'saas', revision: 2, position: 9 }]]) }
  assert.equal(changesOf([recorded('offer-id:x.y', 2, 9, classified('id:x.y', 'container'))], loaded).offers, [])
  assert.equal(changesOf([recorded('offer-id:x.y', 3, 12, classified('id:x.y', 'container'))], loaded).offers, [
    { offerKey: 'id:x.y', kind: 'container', revision: 3, position: 12 },
  ])
})

test('projectBatch :: a lead event without a prior capture is a ProjectionError', () => {
  const r = projectBatch([recorded('lead-L1', 0, 1, captured('L1')), recorded('lead-L9', 1, 2, contacted('L9'))], nothingLoaded)
  assert.ok(E.isLeft(r))
  if (E.isLeft(r)) {
    assert.equal([r.left._tag, r.left.position, r.left.eventId], ['ProjectionError', 2, 'lead-L9@1'])
    assert.match(r.left.reason, /L9/)
  }
})

test('projectBatch :: test leads are counted apart, with test=true', () => {
  const changes = changesOf([recorded('lead-T1', 0, 1, captured('T1', { isTest: true }))])
  assert.equal(
    tally(changes.counts),
    inEveryRow('AzureMarketplace', { 'leads/total': 1, 'state/captured': 1, 'offerKind/unclassified': 1, 'action/INS': 1 }, true),
  )
  assert.is(summaryOf(changes, 'T1').isTest, true)
})

// -- property: how a log is cut into batches does not change the views --------------------------------------

/** mulberry32: a small seeded generator, so a failing seed can be replayed. */
const generator = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let x = a
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
}

const pick = <A>(random: () => number, xs: ReadonlyArray<A>): A => {
  const x = xs[Math.floor(random() * xs.length)]
  if (x === undefined) throw new Error('pick from an empty list')
  return x
}

const offerPool = [
  offer('contoso.crm', 'Contoso CRM'),
  offer(null, 'Contoso CRM'),
  offer('fabrikam.vm', null),
  offer('fabrikam.vm', 'Fabrikam VM'),
  offer(null, 'Fabrikam VM'),
]
const keyPool = ['id:contoso.crm', 'title:contoso crm', 'id:fabrikam.vm', 'title:fabrikam vm']
const actionPool = ['INS', 'PLT', 'DNC', 'Create', 'StartTestDrive', 'ViewedPricing', '']
const kindPool: ReadonlyArray<OfferKind> = ['saas', 'virtual-machine', 'container', 'unclassified']
const statePool: ReadonlyArray<QualificationState> = ['captured', 'contacted', 'nurturing', 'qualified']

/** A log of captures, actions, transitions, classifications and re-deliveries of earlier events. */
const randomLog = (random: () => number, length: number): RecordedEvent[] => {
  const log: RecordedEvent[] = []
  const leadRevision = new Map<string, number>()
  const offerRevision = new Map<string, number>()
  const next = (revisions: Map<string, number>, id: string): number => {
    const r = (revisions.get(id) ?? -1) + 1
    revisions.set(id, r)
    return r
  }
  while (log.length < length) {
    const position = log.length + 1
    const x = random()
    const ids = [...leadRevision.keys()]
    if (ids.length === 0 || x < 0.25) {
      const id = `L${ids.length + 1}`
      const ev = captured(id, {
        storefront: pick(random, ['AppSource', 'AzureMarketplace']),
        action: pick(random, actionPool),
        offer: pick(random, offerPool),
        isTest: random() < 0.2,
      })
      log.push(recorded(`lead-${id}`, next(leadRevision, id), position, ev))
    } else if (x < 0.7) {
      const id = pick(random, ids)
      const ev = pick(random, [
        () => actionRecorded(id, pick(random, actionPool)),
        () => contacted(id),
        () => event('LeadNurturingStarted', by(id)),
        () => event('LeadQualified', by(id)),
        () => event('LeadConverted', by(id)),
        () => event('LeadDisqualified', { ...by(id), reason: 'not-interested' as const }),
        () => event('LeadReopened', { ...by(id), to: pick(random, statePool) }),
        () => erased(id),
      ])()
      log.push(recorded(`lead-${id}`, next(leadRevision, id), position, ev))
    } else if (x < 0.88) {
      const key = pick(random, keyPool)
      log.push(recorded(`offer-${key}`, next(offerRevision, key), position, classified(key, pick(random, kindPool))))
    } else {
      log.push(pick(random, log)) // at-least-once: an earlier event delivered again, as it was
    }
  }
  return log
}

interface Views {
  readonly leads: ReadonlyArray<LeadSummary>
  readonly offers: ReadonlyArray<OfferEntry>
  readonly counts: Record<string, number>
  readonly position: number
}

const sorted = <A>(xs: Iterable<A>, key: (a: A) => string): A[] => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))

const inOneBatch = (log: ReadonlyArray<RecordedEvent>): Views => {
  const c = changesOf(log)
  return { leads: sorted(c.leads, (s) => s.leadId), offers: sorted(c.offers, (o) => o.offerKey), counts: tally(c.counts), position: c.position }
}

/** Projects the log cut into batches of random sizes, loading what earlier batches stored as a view store would. */
const inBatches = (log: ReadonlyArray<RecordedEvent>, random: () => number): Views => {
  const leads = new Map<string, LeadSummary>()
  const offers = new Map<string, OfferEntry>()
  const counts: CountDelta[] = []
  let position = 0
  for (let i = 0; i < log.length; ) {
    const batch = log.slice(i, i + 1 + Math.floor(random() * 20))
    i += batch.length
    const stored = [...leads.values()]
    const leadsOfOffer = new Map(needsOf(batch).classified.map((k) => [k, stored.filter((s) => s.offerKeys.includes(k)).map((s) => s.leadId)] as const))
    const c = changesOf(batch, { leads: new Map(leads), offers: new Map(offers), leadsOfOffer })
    for (const s of c.leads) leads.set(s.leadId, s)
    for (const o of c.offers) offers.set(o.offerKey, o)
    counts.push(...c.counts)
    position = Math.max(position, c.position)
  }
  return { leads: sorted(leads.values(), (s) => s.leadId), offers: sorted(offers.values(), (o) => o.offerKey), counts: tally(counts), position }
}

test('projectBatch :: an erasure redacts the contact fields and keeps state, counts and analytics facts', () => {
  const first = changesOf([recorded('lead-L1', 0, 1, captured('L1')), recorded('lead-L1', 1, 2, contacted('L1'))])
  const before = summaryOf(first, 'L1')
  assert.is(before.customer.email, 'l1@contoso.com', 'the capture holds contact data to redact')
  const changes = changesOf([recorded('lead-L1', 2, 3, erased('L1'))], loadedAfter(first))
  assert.equal(tally(changes.counts), {}, 'no counter moves')
  const after = summaryOf(changes, 'L1')
  assert.equal(after.customer, { ...emptyCustomer, country: before.customer.country })
  assert.equal([after.description, after.erasedAt, after.state, after.revision], [null, t1, 'contacted', 2])
  assert.equal(factsOf(after), factsOf(before), 'analytics facts are unchanged')
  const last = after.history[after.history.length - 1]
  assert.equal(
    [last?.type, last?.by, last?.detail],
    ['PersonalDataErased', 'sam', { reason: 'request' }],
    'the note (free text about a person) is not in the history',
  )
})

test('projectBatch :: a transition’s opened note is in the history; an erasure redacts it, as a rebuild without the key reads it', () => {
  const noted = (personal: Personal<TransitionNote>): DomainEvent => event('LeadQualified', { ...by('L1'), personal })
  const live = changesOf([
    recorded('lead-L1', 0, 1, captured('L1')),
    recorded('lead-L1', 1, 2, contacted('L1')),
    recorded('lead-L1', 2, 3, noted({ open: { note: 'called Ann on +44 1' } })),
  ])
  assert.equal(summaryOf(live, 'L1').history[2]?.detail, { note: 'called Ann on +44 1' })
  const redacted = summaryOf(changesOf([recorded('lead-L1', 3, 4, erased('L1'))], loadedAfter(live)), 'L1')
  assert.equal(
    redacted.history.map((h) => ('note' in h.detail ? h.detail['note'] : 'none')),
    ['none', null, null, 'none'],
    'no note left in the live view',
  )
  // The rebuild after the erasure: the note's key is shredded, so it reads as erased.
  const rebuilt = changesOf([
    recorded('lead-L1', 0, 1, captured('L1')),
    recorded('lead-L1', 1, 2, contacted('L1')),
    recorded('lead-L1', 2, 3, noted({ erased: true })),
    recorded('lead-L1', 3, 4, erased('L1')),
  ])
  assert.equal(summaryOf(rebuilt, 'L1').history, redacted.history, 'the same history, live or rebuilt')
})

test('projectBatch :: a lead erased twice keeps the first erasure time', () => {
  const first = changesOf([recorded('lead-L1', 0, 1, captured('L1')), recorded('lead-L1', 1, 2, erased('L1'))])
  const again = event('PersonalDataErased', { ...by('L1'), at: '2026-12-01T00:00:00.000Z', subject: 'sub-L1', reason: 'retention', note: null })
  const changes = changesOf([recorded('lead-L1', 2, 3, again)], loadedAfter(first))
  assert.is(summaryOf(changes, 'L1').erasedAt, t1)
})

test('projectBatch :: 200 events in one batch or in random batches give the same views', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = generator(seed)
    const log = randomLog(random, 200)
    const one = inOneBatch(log)
    const many = inBatches(log, random)
    assert.equal(many, one, `seed ${seed}`)
    // The counters agree with the summaries they were derived from: nothing double-counted or lost.
    const fromSummaries = tally(one.leads.flatMap((s) => cellsOf(s).map((c) => ({ ...c, delta: 1 }))))
    assert.equal(one.counts, fromSummaries, `seed ${seed}: counts vs summaries`)
    assert.ok(one.leads.length > 10 && one.offers.length > 0, `seed ${seed}: the log exercises leads and offers`)
  }
})

test.run()

// ---------------------------------------------------------------------------------------------------------
// cellsOf
// ---------------------------------------------------------------------------------------------------------

const cells = suite('cellsOf')

const summary = (over: Partial<LeadSummary>): LeadSummary => ({ ...summaryOf(changesOf([recorded('lead-L1', 0, 1, captured('L1'))]), 'L1'), ...over })

cells('cellsOf :: one cell per view row and bucket, each action bucket once', () => {
  const s = summary({ storefront: 'AppSource', campaign: 'nurture', state: 'qualified', offerKind: 'saas', actions: ['PLT', 'INS'] })
  assert.equal(
    tally(cellsOf(s).map((c) => ({ ...c, delta: 1 }))),
    inEveryRow('AppSource', { 'leads/total': 1, 'state/qualified': 1, 'offerKind/saas': 1, 'action/PLT': 1, 'action/INS': 1 }),
  )
  assert.is(cellsOf(s).length, 15)
})

cells('cellsOf :: unknown actions fall in other once, and each is kept verbatim', () => {
  const s = summary({ actions: ['Compared', 'DNC', '', 'ViewedPricing'] })
  const actionCells = cellsOf(s)
    .filter((c) => c.dimension === 'all' && (c.metric === 'action' || c.metric === 'otherAction'))
    .map((c) => `${c.metric}/${c.bucket}`)
  assert.equal(actionCells.sort(), ['action/DNC', 'action/other', 'otherAction/(none)', 'otherAction/Compared', 'otherAction/ViewedPricing'])
})

cells('cellsOf :: a test lead marks every cell test', () => {
  assert.ok(cellsOf(summary({ isTest: true })).every((c) => c.test))
  assert.ok(cellsOf(summary({ isTest: false })).every((c) => !c.test))
})

cells.run()

// ---------------------------------------------------------------------------------------------------------
// needsOf
// ---------------------------------------------------------------------------------------------------------

const needs = suite('needsOf')

needs('needsOf :: names the leads, every offer key a capture reads, and the keys classified', () => {
  const n = needsOf([
    recorded('lead-L1', 0, 1, captured('L1', { offer: offer('contoso.crm', 'Contoso CRM') })),
    recorded('lead-L2', 3, 2, contacted('L2')),
    recorded('offer-id:fabrikam.vm', 0, 3, classified('id:fabrikam.vm', 'virtual-machine')),
    recorded('lead-L1', 1, 4, actionRecorded('L1', 'PLT')),
  ])
  assert.equal(n, { leadIds: ['L1', 'L2'], offerKeys: ['id:contoso.crm', 'title:contoso crm', 'id:fabrikam.vm'], classified: ['id:fabrikam.vm'] })
})

needs.run()
