// How long the pipeline takes to get over each kill, measured from outside the processes: after an ingest
// kill, until the inbound consumer group has committed everything that was on the topic at the kill; after
// a relay kill, until its checkpoint covers the event store's head at the kill; after a projector kill,
// until the views' checkpoints cover everything that was on `lead-events` at the kill.
import Database from 'better-sqlite3'
import { join } from 'node:path'
import type { Admin } from 'kafkajs'
import type { ViewStore } from '@leadstream/view-store'
import { diffCounters, foldCounters, portCounters, readEvents } from '../support/fold.js'
import { sleep } from '../durability/workload.js'
import { medianAndMax, type Kill, type Kind } from './fleet.js'

/** Partition → offset. */
type Offsets = ReadonlyMap<number, number>

export interface Probes {
  /** The next offset of each partition (high watermark). */
  highs(topic: string): Promise<Offsets>
  /** The next offset the group will read in each partition (its committed offset). */
  committed(groupId: string, topic: string): Promise<Offsets>
  /** The last offset applied to the views in each partition of `lead-events`. */
  applied(): Promise<Offsets>
  storeHead(): number
  relayCheckpoint(): number
  close(): void
}

export const probes = (admin: Admin, views: ViewStore, dataDir: string): Probes => {
  const events = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true })
  let relay: Database.Database | null = null
  return {
    highs: async (topic) => new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)])),
    committed: async (groupId, topic) =>
      new Map((await admin.fetchOffsets({ groupId, topics: [topic] })).flatMap((t) => t.partitions.map((p) => [p.partition, Number(p.offset)] as const))),
    applied: async () => new Map((await views.checkpoints('leads')).map((c) => [c.partition, c.offset])),
    storeHead: () => events.prepare<[], { p: number | null }>('SELECT max(position) AS p FROM events').get()?.p ?? 0,
    relayCheckpoint: () => {
      relay ??= new Database(join(dataDir, 'relay.db'), { readonly: true, fileMustExist: true })
      return relay.prepare<[], { value: number }>("SELECT value FROM checkpoints WHERE name = 'relay:lead-events'").get()?.value ?? 0
    },
    close: () => {
      events.close()
      relay?.close()
    },
  }
}

/** Every partition of `target` is reached in `now` (offsets compared after `shift`: -1 for last-applied offsets). */
const covers = (now: Offsets, target: Offsets, shift: number): boolean => [...target].every(([p, o]) => o <= 0 || (now.get(p) ?? -1) >= o + shift)

interface Watch {
  readonly kill: Kill
  readonly reached: () => Promise<boolean>
  ms: number | null
}

export interface Topics {
  readonly inbound: string
  readonly events: string
  readonly ingestGroup: string
}

/** Watches each kill until the pipeline is past it; `summary()` gives the recovery times per kind. */
export class Recovery {
  private readonly watches: Watch[] = []
  private running = true
  private readonly loop: Promise<void>

  constructor(
    private readonly p: Probes,
    private readonly topics: Topics,
  ) {
    this.loop = (async () => {
      while (this.running) {
        for (const w of this.watches) if (w.ms === null && (await w.reached().catch(() => false))) w.ms = Date.now() - w.kill.at
        await sleep(200)
      }
    })()
  }

  /** Starts watching a kill: its target is what the pipeline held at that moment. */
  watch(kill: Kill): void {
    const { p, topics } = this
    const target: Promise<() => Promise<boolean>> = (async () => {
      switch (kill.kind) {
        case 'ingest': {
          const highs = await p.highs(topics.inbound)
          return async () => covers(await p.committed(topics.ingestGroup, topics.inbound), highs, 0)
        }
        case 'relay': {
          const head = p.storeHead()
          return async () => p.relayCheckpoint() >= head
        }
        case 'projector': {
          const highs = await p.highs(topics.events)
          return async () => covers(await p.applied(), highs, -1)
        }
      }
    })()
    this.watches.push({ kill, reached: async () => (await target)(), ms: null })
  }

  /** Stops watching; kills not yet recovered from are reported as such. */
  async stop(): Promise<void> {
    this.running = false
    await this.loop
  }

  summary(): Record<Kind, { readonly median: number | null; readonly max: number | null; readonly unrecovered: number }> {
    const of = (kind: Kind) => ({
      ...medianAndMax(this.watches.filter((w) => w.kill.kind === kind && w.ms !== null).map((w) => w.ms!)),
      unrecovered: this.watches.filter((w) => w.kill.kind === kind && w.ms === null).length,
    })
    return { ingest: of('ingest'), relay: of('relay'), projector: of('projector') }
  }
}

/**
 * Polls until the pipeline is quiet and right: ingest has committed everything on the inbound topic, the relay
 * has published the store's head, and the PostgreSQL views equal a fold of the whole store. Returns when that
 * happened, or the last difference seen once `ms` have passed.
 */
export const untilRecovered = async (
  p: Probes,
  views: ViewStore,
  dataDir: string,
  topics: Topics,
  ms: number,
): Promise<{ readonly at: number } | { readonly diff: string }> => {
  let diff = 'not compared yet: the inbound topic or the relay never caught up'
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(250)) {
    const consumed = covers(await p.committed(topics.ingestGroup, topics.inbound), await p.highs(topics.inbound), 0)
    if (!consumed || p.relayCheckpoint() < p.storeHead()) continue
    diff = diffCounters(foldCounters(readEvents(dataDir)), await portCounters(views))
    if (diff === '') return { at: Date.now() }
  }
  return { diff }
}
