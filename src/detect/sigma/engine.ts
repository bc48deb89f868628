import type { Correlator as StageCorrelator, EngineFactory, RuleEntry } from '../spec.js';
import { rulePaths } from '../spec.js';
import { createMatcher, defaultMappings, setDefaultMappings, type SigmaMatcher } from './compile/matcher.js';
import { readRuleCache, RULE_CACHE_ENV, ruleCacheDir, ruleCacheKey, writeRuleCache } from './rule/cache.js';
import { createCorrelator, type Correlator as SigmaCorrelator, type CorrelatorSnapshot } from './correlation/engine.js';
import type { Alert } from '../types.js';
import { loadRules } from './rule/load.js';
import { decodeRules, encodeRules } from './rule/transfer.js';
import type { LoadError, RuleSet } from './rule/types.js';

export function showLoadError(e: LoadError): string {
  return `${e.path}${e.line !== undefined ? `:${e.line}` : ''}: ${e.rule ? `${e.rule}: ` : ''}${e.message}`;
}

/**
 * The Sigma engine as the detection stage plugs it in (src/detect/spec.ts): the main thread loads
 * the rule files and parser threads compile their matchers from the rules it loaded (each only for
 * the formats it sees); the orchestrator's correlator hands correlation alerts over as CorrelationOutputs.
 */
export const sigmaEngine: EngineFactory = {
  name: 'sigma',
  paths: (spec) => rulePaths(spec),
  matcherFrom: (loaded) => createMatcher({ rules: decodeRules(loaded), correlations: [], filters: [], errors: [], warnings: [], files: 0 }, undefined, { lazy: true }),
  build(paths) {
    const cacheDir = ruleCacheDir();
    const key = cacheDir ? ruleCacheKey(paths) : '';
    const hit = cacheDir ? readRuleCache(cacheDir, key) : undefined;
    let rs: RuleSet;
    let matcher: SigmaMatcher;
    let loaded: Uint8Array;
    let compileWarnings: string[];
    let cache: 'off' | 'hit' | 'written' | 'not written';
    if (hit) {
      // The rules and their compile findings as a full load gives them; the matcher is built per
      // format on its first event (as parser threads do), since compiled closures cannot be stored.
      rs = hit.set;
      setDefaultMappings(hit.mappings);
      matcher = createMatcher(rs, undefined, { lazy: true });
      loaded = hit.loaded;
      compileWarnings = hit.warnings;
      cache = 'hit';
    } else {
      rs = loadRules(paths, { parallel: true });
      matcher = createMatcher(rs);
      const unrouted = matcher.skipped.filter((s) => s.reason.startsWith('no loaded format')).length;
      compileWarnings = [];
      if (unrouted) compileWarnings.push(`${unrouted} Sigma rules target logsources no packettrail format reads (see packettrail rules list)`);
      for (const s of matcher.skipped) if (!s.reason.startsWith('no loaded format')) compileWarnings.push(`${s.rule.meta.path ?? ''}: ${s.rule.meta.title}: ${s.reason}`);
      // Parser threads only need the rules that route to some format.
      const routed = new Set([...matcher.rulesByFormat.values()].flat());
      loaded = encodeRules(rs.rules.filter((r) => routed.has(r)));
      const failed = cacheDir ? writeRuleCache(cacheDir, key, rs, { loaded, warnings: compileWarnings, mappings: defaultMappings() }) : undefined;
      cache = !cacheDir ? 'off' : failed ? 'not written' : 'written';
      if (failed) compileWarnings = [...compileWarnings, `rule cache not written (${RULE_CACHE_ENV}=off turns it off): ${failed}`];
    }
    const rules: RuleEntry[] = [...rs.rules.map((r) => ({ meta: r.meta, alert: r.alert })), ...rs.correlations.map((c) => ({ meta: c.meta, alert: c.alert }))];
    const warnings = [...rs.warnings.map(showLoadError), ...compileWarnings];
    const built: ReturnType<EngineFactory['build']> = { matcher, rules, errors: rs.errors.map(showLoadError), warnings, loaded, cache };
    if (rs.correlations.length) {
      built.createCorrelator = () => stageCorrelator(createCorrelator(rs));
    }
    return built;
  },
};

/** The Sigma correlator as the detection stage drives it (its alerts become the stage's correlation outputs). */
export function stageCorrelator(c: SigmaCorrelator): StageCorrelator {
  const out = (a: Alert) => ({ ruleId: a.rule.id, events: a.events, ...(a.key ? { key: a.key } : {}), ...(a.details ? { details: a.details } : {}) });
  return {
    onMatch: (match, emit) => c.onMatch(match, (a) => emit(out(a))),
    finish: (emit) => c.finish((a) => emit(out(a))),
    snapshot: () => c.snapshot(),
    restore: (snapshot) => c.restore(snapshot as CorrelatorSnapshot),
  };
}
