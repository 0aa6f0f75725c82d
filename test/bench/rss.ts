// Peak resident set size of the benchmark's process, per step. RSS is a momentary figure: a step's peak (a
// batch held in memory, SQLite's page cache, a GC that has not run yet) falls between its two ends, so it is
// sampled on an interval while the step runs. Child processes (load clients, the Kafka services, the import
// CLI) are not counted.
import type { Figure } from './report.js'

export const mib = (bytes: number): string => `${Math.round(bytes / 1024 ** 2).toLocaleString('en-US')} MiB`

export interface RssSampler {
  /** Stops sampling; the peak RSS seen since the start, in bytes. */
  readonly stop: () => number
}

export const sampleRss = (everyMs = 50): RssSampler => {
  let peak = process.memoryUsage.rss()
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), everyMs)
  // Never what keeps the process alive.
  timer.unref()
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage.rss())
    },
  }
}

/**
 * One sampler per step of `pnpm bench`: `begin` ends the previous step and starts the next; the figures a step
 * pushed onto the shared list meanwhile are that step's, and `tag` writes its peak beside each of them.
 */
export const stepRss = (figures: ReadonlyArray<Figure>) => {
  const peaks = new Map<string, number>()
  const ranges: Array<{ readonly step: string; readonly from: number; to: number }> = []
  let current: { readonly step: string; readonly sampler: RssSampler } | null = null
  const end = (): void => {
    if (current === null) return
    peaks.set(current.step, Math.max(peaks.get(current.step) ?? 0, current.sampler.stop()))
    const last = ranges[ranges.length - 1]
    if (last !== undefined) last.to = figures.length
    current = null
  }
  return {
    begin: (step: string): void => {
      end()
      current = { step, sampler: sampleRss() }
      ranges.push({ step, from: figures.length, to: figures.length })
    },
    end,
    /** The peak of `step` (ended), formatted; '' when it did not run. */
    peak: (step: string): string => {
      const p = peaks.get(step)
      return p === undefined ? '' : mib(p)
    },
    /** `list` with each figure's step peak in its `rss` cell; `step` names the step of a list of its own. */
    tag: (list: ReadonlyArray<Figure>, step?: string): ReadonlyArray<Figure> =>
      list.map((f, i) => {
        const owner = step ?? ranges.find((r) => i >= r.from && i < r.to)?.step
        const p = owner === undefined ? undefined : peaks.get(owner)
        return p === undefined ? f : { ...f, rss: mib(p) }
      }),
    /** One line for the notes: every step's peak, in the order they ran. */
    summary: (): string =>
      `Peak RSS of the benchmark's process per step (sampled every 50 ms; child processes such as load clients and services not counted): ${[...peaks.entries()]
        .map(([s, p]) => `${s} ${mib(p)}`)
        .join(', ')}.`,
  }
}
