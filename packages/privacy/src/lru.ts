// A bounded cache of unwrapped data keys: the most recently used stay, the oldest leave first. Map keeps
// insertion order, so re-inserting on use is enough.
export class Lru<K, V> {
  private readonly entries = new Map<K, V>()
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
      const oldest = this.entries.keys().next()
      if (oldest.done !== true) this.entries.delete(oldest.value)
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
}
