import type { Correlator as StageCorrelator, EngineFactory, RuleEntry } from '../spec.js';
import { rulePaths } from '../spec.js';
import { createMatcher } from './compile/matcher.js';
import { createCorrelator } from './correlation/engine.js';
import { loadRules } from './rule/load.js';
import { decodeRules, encodeRules } from './rule/transfer.js';
import type { LoadError } from './rule/types.js';

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
    const rs = loadRules(paths, { parallel: true });
    const matcher = createMatcher(rs);
    const rules: RuleEntry[] = [...rs.rules.map((r) => ({ meta: r.meta, alert: r.alert })), ...rs.correlations.map((c) => ({ meta: c.meta, alert: c.alert }))];
    const unrouted = matcher.skipped.filter((s) => s.reason.startsWith('no loaded format')).length;
    const warnings = rs.warnings.map(showLoadError);
    if (unrouted) warnings.push(`${unrouted} Sigma rules target logsources no packettrail format reads (see packettrail rules list)`);
    for (const s of matcher.skipped) if (!s.reason.startsWith('no loaded format')) warnings.push(`${s.rule.meta.path ?? ''}: ${s.rule.meta.title}: ${s.reason}`);
    // Parser threads only need the rules that route to some format.
    const routed = new Set([...matcher.rulesByFormat.values()].flat());
    const loaded = encodeRules(rs.rules.filter((r) => routed.has(r)));
    const built: ReturnType<EngineFactory['build']> = { matcher, rules, errors: rs.errors.map(showLoadError), warnings, loaded };
    if (rs.correlations.length) {
      built.createCorrelator = (): StageCorrelator => {
        const c = createCorrelator(rs);
        return {
          onMatch: (match, emit) => c.onMatch(match, (a) => emit({ ruleId: a.rule.id, events: a.events, ...(a.key ? { key: a.key } : {}), ...(a.details ? { details: a.details } : {}) })),
          finish: (emit) => c.finish((a) => emit({ ruleId: a.rule.id, events: a.events, ...(a.key ? { key: a.key } : {}), ...(a.details ? { details: a.details } : {}) })),
        };
      };
    }
    return built;
  },
};
