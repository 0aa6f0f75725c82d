// The distributed mode's processes under chaos: one slot per process (ingest, relay, two projectors), each
// SIGKILLed at random moments by the scheduler and started again after a short random delay.
import { startService, type Service } from '../support/services.js'
import { sleep } from '../durability/workload.js'

export type Kind = 'ingest' | 'relay' | 'projector'
export const kinds: ReadonlyArray<Kind> = ['ingest', 'relay', 'projector']

interface Slot {
  readonly kind: Kind
  readonly name: string
  /** The serving process, or null while it is dead or starting. */
  service: Service | null
}

export interface Kill {
  readonly kind: Kind
  readonly name: string
  /** When the SIGKILL was sent (ms since the epoch). */
  readonly at: number
  /** When its successor printed its URL, or null if it never did. */
  servingAt: number | null
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

const START_ATTEMPTS = 5

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
  /** Starts that failed (the process exited or hung before serving), with its output: a service that cannot restart. */
  readonly failedStarts: string[] = []
  private readonly restarts = new Set<Promise<void>>()

  constructor(
    private readonly env: Readonly<Record<string, string>>,
    projectors: number,
  ) {
    this.slots = [
      { kind: 'ingest', name: 'ingest', service: null },
      { kind: 'relay', name: 'relay', service: null },
      ...Array.from({ length: projectors }, (_, i): Slot => ({ kind: 'projector', name: `projector-${i + 1}`, service: null })),
    ]
  }

  /** Starts ingest (which creates the event store), then every other slot at once; resolves when all serve. */
  async start(): Promise<void> {
    const [first, ...rest] = this.slots
    if (first !== undefined) await this.startSlot(first)
    await Promise.all(rest.map((s) => this.startSlot(s)))
  }

  /** The URL of the serving process of this kind, or null while none serves. */
  url(kind: Kind): string | null {
    return this.slots.find((s) => s.kind === kind && s.service !== null)?.service?.url ?? null
  }

  private async startSlot(slot: Slot): Promise<void> {
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      try {
        slot.service = await startService(slot.kind, this.env)
        return
      } catch (e) {
        this.failedStarts.push(`${slot.name} (attempt ${attempt}): ${e instanceof Error ? e.message : String(e)}`.slice(0, 4000))
        await sleep(250)
      }
    }
    throw new Error(`${slot.name} did not start in ${START_ATTEMPTS} attempts:\n${this.failedStarts.slice(-1).join('\n')}`)
  }

  /** SIGKILLs the slot's process, waits for it to die, and starts its successor after `restartMs` (in the background). */
  private async kill(slot: Slot, restartMs: number, onKill?: (k: Kill) => void): Promise<void> {
    const victim = slot.service
    if (victim === null) return
    slot.service = null
    const kill: Kill = { kind: slot.kind, name: slot.name, at: Date.now(), servingAt: null }
    victim.kill('SIGKILL')
    const exit = await victim.exited
    if (exit.signal !== 'SIGKILL') this.failedStarts.push(`${slot.name} had already exited (${JSON.stringify(exit)}) before its kill:\n${victim.output().slice(-2000)}`)
    this.kills.push(kill)
    onKill?.(kill)
    const restart = (async () => {
      await sleep(restartMs)
      await this.startSlot(slot)
      kill.servingAt = Date.now()
    })()
    this.restarts.add(restart)
    void restart.finally(() => this.restarts.delete(restart)).catch(() => undefined)
  }

  /**
   * Kills until `kills` processes died or the deadline passed, kinds in a shuffled order each round of three
   * (so the kills spread evenly over ingest, relay and projectors), then waits for every successor to serve.
   */
  async chaos(o: ChaosOptions): Promise<void> {
    const between = (r: readonly [number, number]) => r[0] + Math.floor(o.rand() * (r[1] - r[0] + 1))
    let round: Kind[] = []
    while (this.kills.length < o.kills && Date.now() < o.deadline) {
      await sleep(between(o.intervalMs))
      if (round.length === 0) round = shuffled(kinds, o.rand)
      const kind = round.shift()!
      const up = this.slots.filter((s) => s.kind === kind && s.service !== null)
      const slot = up[Math.floor(o.rand() * up.length)]
      // Every process of this kind is still restarting: put the kind back and try the next.
      if (slot === undefined) round.push(kind)
      else await this.kill(slot, between(o.restartMs), o.onKill)
    }
    await Promise.all([...this.restarts])
  }

  /** Median and max time from a kill until the successor served, per kind (ms). */
  downtimeBy(): Record<Kind, { readonly median: number | null; readonly max: number | null }> {
    const of = (kind: Kind) => medianAndMax(this.kills.filter((k) => k.kind === kind && k.servingAt !== null).map((k) => k.servingAt! - k.at))
    return { ingest: of('ingest'), relay: of('relay'), projector: of('projector') }
  }

  /** Kills per kind. */
  killsBy(): Record<Kind, number> {
    const out: Record<Kind, number> = { ingest: 0, relay: 0, projector: 0 }
    for (const k of this.kills) out[k.kind]++
    return out
  }
}
