// Load for the durability tests: clients that POST marketplace leads and qualification commands and record
// exactly what the server acknowledged (a complete 2xx answer), so a later check knows what must have survived.
import type { QualificationState } from '@leadstream/domain'
import { setTimeout as sleep } from 'node:timers/promises'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

/** An acknowledged `accepted` answer for one (lead, action) pair: the event the server said it wrote. */
export interface AcceptedAck {
  readonly eventId: string
  readonly position: number
}

/** One (lead, action) pair: a delivery of it writes one event the first time and none ever after. */
export interface Pair {
  readonly key: string
  readonly lead: Lead
  readonly action: string
  /** The exact JSON sent every time this pair is (re)delivered. */
  readonly payload: Readonly<Record<string, unknown>>
  readonly accepted: AcceptedAck[]
  duplicates: number
  /** True once any delivery of it got a complete answer (accepted or duplicate). */
  acked: boolean
  /** Waiting in the re-delivery queue of the current round. */
  queued: boolean
}

export type CommandType = 'ContactLead' | 'StartNurturing' | 'QualifyLead' | 'ConvertLead' | 'DisqualifyLead' | 'ReopenLead'

export interface CommandAck {
  readonly type: CommandType
  readonly eventIds: ReadonlyArray<string>
  readonly position: number
}

/** One customer's interest in one offer: the unit the server derives a lead id from. */
export interface Lead {
  readonly key: string
  readonly owner: number
  readonly isTest: boolean
  /** The lead id the server answered with (the same in every answer, or that is an anomaly). */
  leadId: string | undefined
  readonly actions: Set<string>
  doNotContact: boolean
  /** Qualification as the acknowledged commands left it (meaningful only while `uncertain` is false). */
  state: QualificationState
  beforeFinal: QualificationState | null
  /** A command was sent without a complete answer: it may or may not have been written. */
  uncertain: boolean
  busy: boolean
  readonly commands: CommandAck[]
  /** What every payload of this lead shares: customer, offer, source, shape. */
  readonly base: LeadBase
}

interface LeadBase {
  readonly leadSource: string
  readonly offerTitle: string | null
  readonly description: string | null
  readonly details: Readonly<Record<string, string>>
  /** Sent as an Azure Table row (CustomerInfo packed as JSON) rather than the HTTPS shape. */
  readonly table: boolean
}

export interface Stats {
  batches: number
  batchesUnacked: number
  commandsAcked: number
  commandsUnacked: number
  commandConflicts: number
}

// ---------------------------------------------------------------------------------------------------------
// randomness (seeded, so a failing run's choices can be replayed with LEADSTREAM_TEST_SEED)
// ---------------------------------------------------------------------------------------------------------

export const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

// ---------------------------------------------------------------------------------------------------------
// the workload
// ---------------------------------------------------------------------------------------------------------

const sources = ['AzureMarketplace', 'AzurePortal', 'SPZA', 'AppSource'] as const
const offers: ReadonlyArray<{ readonly id: string | null; readonly title: string | null }> = [
  { id: 'contoso.gold-vm', title: 'Contoso Gold VM' },
  { id: 'fabrikam.crm-app', title: 'Fabrikam CRM' },
  { id: null, title: 'Northwind Analytics' },
  { id: 'tailspin.saas', title: null },
]
/** First actions of new leads, weighted; `Subscribe` lands in the `other` bucket. */
const firstActions = ['INS', 'INS', 'INS', 'PLT', 'PLT', 'Create', 'StartTestDrive', 'DNC', 'Subscribe'] as const
/** Later actions on a known lead (never DNC, so leads the tests command stay contactable). */
const laterActions = ['INS', 'PLT', 'Create', 'StartTestDrive', 'Subscribe', 'Trial'] as const

const COMMAND_BY = 'durability-test'

/** One item of an ingest answer, as the wire has it. */
interface ItemAnswer {
  readonly index: number
  readonly status: string
  readonly leadId?: string
  readonly eventId?: string
  readonly position?: number
}

export class Workload {
  readonly rand: () => number
  readonly leads: Lead[] = []
  readonly pairs = new Map<string, Pair>()
  private readonly pairList: Pair[] = []
  readonly owned: Lead[][]
  readonly anomalies: string[] = []
  readonly stats: Stats = { batches: 0, batchesUnacked: 0, commandsAcked: 0, commandsUnacked: 0, commandConflicts: 0 }
  /** Pairs that were queued for re-delivery at least once (their delivery got no answer before a server died). */
  readonly redelivered = new Set<string>()
  /** Highest position of any acknowledged write. */
  maxAckedPosition = 0
  private readonly redeliver: Pair[] = []
  private seq = 0

  constructor(
    readonly seed: number,
    readonly clients: number,
    private readonly tag: string,
  ) {
    this.rand = mulberry32(seed)
    this.owned = Array.from({ length: clients }, () => [])
  }

  private pick<A>(xs: ReadonlyArray<A>): A {
    const x = xs[Math.floor(this.rand() * xs.length)]
    if (x === undefined) throw new Error('pick from an empty list')
    return x
  }

  private anomaly(message: string): void {
    if (this.anomalies.length < 50) this.anomalies.push(message)
  }

  /** Puts every pair never acknowledged into the queue clients send first: upstream retries what it lost. */
  queueRedeliveries(): number {
    for (const p of this.pairs.values())
      if (!p.acked && !p.queued) {
        p.queued = true
        this.redelivered.add(p.key)
        this.redeliver.push(p)
      }
    return this.redeliver.length
  }

  unacked(): ReadonlyArray<Pair> {
    return [...this.pairs.values()].filter((p) => !p.acked)
  }

  private newLead(owner: number): Pair {
    const n = this.seq++
    const isTest = this.rand() < 0.1
    const offer = this.pick(offers)
    const source = this.pick(sources)
    const lead: Lead = {
      key: `${this.tag}-${n}`,
      owner,
      isTest,
      leadId: undefined,
      actions: new Set(),
      doNotContact: false,
      state: 'captured',
      beforeFinal: null,
      uncertain: false,
      busy: false,
      commands: [],
      base: {
        leadSource: offer.id === null ? source : `${source}|${offer.id}`,
        offerTitle: offer.title,
        description: this.rand() < 0.3 ? `Campaigns: spring-${n % 3}, webinar` : null,
        details: {
          FirstName: isTest ? 'MSFT_TEST' : `First${n}`,
          LastName: `Last${n}`,
          Email: `lead-${this.tag}-${n}@example.com`,
          Phone: '',
          Country: 'NL',
          Company: `Company ${n % 17}`,
          Title: '',
        },
        table: this.rand() < 0.2,
      },
    }
    this.leads.push(lead)
    this.owned[owner]?.push(lead)
    return this.pairOf(lead, this.pick(firstActions))
  }

  private pairOf(lead: Lead, action: string): Pair {
    const key = `${lead.key}|${action}`
    const known = this.pairs.get(key)
    if (known !== undefined) return known
    const base = lead.base
    const payload = base.table
      ? {
          PartitionKey: 'durability',
          RowKey: key,
          Timestamp: new Date(Date.UTC(2026, 0, 1) + this.pairs.size * 1000).toISOString(),
          ActionCode: action,
          Description: base.description,
          LeadSource: base.leadSource,
          OfferTitle: base.offerTitle,
          CustomerInfo: JSON.stringify(base.details),
        }
      : { UserDetails: base.details, LeadSource: base.leadSource, ActionCode: action, OfferTitle: base.offerTitle, Description: base.description }
    const pair: Pair = { key, lead, action, payload, accepted: [], duplicates: 0, acked: false, queued: false }
    lead.actions.add(action)
    if (action === 'DNC') lead.doNotContact = true
    this.pairs.set(key, pair)
    this.pairList.push(pair)
    return pair
  }

  /** A batch: queued re-deliveries first, then new leads, re-deliveries of any earlier pair, new actions. */
  private batch(owner: number): Pair[] {
    const size = 1 + Math.floor(this.rand() * 20)
    const out: Pair[] = []
    while (out.length < Math.min(size, 8) && this.redeliver.length > 0) {
      const p = this.redeliver.shift()!
      p.queued = false
      out.push(p)
    }
    while (out.length < size) {
      const r = this.rand()
      if (r < 0.65 || this.pairList.length === 0) out.push(this.newLead(owner))
      else if (r < 0.85) out.push(this.pick(this.pairList))
      else {
        const lead = this.pick(this.leads)
        const fresh = laterActions.filter((a) => !lead.actions.has(a))
        out.push(fresh.length === 0 ? this.newLead(owner) : this.pairOf(lead, this.pick(fresh)))
      }
    }
    return out
  }

  /** Sends one generated batch; false when it got no complete answer (the server died under it). */
  sendBatch(url: string, owner: number): Promise<boolean> {
    const items = this.batch(owner)
    return this.post(url, items, items.length === 1 && this.rand() < 0.5)
  }

  /** Re-delivers these pairs in batches of 100; false when some batch got no complete answer. */
  async resend(url: string, pairs: ReadonlyArray<Pair>): Promise<boolean> {
    let all = true
    for (let i = 0; i < pairs.length; i += 100) all = (await this.post(url, pairs.slice(i, i + 100), false)) && all
    return all
  }

  /** POSTs pairs (one as a bare object when `single`) and records every answer. */
  private async post(url: string, items: ReadonlyArray<Pair>, single: boolean): Promise<boolean> {
    const body = single ? items[0]!.payload : items.map((p) => p.payload)
    this.stats.batches++
    let status: number
    let text: string
    try {
      const res = await fetch(`${url}/v1/marketplace/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15000),
      })
      status = res.status
      text = await res.text()
    } catch {
      this.stats.batchesUnacked++
      return false
    }
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      this.anomaly(`batch answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`)
      return true
    }
    // Every lead sent is valid, so one lead answers 201/200 and a batch 200; anything else is wrong.
    const expected = single ? status === 201 || status === 200 : status === 200
    const results: ReadonlyArray<ItemAnswer> = single ? [parsed as ItemAnswer] : ((parsed as { results?: ReadonlyArray<ItemAnswer> }).results ?? [])
    if (!expected || results.length !== items.length)
      this.anomaly(`${single ? 'one lead' : `batch of ${items.length}`} answered ${status}: ${text.slice(0, 300)}`)
    else results.forEach((r, i) => this.record(items[i]!, r))
    return true
  }

  private record(pair: Pair, r: ItemAnswer): void {
    if (r.leadId === undefined) return this.anomaly(`${pair.key}: answered ${r.status} without a lead id`)
    const lead = pair.lead
    if (lead.leadId === undefined) lead.leadId = r.leadId
    else if (lead.leadId !== r.leadId) this.anomaly(`${pair.key}: lead id ${r.leadId}, earlier ${lead.leadId}`)
    if (r.status === 'accepted') {
      if (r.eventId === undefined || r.position === undefined) return this.anomaly(`${pair.key}: accepted without event id or position`)
      pair.accepted.push({ eventId: r.eventId, position: r.position })
      if (pair.accepted.length > 1)
        this.anomaly(`${pair.key}: accepted ${pair.accepted.length} times (positions ${pair.accepted.map((a) => a.position).join(', ')})`)
      this.maxAckedPosition = Math.max(this.maxAckedPosition, r.position)
    } else if (r.status === 'duplicate') {
      pair.duplicates++
    } else return this.anomaly(`${pair.key}: answered ${r.status}: ${JSON.stringify(r).slice(0, 300)}`)
    pair.acked = true
  }

  /** Sends the next qualification command to one of `owner`'s leads; `none` when none can take one. */
  async sendCommand(url: string, owner: number): Promise<'answered' | 'unanswered' | 'none'> {
    const mine = this.owned[owner] ?? []
    let lead: Lead | undefined
    for (let tries = 0; tries < 5 && mine.length > 0; tries++) {
      const l = this.pick(mine)
      if (l.leadId !== undefined && !l.doNotContact && !l.uncertain && !l.busy) {
        lead = l
        break
      }
    }
    if (lead === undefined || lead.leadId === undefined) return 'none'
    const type = this.nextCommand(lead.state)
    lead.busy = true
    try {
      let status: number
      let text: string
      try {
        const res = await fetch(`${url}/v1/leads/${lead.leadId}/commands`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type, by: COMMAND_BY, ...(type === 'DisqualifyLead' ? { reason: 'not-interested' } : {}) }),
          signal: AbortSignal.timeout(15000),
        })
        status = res.status
        text = await res.text()
      } catch {
        // No complete answer: the command may or may not be written, so this lead's state is unknown from now on.
        lead.uncertain = true
        this.stats.commandsUnacked++
        return 'unanswered'
      }
      let body: { status?: string; eventIds?: ReadonlyArray<string>; position?: number; error?: { code?: string } } = {}
      try {
        body = JSON.parse(text) as typeof body
      } catch {
        // left empty: reported below as an unexpected answer
      }
      if (status === 201 && body.status === 'accepted' && body.eventIds !== undefined && body.position !== undefined) {
        lead.commands.push({ type, eventIds: body.eventIds, position: body.position })
        this.apply(lead, type)
        this.maxAckedPosition = Math.max(this.maxAckedPosition, body.position)
        this.stats.commandsAcked++
      } else if (status === 409 && body.error?.code === 'Conflict') {
        // Lost a race with another writer of this lead three times: nothing was written, the state is unchanged.
        this.stats.commandConflicts++
      } else {
        lead.uncertain = true
        this.anomaly(`${type} on ${lead.key} (${lead.leadId}, expected state ${lead.state}) answered ${status}: ${text.slice(0, 300)}`)
      }
      return 'answered'
    } finally {
      lead.busy = false
    }
  }

  private nextCommand(s: QualificationState): CommandType {
    const r = this.rand()
    switch (s) {
      case 'captured':
        return r < 0.85 ? 'ContactLead' : 'DisqualifyLead'
      case 'contacted':
        return r < 0.5 ? 'QualifyLead' : 'StartNurturing'
      case 'nurturing':
        return r < 0.7 ? 'QualifyLead' : 'DisqualifyLead'
      case 'qualified':
        return r < 0.7 ? 'ConvertLead' : 'DisqualifyLead'
      case 'converted':
      case 'disqualified':
        return 'ReopenLead'
    }
  }

  /** The lead's lifecycle (mirrors the decider's `evolve`), applied to an acknowledged command. */
  private apply(lead: Lead, type: CommandType): void {
    const moveTo = (to: QualificationState) => {
      if (to === 'converted' || to === 'disqualified') lead.beforeFinal = lead.state
      lead.state = to
    }
    switch (type) {
      case 'ContactLead':
        return moveTo('contacted')
      case 'StartNurturing':
        return moveTo('nurturing')
      case 'QualifyLead':
        return moveTo('qualified')
      case 'ConvertLead':
        return moveTo('converted')
      case 'DisqualifyLead':
        return moveTo('disqualified')
      case 'ReopenLead':
        lead.state = lead.beforeFinal ?? 'captured'
        lead.beforeFinal = null
        return
    }
  }

  /** One client: alternates batches and commands until `live.running` turns false. */
  async client(url: string, owner: number, live: { readonly running: boolean }): Promise<void> {
    while (live.running) {
      const command = this.rand() < 0.25 ? await this.sendCommand(url, owner) : 'none'
      const answered = command === 'none' ? await this.sendBatch(url, owner) : command === 'answered'
      // The server is gone or going: do not spin on refused connections.
      if (!answered) await sleep(15)
    }
  }
}

/** Waits `ms` (the chaos and kill -9 tests import it from here). */
export { sleep }
