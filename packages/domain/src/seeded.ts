// A seeded generator of numbers in [0, 1) for property-style tests that compare a fast path with a reference:
// the same seed gives the same sequence, so a failing case can be replayed. Not for anything secret.

/** A linear congruential generator (Numerical Recipes' constants), 32 bits of state. */
export const seededRandom = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
