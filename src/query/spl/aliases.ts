import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { SqlExpressions } from '../../store/expressions.js';
import type { Column } from '../../store/schema.js';

/** Normalizations an alias may apply, to its column and to the values searched for (SQL and JS alike). */
export const NORMALIZERS: Record<string, { sql: (x: string, fn: SqlExpressions) => string; js: (v: string) => string }> = {
  // https://App.example.com/ and https://app.example.com are one URL to an analyst.
  url: {
    // The regexp only runs on values ending in '/' (a few of them): per row it cost the seed query ~30 %.
    sql: (x, fn) => {
      const v = fn.text(x);
      return `CASE WHEN ${fn.endsWith(v, '/')} THEN ${fn.regexReplaceAll(v, fn.literal('^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]+)/$'), fn.literal('\\1'))} ELSE ${v} END`;
    },
    js: (v) => v.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]+)\/$/, '$1'),
  },
  lower: { sql: (x, fn) => fn.lower(fn.text(x)), js: (v) => v.toLowerCase() },
};

export interface FieldAlias {
  /** Catalog columns, first non-NULL wins (empty for a calculated field). */
  columns: string[];
  normalize?: string | undefined;
  /** A calculated field: an SPL eval expression over the dataset's extracted fields (Splunk's EVAL-). */
  eval?: string | undefined;
}

/**
 * The fields Splunk shows for one sourcetype (a dataset): what its add-on extracts and aliases
 * (`extract`: a name → columns), the raw JSON paths of JSON sources (`json`: a top-level key → the
 * JSON column holding it, so `requestParameters.bucketName` reads that column), and calculated
 * fields (`eval`: SPL expressions seeing the extracted fields only, as Splunk's EVAL- do).
 */
export interface DatasetFields {
  extract: Map<string, FieldAlias>;
  json: Map<string, string>;
  eval: Map<string, FieldAlias>;
}

export interface AliasTable {
  /** Names every dataset shares (and packettrail's own CIM-ish names), first non-NULL column wins. */
  fields: Map<string, FieldAlias>;
  /** Per dataset id: the names its Splunk sourcetype shows; they win over `fields` for its events. */
  datasets: Map<string, DatasetFields>;
  indexes: Map<string, string[]>;
  sourcetypes: Map<string, string[]>;
  /**
   * Sourcetypes that are part of a dataset (`pan:traffic` is PAN-OS's TRAFFIC log type): column →
   * value every event of the sourcetype has.
   */
  sourcetypeWhere: Map<string, Record<string, string>>;
  searchText: string[];
  defaultFields: string[];
}

/** An empty table (tests and callers building their own). */
export function emptyAliasTable(): AliasTable {
  return { fields: new Map(), datasets: new Map(), indexes: new Map(), sourcetypes: new Map(), sourcetypeWhere: new Map(), searchText: [], defaultFields: [] };
}

export class AliasError extends Error {}

/** A file of `rules/mappings/` of the installed package. */
export function builtinMappingFile(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'rules', 'mappings', name);
}

/** `rules/mappings/spl-aliases.yml` of the installed package. */
export function builtinAliasFile(): string {
  return builtinMappingFile('spl-aliases.yml');
}

/** The built-in alias table extended by user files (later files replace entries of the same name). */
export function loadAliases(catalog: readonly Column[], userFiles: readonly string[] = []): AliasTable {
  const table = emptyAliasTable();
  for (const file of [builtinAliasFile(), ...userFiles]) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new AliasError(`cannot read alias file ${file}: ${(e as Error).message}`);
    }
    addAliasText(table, text, file, catalog);
  }
  return table;
}

/** Adds one alias document; every column it names must be in the catalog. */
export function addAliasText(table: AliasTable, text: string, file: string, catalog: readonly Column[]): void {
  const byName = new Map(catalog.map((c) => [c.name, c]));
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new AliasError(`${file}: invalid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new AliasError(`${file}: expected a mapping with fields:, indexes:, sourcetypes:`);
  const d = doc as Record<string, unknown>;
  const known = new Set(['fields', 'datasets', 'indexes', 'sourcetypes', 'search_text', 'default_fields']);
  for (const k of Object.keys(d)) if (!known.has(k)) throw new AliasError(`${file}: unknown section '${k}' (expected ${[...known].join(', ')})`);

  const column = (name: unknown, where: string): string => {
    if (typeof name !== 'string' || !byName.has(name)) throw new AliasError(`${file}: ${where}: '${String(name)}' is not a column (see packettrail query --schema)`);
    return name;
  };
  const alias = (spec: unknown, where: string, calculated: boolean): FieldAlias => {
    const obj = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : calculated ? { eval: spec } : { columns: spec };
    for (const k of Object.keys(obj)) if (!['columns', 'normalize', 'eval'].includes(k)) throw new AliasError(`${file}: ${where}: unknown key '${k}' (columns, normalize, eval)`);
    const normalize = obj.normalize === undefined ? undefined : String(obj.normalize);
    if (normalize !== undefined && !Object.hasOwn(NORMALIZERS, normalize)) throw new AliasError(`${file}: ${where}: unknown normalize '${normalize}' (known: ${Object.keys(NORMALIZERS).join(', ')})`);
    if (obj.eval !== undefined) {
      if (typeof obj.eval !== 'string' || !obj.eval.trim()) throw new AliasError(`${file}: ${where}: eval: expected an SPL eval expression`);
      if (obj.columns !== undefined) throw new AliasError(`${file}: ${where}: either columns or eval, not both`);
      return { columns: [], eval: obj.eval, normalize };
    }
    const list = Array.isArray(obj.columns) ? obj.columns : [obj.columns];
    const columns = list.map((c) => column(c, where));
    if (!columns.length) throw new AliasError(`${file}: ${where}: no columns`);
    const lists = columns.filter((c) => byName.get(c)!.type === 'keyword[]');
    if (lists.length && lists.length !== columns.length) throw new AliasError(`${file}: ${where}: mixes list and single-value columns`);
    return { columns, normalize };
  };
  for (const [name, spec] of entries(d.fields, file, 'fields')) table.fields.set(name, alias(spec, `fields.${name}`, false));
  for (const [dataset, spec] of entries(d.datasets, file, 'datasets')) {
    const where = `datasets.${dataset}`;
    const sections = new Map(entries(spec, file, where));
    for (const k of sections.keys()) if (!['extract', 'json', 'eval'].includes(k)) throw new AliasError(`${file}: ${where}: unknown section '${k}' (extract, json, eval)`);
    const fields = table.datasets.get(dataset) ?? { extract: new Map(), json: new Map(), eval: new Map() };
    for (const [name, s] of entries(sections.get('extract'), file, `${where}.extract`)) fields.extract.set(name, alias(s, `${where}.extract.${name}`, false));
    for (const [name, s] of entries(sections.get('eval'), file, `${where}.eval`)) fields.eval.set(name, alias(s, `${where}.eval.${name}`, true));
    for (const [key, col] of entries(sections.get('json'), file, `${where}.json`)) {
      const c = column(col, `${where}.json.${key}`);
      if (byName.get(c)!.type !== 'json') throw new AliasError(`${file}: ${where}.json.${key}: '${c}' is not a JSON column`);
      fields.json.set(key, c);
    }
    table.datasets.set(dataset, fields);
  }
  for (const [section, target] of [['indexes', table.indexes], ['sourcetypes', table.sourcetypes]] as const) {
    for (const [name, spec] of entries(d[section], file, section)) {
      let datasets = spec;
      if (section === 'sourcetypes' && spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
        const o = spec as Record<string, unknown>;
        for (const k of Object.keys(o)) if (k !== 'datasets' && k !== 'where') throw new AliasError(`${file}: ${section}.${name}: unknown key '${k}' (datasets, where)`);
        datasets = o.datasets;
        const where: Record<string, string> = {};
        for (const [col, v] of entries(o.where, file, `${section}.${name}.where`)) {
          if (typeof v !== 'string' && typeof v !== 'number') throw new AliasError(`${file}: ${section}.${name}.where.${col}: expected a value`);
          where[column(col, `${section}.${name}.where`)] = String(v);
        }
        if (Object.keys(where).length) table.sourcetypeWhere.set(name.toLowerCase(), where);
      }
      const list = Array.isArray(datasets) ? datasets : [datasets];
      if (!list.every((x) => typeof x === 'string' && x)) throw new AliasError(`${file}: ${section}.${name}: expected dataset ids`);
      target.set(name.toLowerCase(), list as string[]);
    }
  }
  if (d.search_text !== undefined) table.searchText = asList(d.search_text, file, 'search_text').map((c) => column(c, 'search_text'));
  if (d.default_fields !== undefined) table.defaultFields = asList(d.default_fields, file, 'default_fields').map((c) => column(c, 'default_fields'));
}

function entries(section: unknown, file: string, name: string): [string, unknown][] {
  if (section === undefined || section === null) return [];
  if (typeof section !== 'object' || Array.isArray(section)) throw new AliasError(`${file}: ${name}: expected a mapping`);
  return Object.entries(section as Record<string, unknown>);
}

function asList(v: unknown, file: string, name: string): unknown[] {
  if (!Array.isArray(v)) throw new AliasError(`${file}: ${name}: expected a list of columns`);
  return v;
}

/** The shared alias for a field name. Splunk field names are case-sensitive: `eventID` is not `EventID`. */
export function findAlias(table: AliasTable, name: string): FieldAlias | undefined {
  return table.fields.get(name);
}
