/** Where a needle was found in one value: anywhere, at its start, at its end, or as the whole value. */
export const ANY = 1;
export const START = 2;
export const END = 4;
export const EXACT = 8;

/** ASCII; the dense table is indexed `row << 7 | char`, so this stays 128. */
const ALPHABET = 128;
const DENSE_NODES = 4096;

/**
 * Aho-Corasick over the (lower-cased) literal needles of every rule that reads one field: one pass
 * over a value finds all of them, so the cost per event does not grow with the number of
 * `contains`/`startswith`/`endswith`/equality values. ASCII transitions of the shallow nodes are a
 * dense table (one array read per character); deeper nodes and other characters follow failure links.
 */
export class NeedleSet {
  private readonly needles: string[] = [];
  private readonly index = new Map<string, number>();
  /**
   * Dense ASCII rows of the shallow nodes: `row << 7 | char` → next node, bitwise-negated (`~next`,
   * negative) when a needle ends there or at one of its suffixes. One typed-array read and one sign
   * test per character is the whole inner loop for ASCII text; Int32 for every set, so the scan stays
   * monomorphic across the slots of a format (measured: half the time of a Uint16/Int32 table read
   * plus a separate per-node output lookup).
   */
  private delta = new Int32Array(0);
  /** Per node: itself when a needle ends there, else the nearest dictionary suffix (0: none). */
  private first = new Int32Array(0);
  private dense = 0;
  private children: Map<number, number>[] = [];
  private fail = new Int32Array(0);
  private term = new Int32Array(0);
  private dict = new Int32Array(0);
  private lens = new Int32Array(0);
  private readonly globalIds: number[] = [];
  private gids = new Int32Array(0);
  private built = false;

  /** Ids come from a counter shared by every set of a format, so they index one hit array. */
  constructor(private readonly counter: { next: number }) {}

  get size(): number {
    return this.needles.length;
  }

  add(needle: string): number {
    if (this.built) throw new Error('NeedleSet.add after build');
    let id = this.index.get(needle);
    if (id === undefined) {
      id = this.needles.length;
      this.needles.push(needle);
      this.index.set(needle, id);
      this.globalIds.push(this.counter.next++);
    }
    return this.globalIds[id]!;
  }

  build(): void {
    // Trie, then renumber its nodes breadth-first so the shallow (most visited) ones come first.
    const kids: Map<number, number>[] = [new Map()];
    const ends: number[] = [-1];
    this.needles.forEach((n, id) => {
      let s = 0;
      for (let i = 0; i < n.length; i++) {
        const c = n.charCodeAt(i);
        let next = kids[s]!.get(c);
        if (next === undefined) {
          next = kids.length;
          kids.push(new Map());
          ends.push(-1);
          kids[s]!.set(c, next);
        }
        s = next;
      }
      ends[s] = id;
    });
    const order: number[] = [0];
    for (let q = 0; q < order.length; q++) for (const child of kids[order[q]!]!.values()) order.push(child);
    const rank = new Int32Array(kids.length);
    order.forEach((node, i) => (rank[node] = i));
    const count = kids.length;
    const children: Map<number, number>[] = order.map((node) => new Map([...kids[node]!].map(([c, n]) => [c, rank[n]!])));
    const term = Int32Array.from(order, (node) => ends[node]!);
    const fail = new Int32Array(count);
    const dict = new Int32Array(count);
    // Failure links in breadth-first order (parents before children).
    for (let s = 0; s < count; s++) {
      for (const [c, child] of children[s]!) {
        let f = fail[s]!;
        let target = 0;
        if (s !== 0) {
          for (;;) {
            const n = children[f]!.get(c);
            if (n !== undefined) {
              target = n;
              break;
            }
            if (f === 0) break;
            f = fail[f]!;
          }
        }
        fail[child] = target;
        dict[child] = term[target]! >= 0 ? target : dict[target]!;
      }
    }
    // Dense ASCII rows (one array read per character) for the shallow nodes only: a full table for
    // tens of thousands of Windows needles would take hundreds of megabytes.
    const dense = Math.min(count, DENSE_NODES);
    const first = Int32Array.from(term, (t, i) => (t >= 0 ? i : dict[i]!));
    const next = new Int32Array(dense * ALPHABET);
    for (let s = 0; s < dense; s++) {
      for (let c = 0; c < ALPHABET; c++) {
        const child = children[s]!.get(c);
        next[s * ALPHABET + c] = child !== undefined ? child : s === 0 ? 0 : next[fail[s]! * ALPHABET + c]!;
      }
    }
    // The root (node 0) never ends a needle, so ~node is always negative where it is used.
    const delta = new Int32Array(next.length);
    for (let i = 0; i < next.length; i++) delta[i] = first[next[i]!]! > 0 ? ~next[i]! : next[i]!;
    this.dense = dense;
    this.delta = delta;
    this.fail = fail;
    this.dict = dict;
    this.term = term;
    this.first = first;
    this.children = children;
    this.lens = Int32Array.from(this.needles, (n) => n.length);
    this.gids = Int32Array.from(this.globalIds);
    this.built = true;
  }

  /**
   * Marks every needle found in `text` in `flags` (stamped with `gen`) and appends newly found ids
   * to `found`; returns the number of occurrences.
   */
  scan(text: string, gen: number, stamp: Uint32Array, flags: Uint8Array, found: number[]): number {
    const n = text.length;
    let hits = 0;
    const { delta, first, dense } = this;
    let s = 0;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < ALPHABET && s < dense) {
        const x = delta[(s << 7) | c]!;
        if (x >= 0) {
          s = x;
          continue;
        }
        s = ~x;
      } else {
        s = this.step(s, c);
        if (first[s]! === 0) continue;
      }
      hits += this.report(s, i, n, gen, stamp, flags, found);
    }
    return hits;
  }

  /** Records the needles ending at position `i` in node `s` (rare: most characters end none). */
  private report(s: number, i: number, n: number, gen: number, stamp: Uint32Array, flags: Uint8Array, found: number[]): number {
    const { term, dict, lens, gids } = this;
    let hits = 0;
    let t = this.first[s]!;
    while (t > 0) {
      const local = term[t]!;
      const id = gids[local]!;
      const atStart = i + 1 === lens[local]!;
      const atEnd = i === n - 1;
      const f = ANY | (atStart ? START : 0) | (atEnd ? END : 0) | (atStart && atEnd ? EXACT : 0);
      if (stamp[id] !== gen) {
        stamp[id] = gen;
        flags[id] = f;
        found.push(id);
      } else flags[id]! |= f;
      hits++;
      t = dict[t]!;
    }
    return hits;
  }

  /** Goto with failure links, for deep nodes and non-ASCII characters. */
  private step(s: number, c: number): number {
    for (;;) {
      if (c < ALPHABET && s < this.dense) {
        const x = this.delta[(s << 7) | c]!;
        return x < 0 ? ~x : x;
      }
      const next = this.children[s]!.get(c);
      if (next !== undefined) return next;
      if (s === 0) return 0;
      s = this.fail[s]!;
    }
  }
}
