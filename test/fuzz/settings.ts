// The fuzz suites' fast-check parameters: a fixed seed by default so a run can be repeated; FC_SEED and FC_RUNS
// vary them. The seed is printed, so a failure found on another seed can be replayed with FC_SEED.
import type * as fc from 'fast-check'

const seed = Number(process.env['FC_SEED'] ?? 20261201)
const runsFactor = Number(process.env['FC_RUNS'] ?? 1)
let printed = false

/** fast-check parameters for a property that runs `runs` times by default (scaled by FC_RUNS). */
export const fuzzParams = <T>(runs: number): fc.Parameters<T> => {
  if (!printed) {
    process.stdout.write(`  fuzz: FC_SEED=${seed} FC_RUNS=${runsFactor} (runs x ${runsFactor})\n`)
    printed = true
  }
  return { seed, numRuns: Math.max(1, Math.round(runs * runsFactor)), endOnFailure: true }
}
