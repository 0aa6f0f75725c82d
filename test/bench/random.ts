// Seeded randomness for the benchmarks: the same seed gives the same data, so runs are comparable.

export interface Rng {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [0, n). */
  int(n: number): number
  chance(p: number): boolean
  pick<A>(xs: ReadonlyArray<A>): A
  /** `n` lowercase hex digits (ids that sort randomly, like the product's hashed ids). */
  hex(n: number): string
  /** A UUID-shaped random id (version nibble 4). */
  uuid(): string
}

/** mulberry32: tiny, fast, good enough to spread keys and choose mixes. */
export const rng = (seed: number): Rng => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number): number => Math.floor(next() * n)
  const hex = (n: number): string => {
    let s = ''
    while (s.length < n) s += (int(0x100000000) >>> 0).toString(16).padStart(8, '0')
    return s.slice(0, n)
  }
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <A>(xs: ReadonlyArray<A>): A => {
      const x = xs[int(xs.length)]
      if (x === undefined) throw new Error('pick from an empty list')
      return x
    },
    hex,
    uuid: () => {
      const h = hex(32)
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
    },
  }
}
