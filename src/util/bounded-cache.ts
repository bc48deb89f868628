/**
 * A bounded memo for pure, expensive helpers (user-agent parsing, domain splitting) whose inputs
 * repeat heavily in logs. When full it starts over instead of tracking recency: a hit costs one
 * Map lookup, and the working set of a log refills it at once.
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.capacity && !this.map.has(key)) this.map.clear();
    this.map.set(key, value);
  }

  get size(): number {
    return this.map.size;
  }
}
