// The projector: reads the event log in batches, projects them purely, commits changes + checkpoint together.
import * as E from 'fp-ts/lib/Either.js'
import { needsOf, projectBatch, type ProjectionError } from '@leadstream/domain'
import type { EventLog, LogBatch } from '@leadstream/event-log'
import type { Logger, Metrics } from '@leadstream/runtime'
import type { ProjectionLogic, ViewStore } from '@leadstream/view-store'

const logic: ProjectionLogic = { needs: needsOf, project: projectBatch }

export interface ProjectorPorts {
  readonly log: EventLog
  readonly views: ViewStore
  readonly metrics: Metrics
  readonly logger: Logger
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

export const projector = (ports: ProjectorPorts, options: { readonly projection?: string; readonly maxBatch?: number } = {}): Projector => {
  const name = options.projection ?? 'leads'
  const maxBatch = options.maxBatch ?? 5000
  const abort = new AbortController()
  let state: ProjectorState = 'starting'
  let position = 0
  let lastError: ProjectorStatus['lastError'] = null
  let running: Promise<void> | null = null
  // events/s over a sliding window of recent batches
  const window: Array<{ at: number; n: number }> = []
  let lastProgress = Date.now()

  const handle = async (batch: LogBatch): Promise<void> => {
    const applied = await ports.views.applyBatch(name, batch.partition, batch.entries, logic)
    if (E.isLeft(applied)) throw new ProjectionFailed(applied.left)
    for (const e of batch.entries) position = Math.max(position, e.event.position)
    state = 'live'
    const now = Date.now()
    window.push({ at: now, n: batch.entries.length })
    while (window.length > 0 && window[0]!.at < now - 5000) window.shift()
    ports.metrics.eventsProjected.inc({ projection: name }, applied.right.applied)
    ports.metrics.projectionPosition.set({ projection: name }, position)
    // While catching up (full batches), report progress with rate and ETA every few seconds.
    if (batch.entries.length >= maxBatch && now - lastProgress >= 5000) {
      lastProgress = now
      void status().then(
        (s) => ports.logger.info({ projection: name, position: s.position, lag: s.lag, eventsPerSecond: s.eventsPerSecond, etaSeconds: s.eventsPerSecond > 0 ? Math.ceil(s.lag / s.eventsPerSecond) : null }, 'projector catching up'),
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
