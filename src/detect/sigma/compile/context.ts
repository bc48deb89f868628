import type { EcsEvent, EcsObject, EcsValue } from '../../../ecs/event.js';
import { NeedleSet } from './needles.js';

/** A field as one format reads it: ECS paths (first present wins), or the keyword search set. */
export interface Slot {
  id: number;
  /** Split paths; for a keyword slot with no paths, every string value of the event. */
  paths: string[][];
  keyword: boolean;
  needles: NeedleSet | undefined;
}

/**
 * Per-event evaluation state of one format's compiled rules. Field values, their lower-cased form
 * and needle scans are computed on first use and stamped with the event generation, so each is
 * done at most once per event however many rules read the field.
 */
export class EvalContext {
  event: EcsEvent = {};
  gen = 0;
  private readonly rawStamp: Uint32Array;
  private readonly raws: (EcsValue | undefined)[];
  private readonly strStamp: Uint32Array;
  private readonly strs: (string[] | null)[];
  private readonly lowStamp: Uint32Array;
  private readonly lows: (string[] | null)[];
  private readonly strBuf: (string[] | undefined)[] = [];
  private readonly lowBuf: (string[] | undefined)[] = [];
  private readonly scanStamp: Uint32Array;
  private readonly scanHits: Uint32Array;
  /** Needle ids found in this event, slot by slot: slot s owns found[foundStart[s] .. foundEnd[s]). */
  readonly found: number[] = [];
  readonly foundStart: Uint32Array;
  readonly foundEnd: Uint32Array;
  readonly hitStamp: Uint32Array;
  readonly hitFlags: Uint8Array;

  constructor(slots: readonly Slot[], needleCount: number) {
    const n = slots.length;
    this.rawStamp = new Uint32Array(n);
    this.raws = new Array(n).fill(undefined);
    this.strStamp = new Uint32Array(n);
    this.strs = new Array(n).fill(null);
    this.lowStamp = new Uint32Array(n);
    this.lows = new Array(n).fill(null);
    this.scanStamp = new Uint32Array(n);
    this.scanHits = new Uint32Array(n);
    this.foundStart = new Uint32Array(n);
    this.foundEnd = new Uint32Array(n);
    this.hitStamp = new Uint32Array(needleCount);
    this.hitFlags = new Uint8Array(needleCount);
  }

  reset(event: EcsEvent): void {
    this.event = event;
    // Setting an array's length is a runtime call: skip it when there is nothing to clear (measured).
    if (this.found.length !== 0) this.found.length = 0;
    // Generation 0 is "never computed"; wrap-around skips it.
    this.gen = this.gen === 0xffffffff ? 1 : this.gen + 1;
  }

  /** The first present value of the slot's paths (undefined when none is present). */
  raw(slot: Slot): EcsValue | undefined {
    const id = slot.id;
    if (this.rawStamp[id] === this.gen) return this.raws[id];
    let v: EcsValue | undefined;
    for (const p of slot.paths) {
      v = getParts(this.event, p);
      if (v !== undefined && v !== null) break;
    }
    if (v === null) v = undefined;
    this.rawStamp[id] = this.gen;
    this.raws[id] = v;
    return v;
  }

  /**
   * String forms of the slot's value(s): scalars as text, arrays flattened; null when absent.
   * The arrays are reused from event to event (no allocation per event); callers must not keep them.
   */
  strings(slot: Slot): string[] | null {
    const id = slot.id;
    if (this.strStamp[id] === this.gen) return this.strs[id]!;
    const out = (this.strBuf[id] ??= []);
    let present = true;
    const single = slot.keyword ? undefined : this.raw(slot);
    if (typeof single === 'string') {
      // The common case, one string value: reuse the array without resizing it.
      if (out.length !== 1) out.length = 1;
      out[0] = single;
    } else if (slot.keyword) {
      out.length = 0;
      if (slot.paths.length === 0) collectStrings(this.event, out, 0);
      else for (const p of slot.paths) collectStrings(getParts(this.event, p), out, 0);
    } else {
      out.length = 0;
      if (single === undefined || single === null) present = false;
      else pushStrings(single, out);
    }
    this.strStamp[id] = this.gen;
    this.strs[id] = present ? out : null;
    return this.strs[id]!;
  }

  lower(slot: Slot): string[] | null {
    const id = slot.id;
    if (this.lowStamp[id] === this.gen) return this.lows[id]!;
    const s = this.strings(slot);
    let out: string[] | null = null;
    if (s !== null) {
      out = this.lowBuf[id] ??= [];
      if (out.length !== s.length) out.length = s.length;
      for (let i = 0; i < s.length; i++) out[i] = s[i]!.toLowerCase();
    }
    this.lowStamp[id] = this.gen;
    this.lows[id] = out;
    return out;
  }

  /**
   * Runs the slot's needle automaton over its lower-cased values (once per event) and returns how
   * many needle occurrences it found: 0, the common case, settles every needle test of the slot.
   */
  scan(slot: Slot): number {
    const id = slot.id;
    if (this.scanStamp[id] === this.gen) return this.scanHits[id]!;
    this.scanStamp[id] = this.gen;
    let hits = 0;
    this.foundStart[id] = this.found.length;
    const values = this.lower(slot);
    if (values !== null && slot.needles && slot.needles.size) for (const v of values) hits += slot.needles.scan(v, this.gen, this.hitStamp, this.hitFlags, this.found);
    this.foundEnd[id] = this.found.length;
    this.scanHits[id] = hits;
    return hits;
  }

  hit(id: number, flag: number): boolean {
    return this.hitStamp[id] === this.gen && (this.hitFlags[id]! & flag) !== 0;
  }
}

function getParts(obj: EcsObject, parts: readonly string[]): EcsValue | undefined {
  let cur: EcsValue | undefined = obj;
  for (let i = 0; i < parts.length; i++) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as EcsObject)[parts[i]!];
  }
  return cur;
}

function pushStrings(v: EcsValue, out: string[]): void {
  if (typeof v === 'string') out.push(v);
  else if (typeof v === 'number' || typeof v === 'boolean') out.push(String(v));
  else if (Array.isArray(v)) {
    for (const x of v) if (x !== null && x !== undefined) pushStrings(x, out);
  } else if (v !== null) out.push(JSON.stringify(v));
}

function collectStrings(v: EcsValue | undefined, out: string[], depth: number): void {
  if (v === undefined || v === null || depth > 16) return;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) collectStrings(x, out, depth + 1);
  else if (typeof v === 'object') for (const k in v) collectStrings(v[k], out, depth + 1);
}
