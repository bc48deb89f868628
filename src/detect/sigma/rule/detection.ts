import { buildItem, ModifierError, type ItemOptions, type RawValue } from '../modifiers.js';
import { parseCondition } from '../condition/parse.js';
import { ConditionError } from '../condition/tokenize.js';
import type { Condition } from '../condition/ast.js';
import type { DetectionItem, Search } from './types.js';

export class RuleError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

type Locate = (path: readonly (string | number)[]) => number | undefined;

/** Keys of `detection` that are not search identifiers (legacy `timeframe` is ignored with a warning). */
const RESERVED = new Set(['condition', 'timeframe']);

/** Parses `detection` (or a filter's `filter` section): search identifiers and the condition. */
export function parseDetection(
  det: unknown,
  section: string,
  locate: Locate,
  opts: ItemOptions,
  reserved: ReadonlySet<string> = RESERVED,
): { searches: Map<string, Search>; condition: Condition; warnings: string[] } {
  if (!isObject(det)) throw new RuleError(`'${section}' must be a mapping of search identifiers and a condition`, locate([section]));
  const searches = new Map<string, Search>();
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(det)) {
    if (reserved.has(name)) {
      if (name === 'timeframe') warnings.push(`legacy 'timeframe' in ${section} is ignored (use a correlation rule)`);
      continue;
    }
    const at = (...more: (string | number)[]) => locate([section, name, ...more]);
    searches.set(name, { name, groups: parseSearch(name, value, at, opts) });
  }
  const raw = det.condition;
  if (raw === undefined || raw === null) throw new RuleError(`'${section}' has no condition`, locate([section]));
  const texts = Array.isArray(raw) ? raw : [raw];
  if (texts.length === 0 || texts.some((t) => typeof t !== 'string')) throw new RuleError(`'${section}.condition' must be a string (or a list of strings)`, locate([section, 'condition']));
  const ids = [...searches.keys()];
  const conds: Condition[] = [];
  for (const t of texts as string[]) {
    try {
      conds.push(parseCondition(t, ids));
    } catch (e) {
      if (e instanceof ConditionError) throw new RuleError(`condition '${t.length > 120 ? `${t.slice(0, 120)}…` : t}': ${e.message}`, locate([section, 'condition']));
      throw e;
    }
  }
  return { searches, condition: conds.length === 1 ? conds[0]! : { t: 'or', xs: conds }, warnings };
}

function parseSearch(name: string, value: unknown, at: (...p: (string | number)[]) => number | undefined, opts: ItemOptions): DetectionItem[][] {
  const item = (key: string | null, v: unknown, line: number | undefined) => {
    const values = Array.isArray(v) ? v : [v];
    for (const x of values) {
      if (x !== null && typeof x === 'object') throw new RuleError(`search '${name}': '${key ?? '(keywords)'}' has a nested map or list as a value`, line);
    }
    try {
      return buildItem(key, values as RawValue[], opts, line);
    } catch (e) {
      if (e instanceof ModifierError) throw new RuleError(`search '${name}': ${e.message}`, line);
      throw e;
    }
  };
  const mapGroup = (m: Record<string, unknown>, ...path: (string | number)[]) => {
    const keys = Object.keys(m);
    if (keys.length === 0) throw new RuleError(`search '${name}' is an empty mapping`, at(...path));
    return keys.map((k) => item(k, m[k], at(...path, k)));
  };
  if (isObject(value)) return [mapGroup(value)];
  if (Array.isArray(value)) {
    if (value.length === 0) throw new RuleError(`search '${name}' is an empty list`, at());
    if (value.every(isObject)) return value.map((m, i) => mapGroup(m as Record<string, unknown>, i));
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) return [[item(null, value, at())]];
    throw new RuleError(`search '${name}' mixes keywords and field mappings in one list`, at());
  }
  if (typeof value === 'string' || typeof value === 'number') return [[item(null, [value], at())]];
  throw new RuleError(`search '${name}' must be a mapping, a list of mappings or a list of keywords`, at());
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
