// The distributed mode's processes under chaos: one slot per process (ingest, relay, two projectors). Each slot
// keeps its process alive: started, SIGKILLed by the scheduler at a random moment (serving or still starting),
// started again after a short random delay. A process that dies without being killed, or fails to start, is
// recorded: a service that cannot survive or restart is what the chaos is looking for.
import { startService, type Spawned } from '../support/services.js'
import { sleep } from '../durability/workload.js'

export type Kind = 'ingest' | 'relay' | 'projector'
export const kinds: ReadonlyArray<Kind> = ['ingest', 'relay', 'projector']

export interface Kill {
  readonly kind: Kind
  readonly name: string
  /** When the SIGKILL was sent (ms since the epoch). */
  readonly at: number
  /** Whether the process was serving (rather than still starting) when it was killed. */
  readonly serving: boolean
  /** When its successor printed its URL, or null if it never did (it may have been killed first). */
  servingAt: number | null
}

interface Slot {
  readonly kind: Kind
  readonly name: string
  /** The current process from its spawn to its exit, and its URL once it serves. */
  child: Spawned | null
  url: string | null
  /** Set by a kill, read by the slot's loop: the exit was ours, restart after this delay. */
  killed: { readonly kill: Kill; readonly restartMs: number } | null
  /** Its loop runs (the fleet has started it). */
  running: boolean
}

export interface ChaosOptions {
  readonly kills: number
  readonly rand: () => number
  /** Pause between two kills, uniform in [min, max] ms. */
  readonly intervalMs: readonly [number, number]
  /** Pause between a kill and the restart, uniform in [min, max] ms. */
  readonly restartMs: readonly [number, number]
  /** Called right after each kill (e.g. to start measuring that kind's recovery). */
  readonly onKill?: (k: Kill) => void
  /** The scheduler stops early (with fewer kills) at this time. */
  readonly deadline: number
}

export const medianAndMax = (xs: ReadonlyArray<number>): { readonly median: number | null; readonly max: number | null } => {
  const sorted = [...xs].sort((a, b) => a - b)
  return { median: sorted[Math.floor((sorted.length - 1) / 2)] ?? null, max: sorted[sorted.length - 1] ?? null }
}

const shuffled = <A>(xs: ReadonlyArray<A>, rand: () => number): A[] => {
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

export class Fleet {
  private readonly slots: Slot[]
  readonly kills: Kill[] = []
  /** Processes that failed to start or died on their own, with their output. */
  readonly failures: string[] = []
  private stopped = false

  constructor(
    private readonly env: Readonly<Record<string, string>>,
    projectors: number,
  ) {
    this.slots = [
      { kind: 'ingest', name: 'ingest', child: null, url: null, killed: null, running: false },
      { kind: 'relay', name: 'relay', child: null, url: null, killed: null, running: false },
      ...Array.from(
        { length: projectors },
        (_, i): Slot => ({ kind: 'projector', name: `projector-${i + 1}`, child: null, url: null, killed: null, running: false }),
      ),
    ]
  }

  /** Starts ingest (which creates the event store), then every other slot; resolves when all serve. */
  async start(): Promise<void> {
    const [first, ...rest] = this.slots
    if (first === undefined) return
    void this.keepAlive(first)
    await this.allServing(60000)
    for (const s of rest) void this.keepAlive(s)
    await this.allServing(60000)
  }

  /** The URL of a serving process of this kind, or null while none serves. */
  url(kind: Kind): string | null {
    return this.slots.find((s) => s.kind === kind && s.url !== null)?.url ?? null
  }

  /** Resolves once every slot serves; throws after `ms`. */
  async allServing(ms: number): Promise<void> {
    for (const deadline = Date.now() + ms; this.slots.some((s) => s.running && s.url === null); await sleep(50))
      if (Date.now() > deadline) throw new Error(`not every service serves after ${ms} ms: ${this.failures.slice(-3).join('\n')}`)
  }

  /** One slot's life: start, serve until the process exits, restart after a kill; anything else is a failure. */
  private async keepAlive(slot: Slot): Promise<void> {
    slot.running = true
    while (!this.stopped) {
      let output = ''
      let failed = false
      try {
        // Generous: a start takes 1–3 s on an idle machine, far longer on a crowded one.
        const service = await startService(slot.kind, this.env, 60000, (child) => (slot.child = child))
        output = service.output()
        slot.url = service.url
        if (slot.killed === null) for (const k of this.kills) if (k.name === slot.name && k.servingAt === null) k.servingAt = Date.now()
        await service.exited
        output = service.output()
      } catch (e) {
        failed = slot.killed === null && !this.stopped
        if (failed) this.failures.push(`${slot.name} did not start: ${e instanceof Error ? e.message : String(e)}`.slice(0, 4000))
      }
      await slot.child?.exited
      slot.url = null
      slot.child = null
      if (this.stopped) return
      const killed = slot.killed
      slot.killed = null
      if (killed === null && !failed) this.failures.push(`${slot.name} exited without being killed:\n${output.slice(-3000)}`)
      await sleep(killed?.restartMs ?? 250)
    }
  }

  /** SIGKILLs the slot's process (serving or starting) and waits until it is gone. */
  private async kill(slot: Slot, restartMs: number, onKill?: (k: Kill) => void): Promise<void> {
    const child = slot.child
    if (child === null || slot.killed !== null) return
    const kill: Kill = { kind: slot.kind, name: slot.name, at: Date.now(), serving: slot.url !== null, servingAt: null }
    slot.killed = { kill, restartMs }
    child.kill('SIGKILL')
    await child.exited
    this.kills.push(kill)
    onKill?.(kill)
  }

  /**
   * Kills until `kills` processes died or the deadline passed, kinds in a shuffled order each round of three
   * (so the kills spread evenly over ingest, relay and projectors), then waits until every slot serves again.
   */
  async chaos(o: ChaosOptions): Promise<void> {
    const between = (r: readonly [number, number]) => r[0] + Math.floor(o.rand() * (r[1] - r[0] + 1))
    let round: Kind[] = []
    while (this.kills.length < o.kills && Date.now() < o.deadline) {
      await sleep(between(o.intervalMs))
      if (round.length === 0) round = shuffled(kinds, o.rand)
      const kind = round.shift()!
      const alive = this.slots.filter((s) => s.kind === kind && s.child !== null && s.killed === null)
      const slot = alive[Math.floor(o.rand() * alive.length)]
      // Every process of this kind is between a kill and its restart: put the kind back and try the next.
      if (slot === undefined) round.push(kind)
      else await this.kill(slot, between(o.restartMs), o.onKill)
    }
    await this.allServing(60000)
  }

  /** Stops restarting; the processes themselves are killed by the test's clean-up. */
  stop(): void {
    this.stopped = true
  }

  /** Kills per kind, and how many hit a process still starting. */
  killsBy(): Record<Kind | 'starting', number> {
    const out: Record<Kind | 'starting', number> = { ingest: 0, relay: 0, projector: 0, starting: 0 }
    for (const k of this.kills) {
      out[k.kind]++
      if (!k.serving) out.starting++
    }
    return out
  }

  /** Median and max time from a kill until the successor served, per kind (ms). */
  downtimeBy(): Record<Kind, { readonly median: number | null; readonly max: number | null }> {
    const of = (kind: Kind) => medianAndMax(this.kills.filter((k) => k.kind === kind && k.servingAt !== null).map((k) => k.servingAt! - k.at))
    return { ingest: of('ingest'), relay: of('relay'), projector: of('projector') }
  }
}
