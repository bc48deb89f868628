import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { Column } from '../../store/schema.js';

/** Normalizations an alias may apply, to its column and to the values searched for (SQL and JS alike). */
export const NORMALIZERS: Record<string, { sql: (x: string) => string; js: (v: string) => string }> = {
  // https://App.example.com/ and https://app.example.com are one URL to an analyst.
  url: {
    // The regexp only runs on values ending in '/' (a few of them): per row it cost the seed query ~30 %.
    sql: (x) => {
      const v = `CAST(${x} AS VARCHAR)`;
      return `CASE WHEN ends_with(${v}, '/') THEN regexp_replace(${v}, '^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]+)/$', '\\1') ELSE ${v} END`;
    },
    js: (v) => v.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]+)\/$/, '$1'),
  },
  lower: { sql: (x) => `lower(CAST(${x} AS VARCHAR))`, js: (v) => v.toLowerCase() },
};

export interface FieldAlias {
  /** Catalog columns, first non-NULL wins. */
  columns: string[];
  normalize?: string | undefined;
}

export interface AliasTable {
  fields: Map<string, FieldAlias>;
  indexes: Map<string, string[]>;
  sourcetypes: Map<string, string[]>;
  searchText: string[];
  defaultFields: string[];
}

export class AliasError extends Error {}

/** `rules/mappings/spl-aliases.yml` of the installed package. */
export function builtinAliasFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return join(dir, 'rules', 'mappings', 'spl-aliases.yml');
}

/** The built-in alias table extended by user files (later files replace entries of the same name). */
export function loadAliases(catalog: readonly Column[], userFiles: readonly string[] = []): AliasTable {
  const table: AliasTable = { fields: new Map(), indexes: new Map(), sourcetypes: new Map(), searchText: [], defaultFields: [] };
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
  const known = new Set(['fields', 'indexes', 'sourcetypes', 'search_text', 'default_fields']);
  for (const k of Object.keys(d)) if (!known.has(k)) throw new AliasError(`${file}: unknown section '${k}' (expected ${[...known].join(', ')})`);

  const column = (name: unknown, where: string): string => {
    if (typeof name !== 'string' || !byName.has(name)) throw new AliasError(`${file}: ${where}: '${String(name)}' is not a column (see packettrail query --schema)`);
    return name;
  };
  for (const [name, spec] of entries(d.fields, file, 'fields')) {
    const obj = spec !== null && typeof spec === 'object' && !Array.isArray(spec) ? (spec as Record<string, unknown>) : { columns: spec };
    const list = Array.isArray(obj.columns) ? obj.columns : [obj.columns];
    const columns = list.map((c) => column(c, `fields.${name}`));
    if (!columns.length) throw new AliasError(`${file}: fields.${name}: no columns`);
    const lists = columns.filter((c) => byName.get(c)!.type === 'keyword[]');
    if (lists.length && lists.length !== columns.length) throw new AliasError(`${file}: fields.${name}: mixes list and single-value columns`);
    const normalize = obj.normalize === undefined ? undefined : String(obj.normalize);
    if (normalize !== undefined && !Object.hasOwn(NORMALIZERS, normalize)) throw new AliasError(`${file}: fields.${name}: unknown normalize '${normalize}' (known: ${Object.keys(NORMALIZERS).join(', ')})`);
    table.fields.set(name, { columns, normalize });
  }
  for (const [section, target] of [['indexes', table.indexes], ['sourcetypes', table.sourcetypes]] as const) {
    for (const [name, datasets] of entries(d[section], file, section)) {
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

/** The alias for a field name: exact, else case-insensitive (CIM names are written both ways). */
export function findAlias(table: AliasTable, name: string): FieldAlias | undefined {
  const exact = table.fields.get(name);
  if (exact) return exact;
  const lower = name.toLowerCase();
  for (const [k, v] of table.fields) if (k.toLowerCase() === lower) return v;
  return undefined;
}
