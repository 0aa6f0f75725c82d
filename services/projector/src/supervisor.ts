// Runs a projection's generations: the live one follows the log; during a rebuild a new generation is built
// beside it from the start of the log and promoted (one compare-and-set in the registry) once it has caught
// up. Readers switch at their next registry look-up; the superseded generation is dropped after a grace
// period, so a query already reading it finishes first. Pause stops every generation; resume restarts them.
import type { EventLog } from '@leadstream/event-log'
import type { Logger, Metrics } from '@leadstream/runtime'
import type { RegistryEntry, ViewStore } from '@leadstream/view-store'
import type { DeadLetters } from '@leadstream/dead-letters'
import { projector, type OnPoison, type Projector, type ProjectorStatus } from './projector.js'
import { setTimeout as sleep } from 'node:timers/promises'

export interface GenerationPorts {
  /** The base store: generation 1's views and the registry. */
  readonly base: ViewStore
  readonly openViews: (generation: number) => Promise<ViewStore>
  /** Drops a superseded generation's storage (the base's is cleared, not removed). */
  readonly dropViews: (generation: number, store: ViewStore) => Promise<void>
  /** The log a generation reads: Kafka gives each generation its own consumer group. */
  readonly openLog: (generation: number) => Promise<EventLog>
  readonly metrics: Metrics
  readonly logger: Logger
  readonly deadLetters?: DeadLetters
}

export interface SupervisorOptions {
  readonly projection: string
  /** Version of the projection code: a registry whose live generation was built by an older one is rebuilt. */
  readonly codeVersion: number
  readonly maxBatch: number
  /** Events per transaction while building a new generation (default: maxBatch): more rows share each written page. */
  readonly buildBatch?: number
  readonly onPoison?: OnPoison
  readonly reconcileMs?: number
  readonly dropAfterMs?: number
}

export interface GenerationStatus extends ProjectorStatus {
  readonly generation: number
  readonly codeVersion: number
  readonly role: 'live' | 'rebuilding'
  readonly etaSeconds: number | null
}

export interface ProjectionStatus {
  readonly projection: string
  readonly registry: RegistryEntry | null
  readonly paused: boolean
  readonly generations: ReadonlyArray<GenerationStatus>
  /** Set when the thread running the projections died: nothing is being projected. */
  readonly failure?: string
}

export interface Supervisor {
  start(): Promise<void>
  stop(): Promise<void>
  status(): Promise<ProjectionStatus>
  /** Starts a rebuild: `ok` with the new generation, or not `ok` with the reason when one is already running. */
  rebuild(): Promise<{ readonly ok: true; readonly generation: number } | { readonly ok: false; readonly reason: string }>
  setPaused(paused: boolean): Promise<RegistryEntry>
}

interface Running {
  readonly generation: number
  readonly store: ViewStore
  readonly projector: Projector
}

export const supervisor = (ports: GenerationPorts, options: SupervisorOptions): Supervisor => {
  const { projection: name, codeVersion } = options
  const running = new Map<number, Running>()
  let loop: Promise<void> | null = null
  let stopping = false
  // Wakes the reconcile loop's pause at once on stop, so shutdown does not wait for the next tick.
  let wake: () => void = () => {}
  let reconciling: Promise<void> = Promise.resolve()

  /** Reads the registry, creating it on first start, and compare-and-sets `change` until it sticks. */
  const update = async (change: (e: RegistryEntry) => RegistryEntry | null): Promise<RegistryEntry> => {
    for (;;) {
      const current = await ports.base.registry(name)
      if (current === null) {
        await ports.base.updateRegistry(name, null, { live: 1, liveVersion: codeVersion, building: null, buildingVersion: null, paused: false })
        continue
      }
      const next = change(current)
      if (next === null) return current
      if (await ports.base.updateRegistry(name, current, next)) return next
    }
  }

  const startGeneration = async (generation: number, building: boolean): Promise<void> => {
    const store = generation === 1 ? ports.base : await ports.openViews(generation)
    // Nobody reads a generation being built: it loads in bulk until promotion (finishBuild below).
    if (building && store !== ports.base) await store.beginBuild()
    const p = projector(
      {
        log: await ports.openLog(generation),
        views: store,
        metrics: ports.metrics,
        logger: ports.logger.child({ generation }),
        ...(ports.deadLetters === undefined ? {} : { deadLetters: ports.deadLetters }),
      },
      { projection: name, maxBatch: building ? (options.buildBatch ?? options.maxBatch) : options.maxBatch, onPoison: options.onPoison ?? 'stop' },
    )
    p.start()
    running.set(generation, { generation, store, projector: p })
    ports.logger.info({ projection: name, generation }, 'projection generation started')
  }

  const stopGeneration = async (generation: number, drop: boolean): Promise<void> => {
    const r = running.get(generation)
    if (r === undefined) return
    running.delete(generation)
    await r.projector.stop()
    if (!drop) {
      if (r.store !== ports.base) await r.store.close()
      return
    }
    // Readers may still hold the old generation for one registry look-up and one query: drop it later.
    setTimeout(() => {
      void ports.dropViews(generation, r.store).then(
        () => ports.logger.info({ projection: name, generation }, 'superseded generation dropped'),
        (e: unknown) => ports.logger.error({ projection: name, generation, err: String(e) }, 'dropping a superseded generation failed'),
      )
    }, options.dropAfterMs ?? 10000).unref()
  }

  const reconcile = async (): Promise<void> => {
    // A live generation built by older projection code is rebuilt with this code: how a changed
    // projection function is rolled out.
    const entry = await update((e) =>
      e.building === null && e.liveVersion < codeVersion ? { ...e, building: e.live + 1, buildingVersion: codeVersion } : null,
    )
    const wanted = new Set(entry.paused ? [] : [entry.live, ...(entry.building === null ? [] : [entry.building])])
    for (const g of [...running.keys()]) if (!wanted.has(g)) await stopGeneration(g, g < entry.live)
    for (const g of wanted) if (!running.has(g)) await startGeneration(g, g === entry.building)

    const target = entry.building
    const building = target === null ? undefined : running.get(target)
    if (building === undefined || target === null) return
    const s = await building.projector.status()
    if (s.state === 'failed' || s.lag > 0 || (s.head > 0 && s.position === 0)) return
    // Its indexes are created once, here, by sorting (far cheaper than one random insert per event); the
    // projector goes on meanwhile with durable commits. Done again if a crash comes before the swap.
    const t0 = Date.now()
    await building.store.finishBuild()
    ports.logger.info({ projection: name, generation: target, indexSeconds: (Date.now() - t0) / 1000 }, 'rebuilt generation indexed')
    const promoted = await update((e) =>
      e.building === target ? { ...e, live: target, liveVersion: e.buildingVersion ?? codeVersion, building: null, buildingVersion: null } : null,
    )
    if (promoted.live !== target) return
    ports.logger.info({ projection: name, from: entry.live, to: target }, 'rebuilt generation caught up: readers switched to it')
    await stopGeneration(entry.live, true)
  }

  const reconcileNow = () =>
    (reconciling = reconciling.then(reconcile).catch((e: unknown) => ports.logger.error({ projection: name, err: String(e) }, 'reconcile failed')))

  const statusOf = async (r: Running, entry: RegistryEntry | null): Promise<GenerationStatus> => {
    const s = await r.projector.status()
    const rebuilding = entry?.building === r.generation
    return {
      ...s,
      generation: r.generation,
      codeVersion: rebuilding ? (entry?.buildingVersion ?? codeVersion) : (entry?.liveVersion ?? codeVersion),
      role: rebuilding ? 'rebuilding' : 'live',
      etaSeconds: s.eventsPerSecond > 0 && s.lag > 0 ? Math.ceil(s.lag / s.eventsPerSecond) : s.lag === 0 ? 0 : null,
    }
  }

  return {
    start: async () => {
      await reconcileNow()
      loop = (async () => {
        while (!stopping) {
          await Promise.race([sleep(options.reconcileMs ?? 1000), new Promise<void>((r) => (wake = r))])
          if (!stopping) await reconcileNow()
        }
      })()
    },
    stop: async () => {
      stopping = true
      wake()
      await loop
      await reconciling
      for (const g of [...running.keys()]) await stopGeneration(g, false)
    },
    status: async () => {
      const entry = await ports.base.registry(name)
      const generations = await Promise.all([...running.values()].map((r) => statusOf(r, entry)))
      for (const g of generations) {
        ports.metrics.projectionLag.set({ projection: name, generation: String(g.generation), role: g.role }, g.lag)
        ports.metrics.projectionRate.set({ projection: name, generation: String(g.generation), role: g.role }, g.eventsPerSecond)
      }
      return { projection: name, registry: entry, paused: entry?.paused ?? false, generations: generations.sort((a, b) => a.generation - b.generation) }
    },
    rebuild: async () => {
      let refused: string | null = null
      const entry = await update((e) => {
        if (e.building !== null) {
          refused = `generation ${e.building} is already being built`
          return null
        }
        return { ...e, building: e.live + 1, buildingVersion: codeVersion }
      })
      if (refused !== null) return { ok: false, reason: refused }
      ports.logger.info({ projection: name, generation: entry.building }, 'rebuild started')
      await reconcileNow()
      return { ok: true, generation: entry.building ?? entry.live }
    },
    setPaused: async (paused) => {
      const entry = await update((e) => (e.paused === paused ? null : { ...e, paused }))
      await reconcileNow()
      return entry
    },
  }
}
