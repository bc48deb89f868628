/**
 * The Prometheus text exposition format, version 0.0.4: what `/metrics` answers. Per family one
 * `# HELP` and one `# TYPE` line, then its samples, all together; each label set once per family.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */

/** The Content-Type of an answer in this format. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type MetricType = 'counter' | 'gauge';

/** Metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`. */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Label names: `[a-zA-Z_][a-zA-Z0-9_]*`; names starting with `__` are reserved for Prometheus. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function checkMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`metric name '${name.slice(0, 100)}' must match [a-zA-Z_:][a-zA-Z0-9_:]*`);
}

export function checkLabelName(name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`label name '${name.slice(0, 100)}' must match [a-zA-Z_][a-zA-Z0-9_]* and not start with __`);
}

/** HELP text: backslash and line feed escaped (`\\`, `\n`); nothing else is. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** A label value: backslash, double quote and line feed escaped (`\\`, `\"`, `\n`). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A sample value as Go's ParseFloat reads it: `+Inf`, `-Inf`, `NaN`, else the number. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

export type Labels = Readonly<Record<string, string>>;

/** `{a="x",b="y"}` in the order given, or nothing without labels. */
export function formatLabels(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

export interface FamilyText {
  name: string;
  help: string;
  type: MetricType;
  samples: readonly { labels: Labels; value: number }[];
}

/** One family: its HELP and TYPE lines and its samples, each line ending in a line feed. */
export function renderFamily(f: FamilyText): string {
  let out = `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n`;
  for (const s of f.samples) out += `${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}\n`;
  return out;
}
