import { deserialize, serialize } from 'node:v8';
import { parseCidr } from '../../../ecs/ip.js';
import { compileRegex } from '../../../util/re2.js';
import type { DetectionItem, RuleSet, Search, SigmaFilter, SigmaRule, ValueTest } from './types.js';

/**
 * Loaded rules as data another thread can take: structured clone (postMessage, v8.serialize) keeps
 * maps and plain objects but not the compiled regexes (closures) and cidr ranges (class instances),
 * so those travel as pattern + flags and as text and are rebuilt on arrival exactly as the loader
 * built them. Used to parse rule files on a helper thread (./parallel.ts) and to hand parser threads
 * the rules the main thread loaded, so they never read and parse the YAML files again.
 */
export function plainRuleSet(set: RuleSet): RuleSet {
  return { ...set, rules: set.rules.map(plainSearches), filters: set.filters.map(plainSearches) };
}

export function revivedRuleSet(set: RuleSet): RuleSet {
  return { ...set, rules: set.rules.map(revivedSearches), filters: set.filters.map(revivedSearches) };
}

/** What a parser thread needs to match: the rules without their descriptive metadata. */
export function encodeRules(rules: readonly SigmaRule[]): Uint8Array {
  const lean = rules.map((r) => plainSearches({ ...r, meta: { id: r.meta.id, title: r.meta.title, level: r.meta.level, kind: r.meta.kind } }));
  return serialize(lean);
}

export function decodeRules(bytes: Uint8Array): SigmaRule[] {
  return (deserialize(bytes) as SigmaRule[]).map(revivedSearches);
}

type PlainTest = Exclude<ValueTest, { kind: 'regex' } | { kind: 'cidr' }> | { kind: 'regex'; source: string; flags: { i?: boolean; m?: boolean; s?: boolean } } | { kind: 'cidr'; text: string };

function plainSearches<T extends SigmaRule | SigmaFilter>(r: T): T {
  return { ...r, searches: mapSearches(r.searches, plainItem) };
}

function revivedSearches<T extends SigmaRule | SigmaFilter>(r: T): T {
  return { ...r, searches: mapSearches(r.searches, revivedItem) };
}

function mapSearches(searches: Map<string, Search>, f: (item: DetectionItem) => DetectionItem): Map<string, Search> {
  return new Map([...searches].map(([name, s]) => [name, { ...s, groups: s.groups.map((g) => g.map(f)) }]));
}

function plainItem(item: DetectionItem): DetectionItem {
  if (!item.tests.some((t) => t.kind === 'regex' || t.kind === 'cidr')) return item;
  const tests = item.tests.map((t): PlainTest => {
    if (t.kind === 'regex') return { kind: 'regex', source: t.re.source, flags: t.re.flags ?? {} };
    if (t.kind === 'cidr') return { kind: 'cidr', text: t.text };
    return t;
  });
  return { ...item, tests: tests as ValueTest[] };
}

function revivedItem(item: DetectionItem): DetectionItem {
  if (!item.tests.some((t) => t.kind === 'regex' || t.kind === 'cidr')) return item;
  const tests = (item.tests as PlainTest[]).map((t): ValueTest => {
    if (t.kind === 'regex') return lazyRegex(t.source, t.flags);
    if (t.kind === 'cidr') return { kind: 'cidr', text: t.text, range: parseCidr(t.text) };
    return t;
  });
  return { ...item, tests };
}

/**
 * A regex test whose pattern is compiled on first use: the loader validated it already, and a
 * thread compiles only the rules of the formats it sees (a CloudFront parser thread never builds
 * the Windows rules' regexes; a cached rule set loads without compiling any).
 */
function lazyRegex(source: string, flags: { i?: boolean; m?: boolean; s?: boolean }): ValueTest {
  let re: ReturnType<typeof compileRegex> | undefined;
  const test = { kind: 'regex' } as { kind: 'regex'; re: ReturnType<typeof compileRegex> };
  Object.defineProperty(test, 're', { enumerable: true, get: () => (re ??= compileRegex(source, flags)) });
  return test;
}
