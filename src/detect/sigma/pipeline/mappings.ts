import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { LogSource } from '../rule/types.js';
import { fileSizeReason, MAX_YAML_ALIAS_COUNT, yamlLimitReason } from '../rule/yaml.js';

/**
 * The processing pipeline as data: which formats a Sigma logsource applies to (with an optional
 * condition on the event, e.g. Umbrella DNS vs proxy records) and how Sigma field names map to ECS
 * paths for each. Built-in files live in `rules/mappings/`; users add theirs (`--mappings FILE`).
 */
export type WhenValue = string | number | boolean | (string | number | boolean)[] | { exists: boolean };

export interface LogsourceTarget {
  format: string;
  /** ECS path → value (list: any of; `{exists}`): all must hold for the event to be in this logsource. */
  when: Record<string, WhenValue>;
  /** Name of a field map in `fieldmaps`. */
  fields: string;
  /** Per-target renames applied before the field map (THOR's `fieldmappings`, e.g. Image → NewProcessName). */
  rename: Record<string, string>;
}

export interface LogsourceEntry {
  logsource: LogSource;
  targets: LogsourceTarget[];
}

export interface FieldMap {
  /** Sigma field → ECS path(s); the first present path is used. `prefix.*` entries map whole subtrees. */
  fields: Record<string, string[]>;
  /** Prefixes tried for unmapped fields (raw vendor fields), then the name itself as an ECS path. */
  fallback: string[];
  /** Paths searched by keyword (field-less) values; empty: every string value of the event. */
  keywords: string[];
}

export interface Mappings {
  logsources: LogsourceEntry[];
  fieldmaps: Map<string, FieldMap>;
}

export class MappingError extends Error {}

/** `rules/mappings` of the installed package. */
export function builtinMappingsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return join(dir, 'rules', 'mappings');
}

/** Loads the built-in mappings plus user files (later files add logsource targets and replace field maps of the same name). */
export function loadMappings(extraFiles: readonly string[] = [], opts: { builtin?: boolean } = {}): Mappings {
  const m: Mappings = { logsources: [], fieldmaps: new Map() };
  const files: string[] = [];
  if (opts.builtin !== false) {
    const dir = builtinMappingsDir();
    if (existsSync(dir)) files.push(...readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(dir, f)));
  }
  files.push(...extraFiles);
  for (const f of files) {
    const tooLarge = fileSizeReason(statSync(f).size, 'mapping file');
    if (tooLarge) throw new MappingError(`${f}: ${tooLarge}`);
    addMappingText(m, readFileSync(f, 'utf8'), f);
  }
  return m;
}

export function addMappingText(m: Mappings, text: string, source: string): Mappings {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (e) {
    throw new MappingError(`${source}: ${yamlLimitReason(e) ?? `invalid YAML: ${(e as Error).message.split('\n')[0]}`}`);
  }
  if (doc === null || typeof doc !== 'object') throw new MappingError(`${source}: expected a mapping with 'logsources' and/or 'fieldmaps'`);
  const d = doc as { logsources?: unknown; fieldmaps?: unknown };
  if (d.fieldmaps !== undefined) {
    if (!isObj(d.fieldmaps)) throw new MappingError(`${source}: 'fieldmaps' must map names to field maps`);
    for (const [name, fm] of Object.entries(d.fieldmaps)) m.fieldmaps.set(name, fieldMapOf(fm, `${source}: fieldmap '${name}'`));
  }
  if (d.logsources !== undefined) {
    if (!Array.isArray(d.logsources)) throw new MappingError(`${source}: 'logsources' must be a list`);
    d.logsources.forEach((e, i) => addEntry(m, entryOf(e, `${source}: logsources[${i}]`)));
  }
  return m;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function fieldMapOf(v: unknown, where: string): FieldMap {
  if (!isObj(v)) throw new MappingError(`${where} must be a mapping (fields, fallback, keywords)`);
  const fields: Record<string, string[]> = {};
  if (v.fields !== undefined) {
    if (!isObj(v.fields)) throw new MappingError(`${where}: 'fields' must map Sigma fields to ECS paths`);
    for (const [k, p] of Object.entries(v.fields)) fields[k] = Array.isArray(p) ? p.map(String) : [String(p)];
  }
  const list = (x: unknown, name: string) => {
    if (x === undefined) return [];
    if (!Array.isArray(x)) throw new MappingError(`${where}: '${name}' must be a list`);
    return x.map(String);
  };
  return { fields, fallback: list(v.fallback, 'fallback'), keywords: list(v.keywords, 'keywords') };
}

function entryOf(v: unknown, where: string): LogsourceEntry {
  if (!isObj(v) || !isObj(v.logsource) || !Array.isArray(v.targets)) throw new MappingError(`${where} must have 'logsource' (mapping) and 'targets' (list)`);
  const logsource: LogSource = {};
  for (const k of ['category', 'product', 'service'] as const) if (v.logsource[k] !== undefined) logsource[k] = String(v.logsource[k]).toLowerCase();
  const targets = v.targets.map((t, i) => {
    if (!isObj(t) || typeof t.format !== 'string' || typeof t.fields !== 'string') throw new MappingError(`${where}.targets[${i}] needs 'format' and 'fields'`);
    if (t.when !== undefined && !isObj(t.when)) throw new MappingError(`${where}.targets[${i}].when must map ECS paths to values`);
    if (t.rename !== undefined && !isObj(t.rename)) throw new MappingError(`${where}.targets[${i}].rename must map field names`);
    return {
      format: t.format,
      fields: t.fields,
      when: (t.when ?? {}) as Record<string, WhenValue>,
      rename: Object.fromEntries(Object.entries((t.rename ?? {}) as Record<string, unknown>).map(([a, b]) => [a, String(b)])),
    };
  });
  return { logsource, targets };
}

function sameLogsource(a: LogSource, b: LogSource): boolean {
  return a.category === b.category && a.product === b.product && a.service === b.service;
}

function addEntry(m: Mappings, e: LogsourceEntry): void {
  const existing = m.logsources.find((x) => sameLogsource(x.logsource, e.logsource));
  if (existing) existing.targets.push(...e.targets);
  else m.logsources.push(e);
}

/** Targets of a rule's logsource: the entry whose category/product/service equal the rule's. */
export function targetsFor(m: Mappings, ls: LogSource): LogsourceTarget[] {
  return m.logsources.find((e) => sameLogsource(e.logsource, ls))?.targets ?? [];
}

/** ECS paths (first present wins) for a Sigma field under a target. */
export function resolveField(m: Mappings, target: LogsourceTarget, field: string, taxonomy: string): string[] {
  if (taxonomy === 'ecs') return [field];
  const name = target.rename[field] ?? field;
  const fm = m.fieldmaps.get(target.fields);
  if (!fm) throw new MappingError(`logsource target ${target.format} names field map '${target.fields}', which is not defined`);
  const direct = fm.fields[name];
  if (direct) return direct;
  for (const [k, paths] of Object.entries(fm.fields)) {
    if (k.endsWith('.*') && name.startsWith(k.slice(0, -1))) return paths.map((p) => p.slice(0, -1) + name.slice(k.length - 1));
  }
  return [...fm.fallback.map((p) => p + name), name];
}
