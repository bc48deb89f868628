import type { EcsEvent } from '../../ecs/event.js';
import { addMappingText, type Mappings } from './pipeline/mappings.js';
import { loadRuleText, type LoadOptions } from './rule/load.js';
import type { RuleSet } from './rule/types.js';
import type { SafeRegex } from '../../util/re2.js';
import { createMatcher } from './compile/matcher.js';

/** A one-format pipeline for tests: logsource `category: test` → format `test`, fields read as ECS paths. */
export const TEST_MAPPINGS: Mappings = addMappingText(
  { logsources: [], fieldmaps: new Map() },
  `
logsources:
  - logsource: { category: test }
    targets: [{ format: test, fields: plain }]
  - logsource: { category: kw }
    targets: [{ format: test, fields: kw }]
fieldmaps:
  plain: { fields: { Alias: [a.first, a.second] }, fallback: [] }
  kw: { keywords: [message, url.original], fallback: [] }
`,
  'test mappings',
);

/** A rule of logsource `category: test` with the given detection block (YAML, indented by 2). */
export function ruleText(detection: string, extra = '', category = 'test'): string {
  return `title: t\nid: r1\nlogsource:\n  category: ${category}\n${extra}detection:\n${detection.replace(/^/gm, '  ')}\n`;
}

export function ruleSet(detection: string, opts: LoadOptions = {}, category = 'test'): RuleSet {
  const rs = loadRuleText(ruleText(detection, '', category), 'test.yml', opts);
  if (rs.errors.length) throw new Error(rs.errors.map((e) => e.message).join('; '));
  return rs;
}

/** Does a rule with this detection match the event (dataset `test` is added)? */
export function matches(detection: string, event: Record<string, unknown>, opts: LoadOptions = {}, category = 'test'): boolean {
  const m = createMatcher(ruleSet(detection, opts, category), undefined, { mappings: TEST_MAPPINGS });
  return m.match({ ...event, event: { dataset: 'test' } } as EcsEvent).length > 0;
}

/** The load error of a rule with this detection ('' when it loads). */
export function loadError(detection: string): string {
  const rs = loadRuleText(ruleText(detection), 'test.yml');
  return rs.errors.map((e) => e.message).join('; ');
}

/** Every compiled regex of a rule set's rules. */
export function regexesOf(rs: RuleSet): SafeRegex[] {
  return rs.rules.flatMap((r) => [...r.searches.values()].flatMap((s) => s.groups.flat().flatMap((i) => i.tests)).flatMap((t) => (t.kind === 'regex' ? [t.re] : [])));
}
