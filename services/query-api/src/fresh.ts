// Read-your-writes for every read route: wait for `minPosition`, say the position in `X-View-Position`.
import type { Response } from 'express'
import { sendProblem } from '@leadstream/http-edge'
import type { ViewReader } from '@leadstream/view-store'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Waits until the views reflect `min`, or the deadline passes. Returns the position reached. */
export const awaitPosition = async (views: Pick<ViewReader, 'position'>, min: number, waitMs: number): Promise<number> => {
  const deadline = Date.now() + waitMs
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const p = await views.position()
    if (p >= min || Date.now() >= deadline) return p
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())))
  }
}

export interface FreshnessQuery {
  readonly minPosition?: number
  readonly waitMs?: number
}

/**
 * Applies freshness to one answer: waits for `minPosition` (up to `waitMs`, or the default), sets
 * `X-View-Position`, and returns the position; null when it has answered 503 already.
 */
export const freshness =
  (views: Pick<ViewReader, 'position'>, defaultWaitMs: number) =>
  async (res: Response, f: FreshnessQuery): Promise<number | null> => {
    const position = f.minPosition === undefined ? await views.position() : await awaitPosition(views, f.minPosition, f.waitMs ?? defaultWaitMs)
    res.setHeader('X-View-Position', String(position))
    if (f.minPosition !== undefined && position < f.minPosition) {
      res.setHeader('Retry-After', '1')
      sendProblem(res, 503, 'NotYetProjected', [{ path: 'minPosition', reason: `the views are at ${position}, not yet at ${f.minPosition}` }])
      return null
    }
    return position
  }
