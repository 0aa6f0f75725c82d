// /healthz answers at once even when what it asks is busy (the projector thread in the middle of a large
// batch answers its status only between batches): orchestrators and load balancers time out in seconds.
import type { Health } from '@leadstream/api'

/** A last answer older than this is no longer a sign of health: the probe is stuck. */
const STALE_MS = 30_000

/**
 * Wraps a health probe: when it answers within `waitMs` that answer is given; when it is slower, the last
 * answer is given again with its age (`staleMs`), while the probe runs on. One probe runs at a time.
 */
export const promptHealth = (probe: () => Promise<Health>, waitMs = 20): (() => Promise<Health>) => {
  let last: { readonly health: Health; readonly at: number } | null = null
  let running: Promise<Health> | null = null
  return async () => {
    running ??= probe()
      .then((health) => {
        last = { health, at: Date.now() }
        return health
      })
      .finally(() => {
        running = null
      })
    if (last === null) return running
    const known = last
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), waitMs)))
    const fresh = await Promise.race([running, late])
    clearTimeout(timer)
    if (fresh !== null) return fresh
    const staleMs = Date.now() - known.at
    return staleMs > STALE_MS
      ? { ...known.health, ok: false, staleMs, reason: 'the health probe has not answered for over 30 s' }
      : { ...known.health, staleMs }
  }
}
