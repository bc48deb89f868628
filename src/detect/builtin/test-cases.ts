import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { EcsEvent } from '../../ecs/event.js';
import { parseText } from '../../testing/parse.js';
import { builtinRulesDir } from '../spec.js';

/**
 * Positive and negative test events of the built-in rules, as data: `cases/<rule file stem>.yml`
 * next to this module's source holds raw records (not ECS), so the tests prove the field paths the
 * formats really produce. The cases live outside `rules/builtin/` because the rule loader reads
 * every YAML file under that directory.
 */
export interface RuleCase {
  format: string;
  note: string;
  /** The raw text handed to the format (a `record` is serialized as one JSON line). */
  text: string;
  /** `log.file.path` (some formats read the feed type from it). */
  source?: string;
}

export interface RuleCases {
  /** The rule file stem, e.g. `web_burp_suite`. */
  stem: string;
  /** Rule id or name the cases are about (default: the file's only non-correlation rule). */
  rule?: string;
  positive: RuleCase[];
  negative: RuleCase[];
}

export function builtinCasesDir(): string {
  return join(dirname(dirname(builtinRulesDir())), 'src', 'detect', 'builtin', 'cases');
}

export function loadCases(dir = builtinCasesDir()): RuleCases[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yml'))
    .sort()
    .map((f) => casesOf(basename(f, '.yml'), readFileSync(join(dir, f), 'utf8')));
}

function casesOf(stem: string, text: string): RuleCases {
  // Merge keys (`<<: *base`) keep the records short: one realistic base record, one changed field.
  const doc = parseYaml(text, { merge: true }) as { rule?: string; positive?: unknown[]; negative?: unknown[] };
  const list = (xs: unknown[] | undefined, kind: string) =>
    (xs ?? []).map((x, i) => {
      const c = x as { format?: string; note?: string; line?: string; record?: unknown; source?: string };
      if (typeof c.format !== 'string') throw new Error(`${stem}.yml ${kind}[${i}]: missing format`);
      const raw = c.line ?? (c.record === undefined ? undefined : JSON.stringify(c.record));
      if (raw === undefined) throw new Error(`${stem}.yml ${kind}[${i}]: needs line or record`);
      const out: RuleCase = { format: c.format, note: c.note ?? `${kind}[${i}]`, text: raw };
      if (c.source) out.source = c.source;
      return out;
    });
  const cases: RuleCases = { stem, positive: list(doc.positive, 'positive'), negative: list(doc.negative, 'negative') };
  if (doc.rule) cases.rule = doc.rule;
  return cases;
}

/** Parses a case exactly as the pipeline does; throws when the format rejects it. */
export function eventsOf(c: RuleCase): EcsEvent[] {
  const r = parseText(c.format, c.text, c.source ? { source: c.source } : {});
  if (r.rejected.length || r.events.length === 0) {
    throw new Error(`${c.format} case '${c.note}' did not parse: ${r.rejected.map((x) => x.reason).join('; ') || 'no event'}`);
  }
  return r.events;
}
