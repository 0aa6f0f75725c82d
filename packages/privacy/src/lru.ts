// A bounded cache of unwrapped data keys: the most recently used stay, the oldest leave first. Map keeps
// insertion order, so re-inserting on use is enough.
export class Lru<K, V> {
  private readonly entries = new Map<K, V>()
  /**
   * Where the oldest entry is: an iterator kept across calls. Everything before it was evicted or moved to the
   * end by a use, so its next live entry is the oldest. `entries.keys().next()` on each eviction instead walks
   * V8's deleted slots at the front of the table every time (they stay until it rehashes): with a cache of
   * 10,000 keys that walk was 5% of a rebuild's time.
   */
  private oldest: Iterator<K> = this.entries.keys()
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const v = this.entries.get(key)
    if (v !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, v)
    }
    return v
  }

  set(key: K, value: V): void {
    this.entries.delete(key)
    this.entries.set(key, value)
    if (this.entries.size > this.capacity) {
      let next = this.oldest.next()
      // An iterator that once reached the end stays there (a cache emptied by deletes): start a new one.
      if (next.done === true) {
        this.oldest = this.entries.keys()
        next = this.oldest.next()
      }
      if (next.done !== true) this.entries.delete(next.value)
    }
  }

  delete(key: K): void {
    this.entries.delete(key)
  }

  deleteWhere(f: (value: V) => boolean): void {
    for (const [k, v] of this.entries) if (f(v)) this.entries.delete(k)
  }

  get size(): number {
    return this.entries.size
  }

  /** The keys, oldest first. */
  keys(): ReadonlyArray<K> {
    return [...this.entries.keys()]
  }
}
