import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EcsEvent } from '../ecs/event.js';
import type { EventMatcher, Match, RuleMeta } from './types.js';
import { loadIntel } from './intel/load.js';
import type { IntelIndex } from './intel/intel-index.js';
import { IntelMatcher, intelRules } from './intel/matcher.js';

/**
 * What to detect, as plain data: it travels with every ChunkTask so each worker thread builds its
 * matchers once (cached by the spec's key) from the same files the main thread loaded.
 *
 * Why workers load the feed files themselves rather than receive a built index (measured on a
 * 1,000,000-indicator CSV): parsing and indexing costs 3.7 s CPU; shipping the built index instead
 * costs 0.9 s to serialize (70 MB) plus 2.6 s per worker to deserialize and rebuild its hash maps,
 * which saves under a second per worker for a 70 MB hand-over file and a setup channel the pool
 * does not have. Workers load in parallel with each other, once per spec (see bench/intel.js).
 */
export interface DetectionSpec {
  /** Rule files and directories (`--rules`), absolute. */
  rules: string[];
  /** Threat-intel feed files (`--intel`), absolute. */
  intel: string[];
  /** Also load the built-in rules (`rules/builtin/` of the package, when present). */
  builtin: boolean;
  /**
   * Set by `engineFor` on the thread that loaded the rules: each engine's loaded rules (by engine
   * name) in shared memory, which tasks posted to parser threads share rather than copy, so those
   * threads build their matchers without reading and parsing the rule files again.
   */
  loaded?: Record<string, SharedArrayBuffer>;
}

/** A rule the orchestrator may turn matches into alerts for; `alert: false` rules only feed correlations. */
export interface RuleEntry {
  meta: RuleMeta;
  alert: boolean;
}

/** What a correlation emits: the correlation rule, the events behind it and its group-by key. */
export interface CorrelationOutput {
  ruleId: string;
  events: EcsEvent[];
  key?: Record<string, string>;
  details?: Record<string, unknown>;
}

/** Orchestrator side of stateful rules (the Sigma engine's `createCorrelator`). */
export interface Correlator {
  onMatch(match: Match, emit: (out: CorrelationOutput) => void): void;
  finish(emit: (out: CorrelationOutput) => void): void;
  /** Open windows as JSON and back (a correlation pass over the store carries on from them). */
  snapshot?(): unknown;
  restore?(snapshot: unknown): void;
}

/** A rule engine plugged into detection: Sigma registers one; intel is built in. */
export interface EngineFactory {
  /** Keys the engine's entry in `DetectionSpec.loaded`. */
  name: string;
  /** Rule files the engine reads from the spec; none → the engine is not used. */
  paths(spec: DetectionSpec): string[];
  /** `loaded`: what parser threads need to build the matcher (`matcherFrom`) without the files. */
  build(paths: string[]): { matcher: EventMatcher; rules: RuleEntry[]; createCorrelator?: () => Correlator; errors: string[]; warnings: string[]; loaded?: Uint8Array; cache?: RuleCacheOutcome };
  matcherFrom?(loaded: Uint8Array): EventMatcher;
}

export interface DetectionEngine {
  matcher: EventMatcher;
  rules: Map<string, RuleEntry>;
  createCorrelator?: (() => Correlator) | undefined;
  intel?: IntelIndex | undefined;
  /** Rule files that failed to load (the command decides whether that is fatal). */
  errors: string[];
  warnings: string[];
  /** What `engineFor` puts in `DetectionSpec.loaded`. */
  loaded?: Record<string, SharedArrayBuffer>;
  /** How the compiled-rule cache served the load (benchmarks and diagnostics). */
  cache?: RuleCacheOutcome;
}

/** `hit`: rules read from the cache; `written`: loaded from the files and cached; `off`: no cache. */
export type RuleCacheOutcome = 'off' | 'hit' | 'written' | 'not written';

/** `rules/builtin` of the installed package. */
export function builtinRulesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(dir, 'rules', 'builtin');
}

/** Rule paths of a spec: the built-in directory (when wanted and present) first, then `--rules`. */
export function rulePaths(spec: DetectionSpec): string[] {
  const builtin = builtinRulesDir();
  return [...(spec.builtin && existsSync(builtin) ? [builtin] : []), ...spec.rules];
}

export function makeSpec(o: { rules?: string[]; intel?: string[]; builtin?: boolean }): DetectionSpec {
  return { rules: (o.rules ?? []).map((p) => resolve(p)), intel: (o.intel ?? []).map((p) => resolve(p)), builtin: o.builtin ?? true };
}

const ruleEngines: EngineFactory[] = [];

/** Plugs a rule engine in. Must run on module load of a module every worker imports (this one's importers). */
export function registerRuleEngine(factory: EngineFactory): void {
  ruleEngines.push(factory);
}

/** Runs several matchers over each event, in order. */
class CompositeMatcher implements EventMatcher {
  constructor(private readonly matchers: EventMatcher[]) {}
  match(event: EcsEvent): Match[] {
    if (this.matchers.length === 1) return this.matchers[0]!.match(event);
    let out: Match[] | undefined;
    for (const m of this.matchers) {
      const found = m.match(event);
      if (found.length) out = out ? out.concat(found) : found;
    }
    return out ?? [];
  }
}

const engines = new Map<string, DetectionEngine>();

/**
 * Builds (once per thread and spec, unless `reload`) everything a spec describes. Throws IntelLoadError for an
 * unusable feed and an Error when rule paths are given but no rule engine is registered.
 */
export function engineFor(spec: DetectionSpec, o: { reload?: boolean } = {}): DetectionEngine {
  const key = JSON.stringify([spec.rules, spec.intel, spec.builtin]);
  // A long-running process (the owner of a database running ingest jobs) reads the files again: they may have changed.
  const cached = o.reload ? undefined : engines.get(key);
  if (cached) {
    if (cached.loaded && !spec.loaded) spec.loaded = cached.loaded;
    return cached;
  }
  const matchers: EventMatcher[] = [];
  const engine: DetectionEngine = { matcher: new CompositeMatcher(matchers), rules: new Map(), errors: [], warnings: [] };
  const paths = rulePaths(spec);
  if (paths.length && !ruleEngines.length) {
    if (spec.rules.length) throw new Error('--rules needs the Sigma rule engine, which is not part of this build');
    engine.warnings.push('built-in rules were not loaded: the Sigma rule engine is not part of this build');
  }
  for (const factory of ruleEngines) {
    const own = factory.paths(spec);
    if (!own.length) continue;
    // A parser thread: the main thread loaded these rules already (rules, errors and warnings are its business).
    const shipped = spec.loaded?.[factory.name];
    if (shipped && factory.matcherFrom) {
      matchers.push(factory.matcherFrom(new Uint8Array(shipped)));
      continue;
    }
    const built = factory.build(own);
    matchers.push(built.matcher);
    for (const r of built.rules) engine.rules.set(r.meta.id, r);
    engine.errors.push(...built.errors);
    engine.warnings.push(...built.warnings);
    if (built.createCorrelator) engine.createCorrelator = built.createCorrelator;
    if (built.cache) engine.cache = built.cache;
    if (built.loaded) {
      const shared = new Uint8Array(new SharedArrayBuffer(built.loaded.byteLength));
      shared.set(built.loaded);
      (engine.loaded ??= {})[factory.name] = shared.buffer as SharedArrayBuffer;
    }
  }
  if (spec.intel.length) {
    const index = loadIntel(spec.intel);
    engine.intel = index;
    matchers.push(new IntelMatcher(index));
    for (const meta of intelRules(index)) engine.rules.set(meta.id, { meta, alert: true });
  }
  if (engine.loaded && !spec.loaded) spec.loaded = engine.loaded;
  engines.set(key, engine);
  return engine;
}

/** Worker side: the matcher for a spec (built on first use in each thread). */
export function matcherFor(spec: DetectionSpec): EventMatcher {
  return engineFor(spec).matcher;
}
