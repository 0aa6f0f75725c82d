// Waiting for the views to reach a log position: the query API's `minPosition`, and the privacy operations (an
// erasure's scrub, a retention sweep) that must see the views caught up. One helper for every reader.
import { setTimeout as sleep } from 'node:timers/promises'
import type { ViewReader } from './port.js'

/** Waits until the views reflect `min`, or the deadline passes. Returns the position reached. */
export const awaitPosition = async (views: Pick<ViewReader, 'position'>, min: number, waitMs: number): Promise<number> => {
  const deadline = Date.now() + waitMs
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    const p = await views.position()
    if (p >= min || Date.now() >= deadline) return p
    await sleep(Math.min(pause, Math.max(1, deadline - Date.now())))
  }
}
