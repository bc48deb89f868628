import { ipInCidr } from '../../../ecs/ip.js';
import type { EcsValue } from '../../../ecs/event.js';
import type { CompareOp, DetectionItem, TimePart, ValueTest } from '../rule/types.js';
import { ONE, STAR, wrapStars, type SigmaString } from '../rule/value.js';
import type { EvalContext, Slot } from './context.js';
import { ANY, END, EXACT, START } from './needles.js';

export type Pred = (c: EvalContext) => boolean;

/**
 * A necessary condition of a predicate: it can only be true when one of these needles occurs in
 * the event. Rules with a gate are evaluated only for events where a gate needle was found.
 */
export interface Gate {
  ids: number[];
  slots: Slot[];
  /** Shortest needle: longer needles are rarer, so the better gate. */
  minLen: number;
}

/** Gates of compiled predicates (a side table, so predicates stay plain closures). */
export const GATES = new WeakMap<Pred, Gate>();

export function unionGates(gates: (Gate | undefined)[]): Gate | undefined {
  if (gates.length === 0 || gates.some((g) => !g)) return undefined;
  const ids = new Set<number>();
  const slots = new Set<Slot>();
  let minLen = Infinity;
  for (const g of gates as Gate[]) {
    for (const id of g.ids) ids.add(id);
    for (const s of g.slots) slots.add(s);
    minLen = Math.min(minLen, g.minLen);
  }
  return { ids: [...ids], slots: [...slots], minLen };
}

export function bestGate(gates: (Gate | undefined)[]): Gate | undefined {
  let best: Gate | undefined;
  for (const g of gates) {
    if (g && (!best || g.minLen > best.minLen || (g.minLen === best.minLen && g.ids.length < best.ids.length))) best = g;
  }
  return best;
}

function gated(p: Pred, g: Gate | undefined): Pred {
  if (g) GATES.set(p, g);
  return p;
}

/** What item compilation needs from the format bundle being built. */
export interface SlotSource {
  slot(field: string): Slot;
  keywordSlot(): Slot;
}

export const TRUE: Pred = () => true;
export const FALSE: Pred = () => false;

export function compileItem(item: DetectionItem, src: SlotSource): Pred {
  const slot = item.field === null ? src.keywordSlot() : src.slot(item.field);
  // Keywords search anywhere in the values unless the rule anchors them.
  const anchor = /\|(startswith|endswith)/.test(item.source);
  let tests = item.tests.map((t) => (item.field === null && !anchor && t.kind === 'string' ? { ...t, alts: t.alts.map((a) => wrapStars(a, true, true)) } : t));
  if (!item.all) tests = mergeStrings(tests);
  const preds = tests.map((t) => compileTest(t, slot, src));
  if (preds.length === 0) return FALSE;
  if (item.negate) {
    const any = some(preds);
    return (c) => c.raw(slot) !== undefined && !any(c);
  }
  const gates = preds.map((p) => GATES.get(p));
  return item.all ? gated(every(preds), bestGate(gates)) : gated(some(preds), unionGates(gates));
}

/** OR of values: all string alternatives of one case mode become one test, so their needles are checked in one loop. */
function mergeStrings(tests: ValueTest[]): ValueTest[] {
  const out: ValueTest[] = [];
  const byCase = new Map<boolean, SigmaString[]>();
  for (const t of tests) {
    if (t.kind !== 'string') out.push(t);
    else {
      const list = byCase.get(t.cased);
      if (list) list.push(...t.alts);
      else byCase.set(t.cased, [...t.alts]);
    }
  }
  for (const [cased, alts] of byCase) out.unshift({ kind: 'string', alts, cased });
  return out;
}

export function some(ps: Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (c) => a(c) || b(c);
  }
  return (c) => {
    for (let i = 0; i < ps.length; i++) if (ps[i]!(c)) return true;
    return false;
  };
}

export function every(ps: Pred[]): Pred {
  if (ps.length === 1) return ps[0]!;
  if (ps.length === 2) {
    const [a, b] = ps as [Pred, Pred];
    return (c) => a(c) && b(c);
  }
  return (c) => {
    for (let i = 0; i < ps.length; i++) if (!ps[i]!(c)) return false;
    return true;
  };
}

function compileTest(t: ValueTest, slot: Slot, src: SlotSource): Pred {
  switch (t.kind) {
    case 'string':
      return compileStrings(t.alts, t.cased, slot);
    case 'null':
      return (c) => {
        const v = c.raw(slot);
        return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
      };
    case 'exists':
      return t.want ? (c) => c.raw(slot) !== undefined : (c) => c.raw(slot) === undefined;
    case 'regex': {
      const re = t.re;
      return (c) => {
        const vs = c.strings(slot);
        if (vs) for (const v of vs) if (re.test(v)) return true;
        return false;
      };
    }
    case 'cidr': {
      const range = t.range;
      return (c) => {
        const vs = c.strings(slot);
        if (vs) for (const v of vs) if (ipInCidr(v, range)) return true;
        return false;
      };
    }
    case 'compare':
      return compileCompare(t.op, t.n, t.timePart, slot);
    case 'fieldref':
      return compileFieldref(t.mode, t.cased, slot, src.slot(t.field));
  }
}

/**
 * Wildcard-string alternatives (OR). Plain literals, optionally with a leading/trailing `*`, are
 * needles of the slot's Aho-Corasick automaton and checked together; other patterns run the glob
 * matcher, behind a needle prefilter on their longest literal part.
 */
function compileStrings(alts: SigmaString[], cased: boolean, slot: Slot): Pred {
  const ids: number[] = [];
  const flags: number[] = [];
  const others: Pred[] = [];
  const gateIds: number[] = [];
  let minLen = Infinity;
  let ungated = false;
  for (const s of alts) {
    const parts = s.parts;
    const lead = parts[0] === STAR;
    const trail = parts.length > 1 && parts[parts.length - 1] === STAR;
    const inner = parts.slice(lead ? 1 : 0, trail ? -1 : undefined);
    if (inner.length === 0) {
      // '' matches an empty value; '*' (and '**') any present value.
      others.push(lead ? (c) => c.strings(slot) !== null : (c) => (c.strings(slot) ?? []).includes(''));
      ungated = true;
      continue;
    }
    const needles = slot.needles!;
    if (!cased && inner.length === 1 && typeof inner[0] === 'string') {
      const id = needles.add(inner[0].toLowerCase());
      ids.push(id);
      flags.push(lead && trail ? ANY : lead ? END : trail ? START : EXACT);
      gateIds.push(id);
      minLen = Math.min(minLen, inner[0].length);
      continue;
    }
    const longest = parts.filter((p): p is string => typeof p === 'string').sort((a, b) => b.length - a.length)[0];
    const gate = longest ? needles.add(longest.toLowerCase()) : -1;
    if (longest) {
      gateIds.push(gate);
      minLen = Math.min(minLen, longest.length);
    } else ungated = true;
    const pattern = globCodes(parts, cased);
    others.push((c) => {
      if (gate >= 0 && (c.scan(slot) === 0 || !c.hit(gate, ANY))) return false;
      const vs = cased ? c.strings(slot) : c.lower(slot);
      if (vs) for (const v of vs) if (glob(pattern, v)) return true;
      return false;
    });
  }
  if (ids.length) others.unshift(needleAny(slot, Int32Array.from(ids), Uint8Array.from(flags)));
  return gated(some(others), ungated ? undefined : { ids: gateIds, slots: [slot], minLen });
}

function needleAny(slot: Slot, ids: Int32Array, flags: Uint8Array): Pred {
  const n = ids.length;
  if (n > 4) {
    // Many needles: walk the (few) needles found in the event instead of all of ours.
    const want = new Map<number, number>();
    for (let i = 0; i < n; i++) want.set(ids[i]!, (want.get(ids[i]!) ?? 0) | flags[i]!);
    return (c) => {
      if (c.scan(slot) === 0) return false;
      const found = c.found;
      const hit = c.hitFlags;
      for (let i = c.foundStart[slot.id]!, end = c.foundEnd[slot.id]!; i < end; i++) {
        const id = found[i]!;
        const f = want.get(id);
        if (f !== undefined && (hit[id]! & f) !== 0) return true;
      }
      return false;
    };
  }
  return (c) => {
    if (c.scan(slot) === 0) return false;
    const stamp = c.hitStamp;
    const hit = c.hitFlags;
    const gen = c.gen;
    for (let i = 0; i < n; i++) {
      const id = ids[i]!;
      if (stamp[id] === gen && (hit[id]! & flags[i]!) !== 0) return true;
    }
    return false;
  };
}

const G_STAR = -1;
const G_ONE = -2;

function globCodes(parts: SigmaString['parts'], cased: boolean): Int32Array {
  const out: number[] = [];
  for (const p of parts) {
    if (p === STAR) out.push(G_STAR);
    else if (p === ONE) out.push(G_ONE);
    else if (typeof p === 'string') {
      const s = cased ? p : p.toLowerCase();
      for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
    }
  }
  return Int32Array.from(out);
}

/** Wildcard match with one backtrack point: O(len(text) · len(pattern)) at worst, no regex. */
export function glob(p: Int32Array, s: string): boolean {
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  const n = s.length;
  const m = p.length;
  while (i < n) {
    if (j < m && (p[j] === G_ONE || p[j] === s.charCodeAt(i))) {
      i++;
      j++;
    } else if (j < m && p[j] === G_STAR) {
      star = j++;
      mark = i;
    } else if (star >= 0) {
      j = star + 1;
      i = ++mark;
    } else return false;
  }
  while (j < m && p[j] === G_STAR) j++;
  return j === m;
}

function numbersOf(v: EcsValue | undefined): number[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'number') return [v];
  if (typeof v === 'string') {
    const n = v.trim() === '' ? NaN : Number(v);
    return Number.isFinite(n) ? [n] : [];
  }
  if (Array.isArray(v)) return v.flatMap(numbersOf);
  return [];
}

function timePartOf(v: EcsValue, part: TimePart): number | undefined {
  const ms = typeof v === 'number' ? (v < 1e11 ? v * 1000 : v) : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) return undefined;
  const d = new Date(ms);
  switch (part) {
    case 'minute':
      return d.getUTCMinutes();
    case 'hour':
      return d.getUTCHours();
    case 'day':
      return d.getUTCDate();
    case 'month':
      return d.getUTCMonth() + 1;
    case 'year':
      return d.getUTCFullYear();
    case 'week': {
      // ISO 8601 week: the week with the year's first Thursday is week 1.
      const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
      const day = t.getUTCDay() || 7;
      t.setUTCDate(t.getUTCDate() + 4 - day);
      const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
      return Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7);
    }
  }
}

function compileCompare(op: CompareOp, n: number, part: TimePart | undefined, slot: Slot): Pred {
  const cmp = op === 'lt' ? (x: number) => x < n : op === 'lte' ? (x: number) => x <= n : op === 'gt' ? (x: number) => x > n : op === 'gte' ? (x: number) => x >= n : (x: number) => x === n;
  return (c) => {
    const v = c.raw(slot);
    if (v === undefined || v === null) return false;
    if (part) {
      const vals = Array.isArray(v) ? v : [v];
      return vals.some((x) => {
        const p = x === null ? undefined : timePartOf(x, part);
        return p !== undefined && cmp(p);
      });
    }
    return numbersOf(v).some(cmp);
  };
}

function compileFieldref(mode: 'eq' | 'startswith' | 'endswith' | 'contains', cased: boolean, slot: Slot, other: Slot): Pred {
  const rel = mode === 'eq' ? (a: string, b: string) => a === b : mode === 'startswith' ? (a: string, b: string) => a.startsWith(b) : mode === 'endswith' ? (a: string, b: string) => a.endsWith(b) : (a: string, b: string) => a.includes(b);
  return (c) => {
    const a = cased ? c.strings(slot) : c.lower(slot);
    const b = cased ? c.strings(other) : c.lower(other);
    if (!a || !b) return false;
    for (const x of a) for (const y of b) if (rel(x, y)) return true;
    return false;
  };
}
