import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { LoadError, Search, RuleSet, SigmaCorrelation, SigmaFilter, SigmaRule } from './types.js';
import { readRuleYaml } from './yaml.js';
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

/** One file's rules, correlations, filters and findings. */
export function loadFile(f: string, opts: LoadOptions): RuleSet {
  const set = emptySet();
  let text: string;
  try {
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
  const { docs, errors } = readRuleYaml(text);
  for (const e of errors) set.errors.push({ path, ...(e.line !== undefined ? { line: e.line } : {}), message: e.message });
  const ctx: DocContext = { path, origin: originOf(path), items: { placeholders: opts.placeholders ?? {}, unresolved: new Set() } };
  for (const d of docs) {
    const title = typeof d.value.title === 'string' ? d.value.title : undefined;
    try {
      const { doc, warnings, warningLine } = parseDocument(d, ctx);
      for (const w of warnings) set.warnings.push({ path, line: warningLine ?? d.line, ...(title ? { rule: title } : {}), message: w });
      if (doc.type === 'rule') set.rules.push(doc);
      else if (doc.type === 'correlation') set.correlations.push(doc);
      else set.filters.push(doc);
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      set.errors.push({ path, line: e.line ?? d.line, ...(title ? { rule: title } : {}), message: e.message });
    }
  }
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
  for (const f of set.filters) applyFilter(set, f);
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
  set.correlations = valid;
  for (const c of valid) {
    for (const ref of c.rules) {
      const target = byRef.get(ref)!;
      if (!c.generate) target.alert = false;
    }
  }
  for (const c of valid) for (const ref of c.rules) if (c.generate) byRef.get(ref)!.alert = true;
  return set;
}

function logsourceCovers(filter: SigmaFilter, rule: SigmaRule): boolean {
  return (['category', 'product', 'service'] as const).every((k) => filter.logsource[k] === undefined || filter.logsource[k] === rule.logsource[k]);
}

/** A filter adds `and not (filter condition)` to each rule it names (every rule of its logsource when it names none). */
function applyFilter(set: RuleSet, f: SigmaFilter): void {
  const targets = f.rules.length ? set.rules.filter((r) => refsOf(r).some((ref) => f.rules.includes(ref))) : set.rules;
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
  for (const r of targets) {
    if (!logsourceCovers(f, r)) continue;
    for (const [name, s] of f.searches) r.searches.set(prefix + name, { ...s, name: prefix + name } as Search);
    r.condition = { t: 'and', xs: [r.condition, { t: 'not', x: rename(f.condition) }] };
  }
}
