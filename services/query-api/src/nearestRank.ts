// Nearest-rank percentiles by selection instead of sorting: the rank of a percentile, and quickselect.

/** The nearest rank of percentile `p` among `len` values: the 0-based index in their ascending order. */
export const rankOf = (len: number, p: number): number => Math.max(0, Math.ceil((p / 100) * len) - 1)

/** The k-th smallest of `a[0..len)` (reorders it): Hoare's quickselect. */
export const kth = (a: Float64Array, len: number, k: number): number => {
  let [lo, hi] = [0, len - 1]
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!
    let [i, j] = [lo, hi]
    while (i <= j) {
      while (a[i]! < pivot) i++
      while (a[j]! > pivot) j--
      if (i <= j) {
        const t = a[i]!
        a[i++] = a[j]!
        a[j--] = t
      }
    }
    if (k <= j) hi = j
    else if (k >= i) lo = i
    else return a[k]!
  }
  return a[k]!
}
