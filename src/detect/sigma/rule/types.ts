import type { RuleMeta } from '../../types.js';
import type { SafeRegex } from '../../../util/re2.js';
import type { SigmaString } from './value.js';
import type { Condition } from '../condition/ast.js';

export interface LogSource {
  category?: string;
  product?: string;
  service?: string;
}

export type TimePart = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte' | 'eq';

/** One value of a detection item after its modifiers were applied. */
export type ValueTest =
  /** Alternatives (OR) of wildcard strings; case-insensitive unless `cased`. */
  | { kind: 'string'; alts: SigmaString[]; cased: boolean }
  | { kind: 'regex'; re: SafeRegex }
  | { kind: 'cidr'; text: string; range: [import('ipaddr.js').IPv4 | import('ipaddr.js').IPv6, number] }
  | { kind: 'compare'; op: CompareOp; n: number; timePart?: TimePart }
  | { kind: 'exists'; want: boolean }
  | { kind: 'null' }
  | { kind: 'fieldref'; field: string; mode: 'eq' | 'startswith' | 'endswith' | 'contains'; cased: boolean };

/** `field|mod|mod: values`: a field (null for keywords), its value tests and how they combine. */
export interface DetectionItem {
  field: string | null;
  tests: ValueTest[];
  /** `|all`: every value must match (default: any). */
  all: boolean;
  /** `|neq`: the field must not equal any of the values. */
  negate: boolean;
  /** As written in the rule, for messages. */
  source: string;
  line?: number;
}

/** A search identifier: OR of AND-groups of items (a map is one group; a list of maps is several). */
export interface Search {
  name: string;
  groups: DetectionItem[][];
}

export interface SigmaRule {
  type: 'rule';
  /** Id used in Matches: `id`, else `name`, else file#document. */
  ruleId: string;
  name?: string;
  meta: RuleMeta;
  logsource: LogSource;
  taxonomy: string;
  searches: Map<string, Search>;
  condition: Condition;
  /** Placeholders (`%name%` with `|expand`) without values: the rule never matches. */
  unresolved: string[];
  /** False when a correlation with `generate: false` (the default) consumes it: no alert of its own. */
  alert: boolean;
  line: number;
}

export type CorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered' | 'value_sum' | 'value_avg' | 'value_percentile';

export interface CorrelationCondition {
  op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq' | 'neq';
  value: number;
  field?: string;
}

export interface SigmaCorrelation {
  type: 'correlation';
  ruleId: string;
  name?: string;
  meta: RuleMeta;
  correlationType: CorrelationType;
  /** Referenced rule ids or names, as written. */
  rules: string[];
  groupBy: string[];
  /** alias → (referenced rule id or name → field in that rule's events). */
  aliases: Map<string, Map<string, string>>;
  timespanMs: number;
  /** Several conditions (e.g. gte and lte) all hold; temporal types default to "all rules seen". */
  conditions: CorrelationCondition[];
  /** Spec `generate`: the referenced rules also alert on their own. */
  generate: boolean;
  /** False when another correlation consumes this one without `generate`. */
  alert: boolean;
  taxonomy: string;
  line: number;
}

export interface SigmaFilter {
  type: 'filter';
  id: string;
  title: string;
  logsource: LogSource;
  /** Rule ids or names it applies to; empty: every rule of the logsource. */
  rules: string[];
  searches: Map<string, Search>;
  condition: Condition;
  path: string;
  line: number;
}

export interface LoadError {
  path: string;
  line?: number;
  /** Rule title or id when known. */
  rule?: string;
  message: string;
}

export interface RuleSet {
  rules: SigmaRule[];
  correlations: SigmaCorrelation[];
  filters: SigmaFilter[];
  errors: LoadError[];
  /** Non-fatal findings (unresolved placeholders, filters referencing unknown rules…). */
  warnings: LoadError[];
  /** Files read. */
  files: number;
}
