// The projector: reads the event log in batches, projects them purely, commits changes + checkpoint together.
import * as E from 'fp-ts/lib/Either.js'
import type { DeadLetters } from '@leadstream/dead-letters'
import { needsOf, projectBatch, type ProjectionError } from '@leadstream/domain'
import type { EventLog, LogBatch, LogBatchEntry } from '@leadstream/event-log'
import type { Logger, Metrics } from '@leadstream/runtime'
import type { ProjectionLogic, ViewStore } from '@leadstream/view-store'

export const leadsLogic: ProjectionLogic = { needs: needsOf, project: projectBatch }

/** What a projection does with an event it cannot apply: stop there (default), or park it and go on. */
export type OnPoison = 'stop' | 'park'

/** A projection function that throws (a defect) is turned into a ProjectionError like one that returns Left. */
const guarded = (logic: ProjectionLogic): ProjectionLogic => ({
  needs: logic.needs,
  project: (events, loaded) => {
    try {
      return logic.project(events, loaded)
    } catch (e) {
      const first = events[0]
      return E.left({
        _tag: 'ProjectionError',
        position: first?.position ?? 0,
        eventId: first?.eventId ?? '',
        reason: e instanceof Error ? e.message : String(e),
      })
    }
  },
})

/** Advances the checkpoint past a parked event without changing any view. */
const skip: ProjectionLogic = {
  needs: () => ({ leadIds: [], offerKeys: [], classified: [] }),
  project: (events) => E.right({ leads: [], offers: [], counts: [], position: Math.max(0, ...events.map((e) => e.position)) }),
}

export interface ProjectorPorts {
  readonly log: EventLog
  readonly views: ViewStore
  readonly metrics: Metrics
  readonly logger: Logger
  /** Where parked events go (`onPoison: 'park'`). */
  readonly deadLetters?: DeadLetters
}

export interface ProjectorOptions {
  readonly projection?: string
  readonly maxBatch?: number
  readonly logic?: ProjectionLogic
  readonly onPoison?: OnPoison
}

export type ProjectorState = 'starting' | 'live' | 'stopped' | 'failed'

export interface ProjectorStatus {
  readonly projection: string
  readonly state: ProjectorState
  readonly position: number
  readonly head: number
  readonly lag: number
  readonly eventsPerSecond: number
  readonly lastError: { readonly message: string; readonly position?: number; readonly eventId?: string } | null
}

export interface Projector {
  /** Catches up from the stored checkpoint, then follows the log until `stop`. */
  start(): void
  /** Finishes the batch in hand (its commit is atomic either way), then resolves. */
  stop(): Promise<void>
  status(): Promise<ProjectorStatus>
}

export class ProjectionFailed extends Error {
  constructor(readonly error: ProjectionError) {
    super(`projection failed at position ${error.position} (event ${error.eventId}): ${error.reason}`)
  }
}

export const projector = (ports: ProjectorPorts, options: ProjectorOptions = {}): Projector => {
  const name = options.projection ?? 'leads'
  const logic = guarded(options.logic ?? leadsLogic)
  const onPoison = options.onPoison ?? 'stop'
  const maxBatch = options.maxBatch ?? 5000
  const abort = new AbortController()
  let state: ProjectorState = 'starting'
  let position = 0
  let lastError: ProjectorStatus['lastError'] = null
  let running: Promise<void> | null = null
  // events/s over a sliding window of recent batches
  const window: Array<{ at: number; n: number }> = []
  let lastProgress = Date.now()

  /**
   * A batch that fails is applied again one event at a time, so the event at fault is named precisely and
   * everything before it lands. That event then stops the projection, or (onPoison: 'park') goes to dead
   * letters and is stepped over. Failures of the store itself are not poison: they stop the projection. An
   * entry the log marked with a fault (a tampered sealed record) is poison the same way, without being applied.
   */
  const apply = async (partition: number, entries: ReadonlyArray<LogBatchEntry>): Promise<number> => {
    const faulty = entries.some((e) => e.fault !== undefined)
    const whole = faulty ? null : await ports.views.applyBatch(name, partition, entries, logic)
    if (whole !== null && E.isRight(whole)) return whole.right.applied
    let applied = 0
    for (const entry of entries) {
      const one: E.Either<{ readonly reason: string }, { readonly applied: number }> =
        entry.fault === undefined ? await ports.views.applyBatch(name, partition, [entry], logic) : E.left({ reason: entry.fault })
      if (E.isRight(one)) {
        applied += one.right.applied
        continue
      }
      const error: ProjectionError = { _tag: 'ProjectionError', reason: one.left.reason, position: entry.event.position, eventId: entry.event.eventId }
      if (onPoison === 'stop' || ports.deadLetters === undefined) throw new ProjectionFailed(error)
      await ports.deadLetters.record([
        {
          source: `projection:${name}`,
          format: 'event',
          problems: [{ path: `position ${entry.event.position}`, reason: error.reason }],
          payload: JSON.stringify({
            eventId: entry.event.eventId,
            streamId: entry.event.streamId,
            revision: entry.event.revision,
            type: entry.event.event.type,
          }),
          receivedAt: new Date().toISOString(),
        },
      ])
      await ports.views.applyBatch(name, partition, [entry], skip)
      lastError = { message: `parked: ${error.reason}`, position: error.position, eventId: error.eventId }
      ports.logger.warn({ projection: name, position: error.position, eventId: error.eventId, reason: error.reason }, 'poison event parked in dead letters')
    }
    return applied
  }

  const handle = async (batch: LogBatch): Promise<void> => {
    const applied = await apply(batch.partition, batch.entries)
    for (const e of batch.entries) position = Math.max(position, e.event.position)
    state = 'live'
    const now = Date.now()
    window.push({ at: now, n: batch.entries.length })
    while (window.length > 0 && window[0]!.at < now - 5000) window.shift()
    ports.metrics.eventsProjected.inc({ projection: name }, applied)
    ports.metrics.projectionPosition.set({ projection: name }, position)
    // While catching up (full batches), report progress with rate and ETA every few seconds.
    if (batch.entries.length >= maxBatch && now - lastProgress >= 5000) {
      lastProgress = now
      void status().then(
        (s) =>
          ports.logger.info(
            {
              projection: name,
              position: s.position,
              lag: s.lag,
              eventsPerSecond: s.eventsPerSecond,
              etaSeconds: s.eventsPerSecond > 0 ? Math.ceil(s.lag / s.eventsPerSecond) : null,
            },
            'projector catching up',
          ),
        () => undefined,
      )
    }
  }

  const status = async (): Promise<ProjectorStatus> => {
    const { head, lag } = await ports.log.progress(await ports.views.checkpoints(name))
    const span = window.length > 1 ? (window[window.length - 1]!.at - window[0]!.at) / 1000 : 0
    const n = window.reduce((s, w) => s + w.n, 0)
    ports.metrics.logHead.set(head)
    return {
      projection: name,
      state,
      position,
      head,
      lag,
      eventsPerSecond: span > 0 ? Math.round(n / span) : 0,
      lastError,
    }
  }

  return {
    start: () => {
      if (running !== null) return
      running = (async () => {
        try {
          position = await ports.views.position()
          ports.logger.info({ projection: name, position }, 'projector catching up from its checkpoint')
          await ports.log.consume({ resumeFrom: () => ports.views.checkpoints(name), handle, maxBatch, signal: abort.signal })
          state = 'stopped'
        } catch (e) {
          state = 'failed'
          lastError =
            e instanceof ProjectionFailed
              ? { message: e.message, position: e.error.position, eventId: e.error.eventId }
              : { message: e instanceof Error ? e.message : String(e) }
          ports.logger.error({ projection: name, err: lastError }, 'projector stopped on an error')
        }
      })()
    },
    stop: async () => {
      abort.abort()
      await running
      if (state !== 'failed') state = 'stopped'
    },
    status,
  }
}
