// Latency summaries: nearest-rank percentiles over the recorded samples (milliseconds).

export interface Latency {
  readonly n: number
  readonly p50: number
  readonly p95: number
  readonly p99: number
  readonly max: number
  readonly mean: number
}

export const latency = (samplesMs: ReadonlyArray<number>): Latency => {
  const sorted = Float64Array.from(samplesMs).sort()
  const at = (p: number): number => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN
  const sum = sorted.reduce((s, x) => s + x, 0)
  return { n: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: at(100), mean: sorted.length === 0 ? NaN : sum / sorted.length }
}
