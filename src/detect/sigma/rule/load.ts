import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { LoadError, Search, RuleSet, SigmaCorrelation, SigmaFilter, SigmaRule } from './types.js';
import { fileSizeReason, readRuleYaml, yamlLimitReason } from './yaml.js';
import { parseDocument, type DocContext } from './parse.js';
import { RuleError } from './detection.js';
import { loadFilesParallel } from './parallel.js';
import type { Condition } from '../condition/ast.js';

export interface LoadOptions {
  /** Values of `%placeholder%`s for the `expand` modifier. */
  placeholders?: Record<string, string[]>;
  /** Parse large rule sets on a helper thread too (see ./parallel.ts); the result is the same. */
  parallel?: boolean;
}

/** Filters applied to one rule: each adds its searches to the rule and a term to its condition. */
export const MAX_FILTERS_PER_RULE = 100;
/** Correlations built on correlations, levels deep (Sigma chains are 2–3 deep); alerts pass up the chain recursively. */
export const MAX_CORRELATION_DEPTH = 32;
/**
 * Paths from a correlation down to the rules it is built on: one match reaches the correlation once
 * per path, so shared inner correlations (a diamond: two at each level, each using both below) make
 * it exponential in the depth — 65,536 alerts from one event at 16 levels.
 */
export const MAX_CORRELATION_PATHS = 1000;

const RULE_FILE = /\.ya?ml$/i;
const SIGMAHQ_DIR = /^rules(-[a-z-]+)?$/;

/** Loads rules, correlations and filters from files and directories (recursively, `*.yml`/`*.yaml`). */
export function loadRules(paths: readonly string[], opts: LoadOptions = {}): RuleSet {
  const set = emptySet();
  // Unreadable paths and files, in the order met: each file's findings are merged at its place.
  const order: (LoadError | number)[] = [];
  const files: string[] = [];
  for (const p of paths) {
    try {
      for (const f of statSync(p).isDirectory() ? walk(p) : [p]) order.push(files.push(f) - 1);
    } catch (e) {
      order.push({ path: p, message: `cannot read: ${(e as Error).message}` });
    }
  }
  const parts = opts.parallel ? loadFilesParallel(files, opts) : files.map((f) => loadFile(f, opts));
  for (const o of order) {
    if (typeof o !== 'number') set.errors.push(o);
    else mergeInto(set, parts[o]!);
  }
  return finishRuleSet(set);
}

/** The rule files `loadRules` reads for `paths`, in its order, and the paths it cannot read. */
export function listRuleFiles(paths: readonly string[]): { files: string[]; unreadable: string[] } {
  const files: string[] = [];
  const unreadable: string[] = [];
  for (const p of paths) {
    try {
      files.push(...(statSync(p).isDirectory() ? walk(p) : [p]));
    } catch {
      unreadable.push(p);
    }
  }
  return { files, unreadable };
}

/** One file's rules, correlations, filters and findings. */
export function loadFile(f: string, opts: LoadOptions): RuleSet {
  const set = emptySet();
  let text: string;
  try {
    const tooLarge = fileSizeReason(statSync(f).size);
    if (tooLarge) {
      set.files++;
      set.errors.push({ path: f, message: tooLarge });
      return set;
    }
    text = readFileSync(f, 'utf8');
  } catch (e) {
    set.errors.push({ path: f, message: `cannot read: ${(e as Error).message}` });
    return set;
  }
  addRuleText(set, text, f, opts);
  return set;
}

function emptySet(): RuleSet {
  return { rules: [], correlations: [], filters: [], errors: [], warnings: [], files: 0 };
}

function mergeInto(set: RuleSet, part: RuleSet): void {
  set.rules.push(...part.rules);
  set.correlations.push(...part.correlations);
  set.filters.push(...part.filters);
  set.errors.push(...part.errors);
  set.warnings.push(...part.warnings);
  set.files += part.files;
}

/** Loads rules from YAML text (tests, `--mappings`-style inline use). */
export function loadRuleText(text: string, path = 'inline.yml', opts: LoadOptions = {}): RuleSet {
  const set = emptySet();
  addRuleText(set, text, path, opts);
  return finishRuleSet(set);
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else if (e.isFile() && RULE_FILE.test(e.name)) out.push(full);
  }
  return out;
}

function addRuleText(set: RuleSet, text: string, path: string, opts: LoadOptions): void {
  set.files++;
  let read: ReturnType<typeof readRuleYaml>;
  try {
    read = readRuleYaml(text);
  } catch (e) {
    // No file stops the others from loading: what the limits above did not foresee is this file's error.
    set.errors.push({ path, message: unexpected(e) });
    return;
  }
  const { docs, errors } = read;
  for (const e of errors) set.errors.push({ path, ...(e.line !== undefined ? { line: e.line } : {}), message: e.message });
  const ctx: DocContext = { path, origin: originOf(path), items: { placeholders: opts.placeholders ?? {}, unresolved: new Set(), fileRegex: { instructions: 0 } } };
  for (const d of docs) {
    const title = typeof d.value.title === 'string' ? d.value.title : undefined;
    try {
      const { doc, warnings, warningLine } = parseDocument(d, ctx);
      for (const w of warnings) set.warnings.push({ path, line: warningLine ?? d.line, ...(title ? { rule: title } : {}), message: w });
      if (doc.type === 'rule') set.rules.push(doc);
      else if (doc.type === 'correlation') set.correlations.push(doc);
      else set.filters.push(doc);
    } catch (e) {
      const message = e instanceof RuleError ? e.message : unexpected(e);
      set.errors.push({ path, line: (e instanceof RuleError ? e.line : undefined) ?? d.line, ...(title ? { rule: title } : {}), message });
    }
  }
}

function unexpected(e: unknown): string {
  return yamlLimitReason(e) ?? `cannot load: ${e instanceof Error ? e.message : String(e)}`;
}

const originCache = new Map<string, { link: string; license: string } | null>();

/** SigmaHQ rules (a `rules*` folder beside `LICENSE.Detection.Rules.md`) get their GitHub link and DRL 1.1. */
function originOf(path: string): { link: string; license: string } | undefined {
  const parts = path.split(sep);
  for (let i = parts.length - 2; i >= 1; i--) {
    if (!SIGMAHQ_DIR.test(parts[i]!)) continue;
    const root = parts.slice(0, i).join(sep) || sep;
    let known = originCache.get(root);
    if (known === undefined) {
      known = existsSync(join(root, 'LICENSE.Detection.Rules.md')) ? { link: 'https://github.com/SigmaHQ/sigma/blob/master/', license: 'DRL-1.1' } : null;
      originCache.set(root, known);
    }
    if (known) return { link: known.link + relative(root, path).split(sep).join('/'), license: known.license };
  }
  return undefined;
}

function refsOf(r: { ruleId: string; name?: string }): string[] {
  return r.name ? [r.ruleId, r.name] : [r.ruleId];
}

/** Checks ids, applies filters, resolves correlation references and sets `generate`. */
function finishRuleSet(set: RuleSet): RuleSet {
  const byRef = new Map<string, SigmaRule | SigmaCorrelation>();
  const keep: SigmaRule[] = [];
  for (const r of set.rules) {
    if (byRef.has(r.ruleId)) {
      set.errors.push({ path: r.meta.path ?? '', line: r.line, rule: r.meta.title, message: `duplicate rule id ${r.ruleId}` });
      continue;
    }
    for (const ref of refsOf(r)) byRef.set(ref, r);
    keep.push(r);
  }
  set.rules = keep;
  const filtersApplied = new Map<SigmaRule, number>();
  for (const f of set.filters) applyFilter(set, f, filtersApplied);
  const corrs: SigmaCorrelation[] = [];
  for (const c of set.correlations) {
    if (byRef.has(c.ruleId)) {
      set.errors.push({ path: c.meta.path ?? '', line: c.line, rule: c.meta.title, message: `duplicate rule id ${c.ruleId}` });
      continue;
    }
    for (const ref of refsOf(c)) byRef.set(ref, c);
    corrs.push(c);
  }
  const valid: SigmaCorrelation[] = [];
  for (const c of corrs) {
    const missing = c.rules.filter((r) => !byRef.has(r) || byRef.get(r) === c);
    if (missing.length) set.errors.push({ path: c.meta.path ?? '', line: c.line, rule: c.meta.title, message: `correlation references unknown rules: ${missing.join(', ')}` });
    else valid.push(c);
  }
  set.correlations = checkChains(set, valid, byRef);
  for (const c of set.correlations) {
    for (const ref of c.rules) {
      const target = byRef.get(ref)!;
      if (!c.generate) target.alert = false;
    }
  }
  for (const c of set.correlations) for (const ref of c.rules) if (c.generate) byRef.get(ref)!.alert = true;
  return set;
}

/**
 * Keeps the correlations whose chain of correlation references ends in rules within
 * MAX_CORRELATION_DEPTH levels; those in a reference cycle (or built on one), or deeper, are errors.
 * Iterative (Kahn's order from the correlations that reference only rules), so no chain can exhaust the stack.
 */
function checkChains(set: RuleSet, corrs: SigmaCorrelation[], byRef: Map<string, SigmaRule | SigmaCorrelation>): SigmaCorrelation[] {
  const inner = (c: SigmaCorrelation) => [...new Set(c.rules.map((r) => byRef.get(r)).filter((t): t is SigmaCorrelation => t?.type === 'correlation'))];
  const waiting = new Map<SigmaCorrelation, number>();
  const outer = new Map<SigmaCorrelation, SigmaCorrelation[]>();
  const depth = new Map<SigmaCorrelation, number>();
  const paths = new Map<SigmaCorrelation, number>();
  const ready: SigmaCorrelation[] = [];
  for (const c of corrs) {
    const refs = inner(c);
    waiting.set(c, refs.length);
    for (const t of refs) {
      const list = outer.get(t);
      if (list) list.push(c);
      else outer.set(t, [c]);
    }
    if (refs.length === 0) ready.push(c);
  }
  while (ready.length) {
    const c = ready.pop()!;
    depth.set(c, 1 + inner(c).reduce((m, t) => Math.max(m, depth.get(t)!), 0));
    paths.set(c, [...new Set(c.rules)].reduce((n, r) => n + (paths.get(byRef.get(r) as SigmaCorrelation) ?? 1), 0));
    for (const o of outer.get(c) ?? []) {
      const left = waiting.get(o)! - 1;
      waiting.set(o, left);
      if (left === 0) ready.push(o);
    }
  }
  const cycles = cycleNames(corrs.filter((c) => !depth.has(c)), inner);
  const kept: SigmaCorrelation[] = [];
  for (const c of corrs) {
    const d = depth.get(c);
    const n = paths.get(c) ?? 0;
    const message =
      d === undefined
        ? cycles.get(c)
        : d > MAX_CORRELATION_DEPTH
          ? `correlations are chained ${d} levels deep, over the limit of ${MAX_CORRELATION_DEPTH}`
          : n > MAX_CORRELATION_PATHS
            ? `correlation reaches its rules along ${n} paths through the correlations it builds on (each match counts once per path), over the limit of ${MAX_CORRELATION_PATHS}`
            : undefined;
    if (message) set.errors.push({ path: c.meta.path ?? '', line: c.line, rule: c.meta.title, message });
    else kept.push(c);
  }
  return kept;
}

/** For each correlation in or above a reference cycle, why it is refused, naming the cycle (`a → b → a`); linear in their number. */
function cycleNames(stuck: SigmaCorrelation[], inner: (c: SigmaCorrelation) => SigmaCorrelation[]): Map<SigmaCorrelation, string> {
  const stuckSet = new Set(stuck);
  const cycleOf = new Map<SigmaCorrelation, string>();
  const named = new Map<SigmaCorrelation, string>();
  const nameOf = (c: SigmaCorrelation) => c.name ?? c.ruleId;
  for (const start of stuck) {
    const walk: SigmaCorrelation[] = [];
    const onWalk = new Map<SigmaCorrelation, number>();
    let c: SigmaCorrelation | undefined = start;
    let text: string | undefined;
    // Every stuck correlation references another stuck one, so the walk ends on a cycle or on a named one.
    let cycleStart = Infinity;
    while (c && text === undefined) {
      if (cycleOf.has(c)) text = cycleOf.get(c);
      else if (onWalk.has(c)) {
        cycleStart = onWalk.get(c)!;
        text = [...walk.slice(cycleStart), c].map(nameOf).join(' → ');
      } else {
        onWalk.set(c, walk.push(c) - 1);
        c = inner(c).find((t) => stuckSet.has(t));
      }
    }
    walk.forEach((w, i) => {
      cycleOf.set(w, text ?? '?');
      named.set(w, i >= cycleStart ? `correlation references form a cycle (${text})` : `correlation builds on correlations that reference each other in a cycle (${text})`);
    });
  }
  return named;
}

function logsourceCovers(filter: SigmaFilter, rule: SigmaRule): boolean {
  return (['category', 'product', 'service'] as const).every((k) => filter.logsource[k] === undefined || filter.logsource[k] === rule.logsource[k]);
}

/** A filter adds `and not (filter condition)` to each rule it names (every rule of its logsource when it names none). */
function applyFilter(set: RuleSet, f: SigmaFilter, filtersApplied: Map<SigmaRule, number>): void {
  const named = new Set(f.rules);
  const targets = f.rules.length ? set.rules.filter((r) => refsOf(r).some((ref) => named.has(ref))) : set.rules;
  const found = new Set(targets.flatMap(refsOf));
  const unknown = f.rules.filter((r) => !found.has(r));
  if (unknown.length) set.warnings.push({ path: f.path, line: f.line, rule: f.title, message: `filter names rules that are not loaded: ${unknown.join(', ')}` });
  const prefix = `filter:${basename(dirname(f.path))}/${basename(f.path)}#${f.id}:`;
  const rename = (c: Condition): Condition => {
    switch (c.t) {
      case 'id':
        return { t: 'id', name: prefix + c.name };
      case 'not':
        return { t: 'not', x: rename(c.x) };
      case 'and':
      case 'or':
        return { t: c.t, xs: c.xs.map(rename) };
      default:
        return c;
    }
  };
  const full: string[] = [];
  for (const r of targets) {
    if (!logsourceCovers(f, r)) continue;
    const filtered = (filtersApplied.get(r) ?? 0) + 1;
    if (filtered > MAX_FILTERS_PER_RULE) {
      full.push(r.meta.title);
      continue;
    }
    filtersApplied.set(r, filtered);
    for (const [name, s] of f.searches) r.searches.set(prefix + name, { ...s, name: prefix + name } as Search);
    // One flat `and` however many filters apply: conditions do not nest deeper with each filter.
    const term: Condition = { t: 'not', x: rename(f.condition) };
    r.condition = filtered > 1 && r.condition.t === 'and' ? { t: 'and', xs: [...r.condition.xs, term] } : { t: 'and', xs: [r.condition, term] };
  }
  if (full.length) {
    const which = `${full.slice(0, 3).join(', ')}${full.length > 3 ? `, and ${full.length - 3} more` : ''}`;
    set.errors.push({ path: f.path, line: f.line, rule: f.title, message: `filter not applied to rules that already have ${MAX_FILTERS_PER_RULE} filters: ${which}` });
  }
}
