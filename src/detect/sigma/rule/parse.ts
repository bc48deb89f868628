import type { RuleLevel, RuleMeta } from '../../types.js';
import type { ItemOptions } from '../modifiers.js';
import { isObject, parseDetection, RuleError } from './detection.js';
import type { RuleDocument } from './yaml.js';
import type { CorrelationCondition, CorrelationType, LogSource, SigmaCorrelation, SigmaFilter, SigmaRule } from './types.js';

const LEVELS = new Set<RuleLevel>(['informational', 'low', 'medium', 'high', 'critical']);
const CORRELATION_TYPES = new Set<CorrelationType>(['event_count', 'value_count', 'temporal', 'temporal_ordered', 'value_sum', 'value_avg', 'value_percentile']);
const VALUE_TYPES = new Set<CorrelationType>(['value_count', 'value_sum', 'value_avg', 'value_percentile']);
const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000, M: 30 * 86_400_000, y: 365 * 86_400_000 };

export interface DocContext {
  path: string;
  /** Link and licence for rules of a known public rule set (SigmaHQ), for DRL 1.1 attribution. */
  origin?: { link: string; license: string } | undefined;
  items: ItemOptions;
}

export type ParsedDoc = { doc: SigmaRule | SigmaCorrelation | SigmaFilter; warnings: string[]; warningLine?: number };

export function parseDocument(d: RuleDocument, ctx: DocContext): ParsedDoc {
  const v = d.value;
  if ('correlation' in v) return { doc: parseCorrelation(d, ctx), warnings: [] };
  if ('filter' in v) return parseFilter(d, ctx);
  return parseRule(d, ctx);
}

function str(v: unknown, name: string, d: RuleDocument, required = false): string | undefined {
  if (v === undefined || v === null) {
    if (required) throw new RuleError(`missing '${name}'`, d.line);
    return undefined;
  }
  if (typeof v !== 'string' && typeof v !== 'number') throw new RuleError(`'${name}' must be a string`, d.locate([name]));
  return String(v);
}

function strList(v: unknown, name: string, d: RuleDocument): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  const list = Array.isArray(v) ? v : [v];
  if (list.some((x) => typeof x !== 'string' && typeof x !== 'number')) throw new RuleError(`'${name}' must be a list of strings`, d.locate([name]));
  return list.map(String);
}

function ruleIdOf(d: RuleDocument, ctx: DocContext): string {
  const id = str(d.value.id, 'id', d) ?? str(d.value.name, 'name', d);
  if (id === undefined) return `${ctx.path}#${d.index}`;
  return d.collection ? `${id}#${d.index}` : id;
}

function meta(d: RuleDocument, ctx: DocContext, ruleId: string): RuleMeta {
  const v = d.value;
  const level = (str(v.level, 'level', d) ?? 'medium') as RuleLevel;
  if (!LEVELS.has(level)) throw new RuleError(`level '${level}' is not one of ${[...LEVELS].join(', ')}`, d.locate(['level']));
  const m: RuleMeta = { id: ruleId, title: str(v.title, 'title', d, true)!, level, kind: 'sigma', path: ctx.path };
  const set = <K extends keyof RuleMeta>(k: K, val: RuleMeta[K] | undefined) => {
    if (val !== undefined) m[k] = val;
  };
  set('description', str(v.description, 'description', d));
  set('author', str(v.author, 'author', d));
  set('references', strList(v.references, 'references', d));
  set('tags', strList(v.tags, 'tags', d));
  set('status', str(v.status, 'status', d));
  set('falsepositives', strList(v.falsepositives, 'falsepositives', d));
  set('license', str(v.license, 'license', d) ?? ctx.origin?.license);
  set('link', ctx.origin?.link);
  return m;
}

function logsourceOf(v: unknown, d: RuleDocument): LogSource {
  if (!isObject(v)) throw new RuleError("'logsource' must be a mapping (category, product, service)", d.locate(['logsource']) ?? d.line);
  const ls: LogSource = {};
  for (const k of ['category', 'product', 'service'] as const) {
    const s = str(v[k], `logsource.${k}`, d);
    if (s) ls[k] = s.toLowerCase();
  }
  return ls;
}

function parseRule(d: RuleDocument, ctx: DocContext): ParsedDoc {
  const v = d.value;
  const ruleId = ruleIdOf(d, ctx);
  const m = meta(d, ctx, ruleId);
  if (v.logsource === undefined) throw new RuleError("missing 'logsource'", d.line);
  if (v.detection === undefined) throw new RuleError("missing 'detection'", d.line);
  const logsource = logsourceOf(v.logsource, d);
  const unresolved = new Set<string>();
  const { searches, condition, warnings } = parseDetection(v.detection, 'detection', d.locate, { ...ctx.items, unresolved, used: { items: 0, values: 0, regex: 0 } });
  const name = str(v.name, 'name', d);
  const rule: SigmaRule = {
    type: 'rule',
    ruleId,
    meta: m,
    logsource,
    taxonomy: (str(v.taxonomy, 'taxonomy', d) ?? 'sigma').toLowerCase(),
    searches,
    condition,
    unresolved: [...unresolved],
    alert: true,
    line: d.line,
  };
  if (name) rule.name = name;
  if (unresolved.size) {
    warnings.push(`placeholders without values: ${[...unresolved].map((p) => `%${p}%`).join(', ')} (the rule never matches until they are given)`);
    const expandLine = [...searches.values()].flatMap((x) => x.groups.flat()).find((i) => i.source.includes('|expand'))?.line;
    if (expandLine !== undefined) return { doc: rule, warnings, warningLine: expandLine };
  }
  return { doc: rule, warnings };
}

function parseFilter(d: RuleDocument, ctx: DocContext): ParsedDoc {
  const v = d.value;
  const f = v.filter;
  if (!isObject(f)) throw new RuleError("'filter' must be a mapping (rules, search identifiers, condition)", d.locate(['filter']));
  if (v.logsource === undefined) throw new RuleError("filter has no 'logsource'", d.line);
  const { searches, condition, warnings } = parseDetection(f, 'filter', d.locate, { ...ctx.items, unresolved: new Set(), used: { items: 0, values: 0, regex: 0 } }, new Set(['condition', 'rules']));
  const filter: SigmaFilter = {
    type: 'filter',
    id: ruleIdOf(d, ctx),
    title: str(v.title, 'title', d, true)!,
    logsource: logsourceOf(v.logsource, d),
    rules: strList(f.rules, 'filter.rules', d) ?? [],
    searches,
    condition,
    path: ctx.path,
    line: d.line,
  };
  return { doc: filter, warnings };
}

export function parseTimespan(s: string): number | undefined {
  const m = /^(\d+)([smhdwMy])$/.exec(s.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

function parseCorrelation(d: RuleDocument, ctx: DocContext): SigmaCorrelation {
  const v = d.value;
  const c = v.correlation;
  const at = (...p: string[]) => d.locate(['correlation', ...p]) ?? d.line;
  if (!isObject(c)) throw new RuleError("'correlation' must be a mapping", d.locate(['correlation']));
  const type = c.type as CorrelationType;
  if (!CORRELATION_TYPES.has(type)) throw new RuleError(`correlation type '${String(c.type)}' is not one of ${[...CORRELATION_TYPES].join(', ')}`, at('type'));
  const rules = Array.isArray(c.rules) ? c.rules.map(String) : typeof c.rules === 'string' ? [c.rules] : [];
  if (rules.length === 0) throw new RuleError('correlation needs a non-empty list of rules', at('rules'));
  const timespan = typeof c.timespan === 'string' || typeof c.timespan === 'number' ? parseTimespan(String(c.timespan)) : undefined;
  if (timespan === undefined) throw new RuleError(`correlation timespan '${String(c.timespan)}' is not a number with a unit (s, m, h, d, w, M, y)`, at('timespan'));
  const groupBy = c['group-by'] === undefined ? [] : Array.isArray(c['group-by']) ? c['group-by'].map(String) : [String(c['group-by'])];
  const aliases = new Map<string, Map<string, string>>();
  if (c.aliases !== undefined) {
    if (!isObject(c.aliases)) throw new RuleError('correlation aliases must map alias → {rule: field}', at('aliases'));
    for (const [alias, m] of Object.entries(c.aliases)) {
      if (!isObject(m)) throw new RuleError(`alias '${alias}' must map each rule to a field`, at('aliases', alias));
      aliases.set(alias, new Map(Object.entries(m).map(([r, f]) => [r, String(f)])));
    }
  }
  const conditions: CorrelationCondition[] = [];
  let field: string | undefined;
  if (c.condition !== undefined) {
    if (!isObject(c.condition)) throw new RuleError('correlation condition must be a mapping like {gte: 10}', at('condition'));
    for (const [k, val] of Object.entries(c.condition)) {
      if (k === 'field') {
        field = Array.isArray(val) ? val.map(String).join(',') : String(val);
        continue;
      }
      if (!(CONDITION_OPS as readonly string[]).includes(k)) throw new RuleError(`correlation condition operator '${k}' is not one of ${CONDITION_OPS.join(', ')}`, at('condition', k));
      if (typeof val !== 'number') throw new RuleError(`correlation condition '${k}' needs a number`, at('condition', k));
      conditions.push({ op: k as CorrelationCondition['op'], value: val });
    }
  }
  if (type !== 'temporal' && type !== 'temporal_ordered' && conditions.length === 0) throw new RuleError(`${type} correlation needs a condition (gt, gte, lt, lte, eq or neq)`, at());
  if (VALUE_TYPES.has(type) && !field) throw new RuleError(`${type} correlation needs condition.field`, at('condition'));
  if (field) for (const cond of conditions) cond.field = field;
  if (VALUE_TYPES.has(type) || type === 'event_count') {
    if (groupBy.length === 0 && c['group-by'] !== undefined) throw new RuleError('group-by is empty', at('group-by'));
  }
  const ruleId = ruleIdOf(d, ctx);
  const corr: SigmaCorrelation = {
    type: 'correlation',
    ruleId,
    meta: meta(d, ctx, ruleId),
    correlationType: type,
    rules,
    groupBy,
    aliases,
    timespanMs: timespan,
    conditions,
    generate: c.generate === true || v.generate === true,
    alert: true,
    taxonomy: (str(v.taxonomy, 'taxonomy', d) ?? 'sigma').toLowerCase(),
    line: d.line,
  };
  const name = str(v.name, 'name', d);
  if (name) corr.name = name;
  return corr;
}
