// The chaos test's ledger: every (lead, action) pair it generated, the exact payload it sends each time, and
// what acknowledged it (an HTTP answer accepted/duplicate, or the broker's ack of a Kafka send).
import * as E from 'fp-ts/lib/Either.js'
import { decodeMarketplaceLead, defaultSources, deterministicEventId, keyedHash } from '@leadstream/domain'
import { testIdentitySecret } from '../support/privacy.js'
import { mulberry32 } from '../durability/workload.js'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export type Format = 'marketplace' | 'native'
export type Channel = 'http' | 'kafka'

/** One customer's interest in one offer: its id is what ingest derives (marketplace) or what we chose (native). */
interface Lead {
  readonly n: number
  readonly format: Format
  readonly leadId: string
  readonly isTest: boolean
  readonly actions: Set<string>
}

/** One (lead, action) pair: delivered any number of times over any channel, it is one event in the store. */
export interface Pair {
  readonly key: string
  readonly lead: Lead
  readonly action: string
  /** The event id its one event must carry (deterministic for marketplace leads, ours for native ones). */
  readonly eventId: string
  /** The exact JSON sent on every delivery, over either channel. */
  readonly payload: Readonly<Record<string, unknown>>
  readonly ackedBy: Set<Channel>
  /** Event ids (and positions) HTTP answers called accepted: more than one distinct id is a double write. */
  readonly accepted: Map<string, number>
  duplicates: number
  sends: number
}

/** What one HTTP item answer says (the fields the ledger reads). */
export interface ItemAnswer {
  readonly status?: string
  readonly leadId?: string
  readonly eventId?: string
  readonly position?: number
}

// ---------------------------------------------------------------------------------------------------------
// the ledger
// ---------------------------------------------------------------------------------------------------------

const sources = ['AzureMarketplace', 'AzurePortal', 'SPZA', 'AppSource'] as const
const storefronts = ['AppSource', 'AzureMarketplace'] as const
const offers = [
  { id: 'contoso.gold-vm', title: 'Contoso Gold VM' },
  { id: 'fabrikam.crm-app', title: 'Fabrikam CRM' },
  { id: 'northwind.analytics', title: 'Northwind Analytics' },
] as const
/** Known codes, one that lands under `other`, and DNC (do not contact). */
const actions = ['INS', 'PLT', 'Create', 'StartTestDrive', 'DNC', 'Subscribe'] as const

export class Ledger {
  readonly rand: () => number
  readonly pairs = new Map<string, Pair>()
  private readonly list: Pair[] = []
  private readonly leads: Lead[] = []
  private readonly payloadOf = new Map<Lead, (action: string) => Record<string, unknown>>()
  /** Answers that break the protocol (wrong status, wrong lead id, an unexpected item status). */
  readonly anomalies: string[] = []
  readonly stats = { requests: 0, unanswered: 0, serverErrors: 0, rejectedItems: 0, idempotentReplays: 0, kafkaSends: 0, kafkaUnacked: 0 }

  constructor(
    readonly seed: number,
    readonly tag: string,
  ) {
    this.rand = mulberry32(seed)
  }

  pick<A>(xs: ReadonlyArray<A>): A {
    const x = xs[Math.floor(this.rand() * xs.length)]
    if (x === undefined) throw new Error('pick from an empty list')
    return x
  }

  anomaly(message: string): void {
    if (this.anomalies.length < 50) this.anomalies.push(message)
  }

  /** A new lead of `format` with its first action. */
  newPair(format: Format): Pair {
    const n = this.leads.length
    const isTest = this.rand() < 0.1
    const offer = this.pick(offers)
    const customer = {
      FirstName: isTest ? 'MSFT_TEST' : `First${n}`,
      LastName: `Last${n}`,
      Email: `chaos-${this.tag}-${n}@example.com`,
      Country: 'NL',
      Company: `Company ${n % 13}`,
    }
    let leadId: string
    let payloadOf: (action: string) => Record<string, unknown>
    if (format === 'marketplace') {
      const leadSource = this.pick(sources)
      payloadOf = (action) => ({
        UserDetails: customer,
        LeadSource: leadSource,
        ActionCode: action,
        OfferTitle: offer.title,
        Description: n % 4 === 0 ? `Campaigns: wave-${n % 3}` : null,
      })
      // The id ingest derives: decoded once here with the domain's own decoder, then checked against every answer.
      const decoded = decodeMarketplaceLead(
        defaultSources,
        { receivedAt: new Date().toISOString(), identity: keyedHash(Buffer.from(testIdentitySecret)) },
        payloadOf('INS'),
      )
      if (E.isLeft(decoded)) throw new Error(`generated an invalid marketplace lead: ${JSON.stringify(decoded.left)}`)
      leadId = decoded.right.command.leadId
    } else {
      leadId = `chaos-${this.tag}-${n}`
      const storefront = this.pick(storefronts)
      payloadOf = (action) => ({
        type: 'LeadCaptured',
        version: 1,
        eventId: `evt-${leadId}-${action}`,
        leadId,
        occurredAt: new Date(Date.UTC(2026, 10, 1) + n * 60000).toISOString(),
        data: {
          storefront,
          action,
          offer: { id: offer.id, title: offer.title },
          customer: { firstName: customer.FirstName, lastName: customer.LastName, email: customer.Email, country: 'NL' },
          ...(isTest ? { isTest: true } : {}),
        },
      })
    }
    const lead: Lead = { n, format, leadId, isTest, actions: new Set() }
    this.leads.push(lead)
    this.payloadOf.set(lead, payloadOf)
    return this.pairOf(lead, this.pick(actions))
  }

  private pairOf(lead: Lead, action: string): Pair {
    const key = `${lead.leadId}|${action}`
    const known = this.pairs.get(key)
    if (known !== undefined) return known
    const payload = this.payloadOf.get(lead)!(action)
    const eventId = lead.format === 'marketplace' ? deterministicEventId(key) : String(payload['eventId'])
    const pair: Pair = { key, lead, action, eventId, payload, ackedBy: new Set(), accepted: new Map(), duplicates: 0, sends: 0 }
    lead.actions.add(action)
    this.pairs.set(key, pair)
    this.list.push(pair)
    return pair
  }

  /**
   * `size` pairs of one format: mostly new leads, some re-deliveries of any earlier pair (whatever channel
   * carried it), some new actions on earlier leads.
   */
  mix(format: Format, size: number): Pair[] {
    const out: Pair[] = []
    const earlier = this.list.filter((p) => p.lead.format === format)
    while (out.length < size) {
      const r = this.rand()
      if (r < 0.65 || earlier.length === 0) out.push(this.newPair(format))
      else if (r < 0.85) out.push(this.pick(earlier))
      else {
        const lead = this.pick(earlier).lead
        const fresh = actions.filter((a) => !lead.actions.has(a))
        out.push(fresh.length === 0 ? this.newPair(format) : this.pairOf(lead, this.pick(fresh)))
      }
    }
    return out
  }

  /** Records one HTTP item answer for `pair`. */
  recordAnswer(pair: Pair, r: ItemAnswer): void {
    pair.sends++
    if (r.status === 'rejected') {
      // Only a lead that kept changing under concurrent writers is rejected here: not acknowledged, sent again later.
      this.stats.rejectedItems++
      return
    }
    if (r.leadId !== pair.lead.leadId) return this.anomaly(`${pair.key}: answered lead id ${r.leadId}`)
    if (r.status === 'accepted') {
      if (r.eventId === undefined || r.position === undefined) return this.anomaly(`${pair.key}: accepted without event id or position`)
      const known = pair.accepted.get(r.eventId)
      if (known !== undefined && known !== r.position) this.anomaly(`${pair.key}: event ${r.eventId} accepted at ${known} and at ${r.position}`)
      pair.accepted.set(r.eventId, r.position)
    } else if (r.status === 'duplicate') pair.duplicates++
    else return this.anomaly(`${pair.key}: answered ${String(r.status)}`)
    pair.ackedBy.add('http')
  }

  recordKafkaAck(pairs: ReadonlyArray<Pair>): void {
    for (const p of pairs) {
      p.sends++
      p.ackedBy.add('kafka')
    }
  }

  unacked(): ReadonlyArray<Pair> {
    return this.list.filter((p) => p.ackedBy.size === 0)
  }

  all(): ReadonlyArray<Pair> {
    return this.list
  }
}
