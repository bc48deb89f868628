import type { EcsEvent } from '../../../ecs/event.js';
import type { EventMatcher, Match } from '../../types.js';
import type { Condition } from '../condition/ast.js';
import { loadMappings, resolveField, targetsFor, type LogsourceTarget, type Mappings, type WhenValue } from '../pipeline/mappings.js';
import type { RuleSet, Search, SigmaRule } from '../rule/types.js';
import { EvalContext, type Slot } from './context.js';
import { bestGate, compileItem, every, FALSE, GATES, some, TRUE, unionGates, type Gate, type Pred, type SlotSource } from './item.js';
import { NeedleSet } from './needles.js';

export interface MatcherOptions {
  /** Logsource routing and field maps; default: the built-in `rules/mappings`. */
  mappings?: Mappings;
  /**
   * Compile a format's rules on its first event instead of up front (parser threads: a thread that
   * only sees CloudFront never compiles the thousands of Windows rules). `skipped` then lists only
   * the rules that route nowhere; compile failures are reported by the eager matcher of the main thread.
   */
  lazy?: boolean;
}
export interface SigmaMatcher extends EventMatcher {
  /** Rules compiled per format id (a rule routed to several formats counts in each). */
  readonly rulesByFormat: ReadonlyMap<string, readonly SigmaRule[]>;
  /** Rules that route to no loaded format, or could not be compiled (with the reason). */
  readonly skipped: readonly { rule: SigmaRule; reason: string }[];
}

interface CompiledRule {
  /** The rule within its format (a rule matches an event once, whichever target variant matched). */
  index: number;
  /** This compiled variant (a rule has one per target of the format, e.g. Sysmon and Security 4688). */
  variant: number;
  rule: SigmaRule;
  pred: Pred;
  gate: Gate | undefined;
}

interface Group {
  when: Pred;
  rules: CompiledRule[];
  /** Rules without a gate: evaluated for every event of the group. */
  always: CompiledRule[];
  /** Gate needle id → rules it may wake; the slots to scan for them. */
  byNeedle: Map<number, CompiledRule[]>;
  gateSlots: Slot[];
}

/** The compiled rules of one format: shared field slots and needle automata, rules grouped by logsource condition. */
class FormatBundle {
  readonly slots: Slot[] = [];
  private readonly byKey = new Map<string, Slot>();
  readonly counter = { next: 0 };
  readonly groups = new Map<string, Group>();
  ruleCount = 0;
  variantCount = 0;
  ctx: EvalContext | undefined;
  lastMatch = new Uint32Array(0);
  lastEval = new Uint32Array(0);

  constructor(readonly mappings: Mappings) {}

  slotFor(paths: string[], keyword: boolean): Slot {
    const key = `${keyword ? 'k' : 'f'}:${paths.join('|')}`;
    let s = this.byKey.get(key);
    if (!s) {
      s = { id: this.slots.length, paths: paths.map((p) => p.split('.')), keyword, needles: new NeedleSet(this.counter) };
      this.slots.push(s);
      this.byKey.set(key, s);
    }
    return s;
  }

  source(target: LogsourceTarget, taxonomy: string): SlotSource {
    return {
      slot: (field) => this.slotFor(resolveField(this.mappings, target, field, taxonomy), false),
      keywordSlot: () => this.slotFor(this.mappings.fieldmaps.get(target.fields)?.keywords ?? [], true),
    };
  }

  finish(): void {
    for (const s of this.slots) s.needles!.build();
    this.ctx = new EvalContext(this.slots, this.counter.next);
    this.lastMatch = new Uint32Array(this.ruleCount);
    this.lastEval = new Uint32Array(this.variantCount);
  }
}

/** A rule routed to one target of a format, in load order. */
interface Planned {
  rule: SigmaRule;
  target: LogsourceTarget;
  index: number;
}

/** Compiles every rule of the set into per-format closures (worker side; stateless between events). */
export function createMatcher(ruleSet: RuleSet, formatsFilter?: readonly string[], opts: MatcherOptions = {}): SigmaMatcher {
  const mappings = opts.mappings ?? defaultMappings();
  const plans = new Map<string, Planned[]>();
  const rulesByFormat = new Map<string, SigmaRule[]>();
  const skipped: { rule: SigmaRule; reason: string }[] = [];
  const allowed = formatsFilter ? new Set(formatsFilter) : undefined;
  const bundles = new Map<string, FormatBundle>();
  const compile = (p: Planned, b: FormatBundle): void => {
    const { rule, target: t } = p;
    const key = JSON.stringify(t.when);
    let g = b.groups.get(key);
    if (!g) b.groups.set(key, (g = { when: compileWhen(t.when, b), rules: [], always: [], byNeedle: new Map(), gateSlots: [] }));
    try {
      const pred = compileRule(rule, b.source(t, rule.taxonomy));
      g.rules.push({ index: p.index, variant: b.variantCount++, rule, pred, gate: GATES.get(pred) });
    } catch (e) {
      skipped.push({ rule, reason: `cannot compile for ${t.format}: ${(e as Error).message}` });
    }
  };
  const bundleOf = (format: string): FormatBundle => {
    let b = bundles.get(format);
    if (!b) bundles.set(format, (b = new FormatBundle(mappings)));
    return b;
  };
  for (const rule of ruleSet.rules) {
    if (rule.unresolved.length) {
      skipped.push({ rule, reason: `unresolved placeholders ${rule.unresolved.map((p) => `%${p}%`).join(', ')}` });
      continue;
    }
    const targets = targetsFor(mappings, rule.logsource).filter((t) => !allowed || allowed.has(t.format));
    if (targets.length === 0) {
      skipped.push({ rule, reason: `no loaded format for logsource ${showLogsource(rule)}` });
      continue;
    }
    const indexOf = new Map<string, number>();
    for (const t of targets) {
      let index = indexOf.get(t.format);
      if (index === undefined) {
        const list = rulesByFormat.get(t.format) ?? [];
        index = list.length;
        indexOf.set(t.format, index);
        list.push(rule);
        rulesByFormat.set(t.format, list);
      }
      const plan = plans.get(t.format) ?? [];
      plan.push({ rule, target: t, index });
      plans.set(t.format, plan);
      if (!opts.lazy) compile(plan[plan.length - 1]!, bundleOf(t.format));
    }
  }
  /** A format's groups, ready to run: compiled (lazy mode) and indexed on first use. */
  const ready = new Map<string, { b: FormatBundle; groups: Group[] }>();
  const readyFor = (dataset: string): { b: FormatBundle; groups: Group[] } | undefined => {
    let r = ready.get(dataset);
    if (r) return r;
    const plan = plans.get(dataset);
    if (!plan) return undefined;
    if (opts.lazy) for (const p of plan) compile(p, bundleOf(dataset));
    const b = bundleOf(dataset);
    b.ruleCount = rulesByFormat.get(dataset)!.length;
    b.finish();
    for (const g of b.groups.values()) indexGates(g);
    r = { b, groups: [...b.groups.values()] };
    ready.set(dataset, r);
    return r;
  };
  const none: Match[] = [];
  return {
    rulesByFormat,
    skipped,
    match(event: EcsEvent): Match[] {
      const dataset = event.event?.dataset;
      const r = dataset === undefined ? undefined : readyFor(dataset);
      if (!r) return none;
      const { b, groups } = r;
      const ctx = b.ctx!;
      ctx.reset(event);
      let out: Match[] | undefined;
      for (const g of groups) {
        if (!g.when(ctx)) continue;
        for (const r of g.always) out = tryRule(b, ctx, r, out);
        for (const slot of g.gateSlots) {
          if (ctx.scan(slot) === 0) continue;
          const found = ctx.found;
          for (let i = ctx.foundStart[slot.id]!, end = ctx.foundEnd[slot.id]!; i < end; i++) {
            const woken = g.byNeedle.get(found[i]!);
            if (woken) for (const r of woken) out = tryRule(b, ctx, r, out);
          }
        }
      }
      return out ?? none;
    },
  };
}

/** Evaluates a rule variant once per event; a rule matches an event at most once. */
function tryRule(b: FormatBundle, ctx: EvalContext, r: CompiledRule, out: Match[] | undefined): Match[] | undefined {
  const gen = ctx.gen;
  if (b.lastMatch[r.index] === gen || b.lastEval[r.variant] === gen) return out;
  b.lastEval[r.variant] = gen;
  if (!r.pred(ctx)) return out;
  b.lastMatch[r.index] = gen;
  (out ??= []).push({ ruleId: r.rule.ruleId, event: ctx.event });
  return out;
}

/** Splits a group's rules into always-evaluated ones and gated ones indexed by their gate needles. */
function indexGates(g: Group): void {
  const slots = new Set<Slot>();
  for (const r of g.rules) {
    if (!r.gate) {
      g.always.push(r);
      continue;
    }
    for (const s of r.gate.slots) slots.add(s);
    for (const id of r.gate.ids) {
      const list = g.byNeedle.get(id);
      if (list) list.push(r);
      else g.byNeedle.set(id, [r]);
    }
  }
  g.gateSlots = [...slots];
}

let cachedMappings: Mappings | undefined;
/** The built-in mappings (rules/mappings), loaded once per thread unless a cached copy is set (setDefaultMappings). */
export function defaultMappings(): Mappings {
  return (cachedMappings ??= loadMappings());
}

/** Uses `m` as the built-in mappings of this thread (from the rule cache, keyed by the mapping files). */
export function setDefaultMappings(m: Mappings): void {
  cachedMappings ??= m;
}

function showLogsource(r: SigmaRule): string {
  return Object.entries(r.logsource).map(([k, v]) => `${k}: ${v}`).join(', ') || '(empty)';
}

function compileRule(rule: SigmaRule, src: SlotSource): Pred {
  const cache = new Map<string, Pred>();
  const search = (name: string): Pred => {
    let p = cache.get(name);
    if (!p) {
      const s = rule.searches.get(name) as Search;
      const groups = s.groups.map((g) => {
        const items = g.map((item) => compileItem(item, src));
        return withGate(every(items), bestGate(items.map((i) => GATES.get(i))));
      });
      p = withGate(some(groups), unionGates(groups.map((x) => GATES.get(x))));
      cache.set(name, p);
    }
    return p;
  };
  const walk = (c: Condition): Pred => {
    switch (c.t) {
      case 'id':
        return search(c.name);
      case 'not': {
        const x = walk(c.x);
        return (ctx) => !x(ctx);
      }
      case 'and': {
        const xs = c.xs.map(walk);
        return withGate(every(xs), bestGate(xs.map((x) => GATES.get(x))));
      }
      case 'or': {
        const xs = c.xs.map(walk);
        return withGate(some(xs), unionGates(xs.map((x) => GATES.get(x))));
      }
      case 'const':
        return c.value ? TRUE : FALSE;
    }
  };
  return walk(rule.condition);
}

/** Records a gate; a predicate shared by several parents (some/every of one) is wrapped so gates never leak between them. */
function withGate(p: Pred, g: Gate | undefined): Pred {
  if (!g) return p;
  const own: Pred = GATES.has(p) && GATES.get(p) !== g ? (c) => p(c) : p;
  GATES.set(own, g);
  return own;
}

/** A logsource condition: every path must hold one of its values (case-insensitive), or exist / not exist. */
function compileWhen(when: Record<string, WhenValue>, b: FormatBundle): Pred {
  const preds: Pred[] = Object.entries(when).map(([path, v]) => {
    const slot = b.slotFor([path], false);
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const want = v.exists;
      return (c) => (c.raw(slot) !== undefined) === want;
    }
    const wanted = new Set((Array.isArray(v) ? v : [v]).map((x) => String(x).toLowerCase()));
    return (c) => {
      const vs = c.lower(slot);
      if (vs) for (const x of vs) if (wanted.has(x)) return true;
      return false;
    };
  });
  return preds.length ? every(preds) : TRUE;
}
