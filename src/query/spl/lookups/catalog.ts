import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CsvError, parseCsv } from './csv.js';

/**
 * The lookup tables a query may read: CSV files with a header in the lookups folders, as Splunk's
 * lookup table files, and definitions (`<name>.yml`, the corpus's form of a transforms.conf stanza:
 * `name`, `filename`, `match_type`, `case_sensitive_match`, `max_matches`, `min_matches`,
 * `default_match`). A table is named by its definition's name or by its file name (`x.csv`).
 * A definition with `collection:` (and `fields_list:`) is a KV store collection: packettrail keeps
 * it as the CSV file `<collection>.csv` beside the definition, so lookup, inputlookup and
 * outputlookup work on it as on a CSV lookup.
 */
export const DEFAULT_LOOKUPS_DIR = 'lookups';

/** The largest lookup file read (the corpus's largest is 3 MB): past it the query is refused, naming the file. */
export const MAX_LOOKUP_FILE_BYTES = 64 * 2 ** 20;

/** Splunk's default max_matches for a lookup that is not time-based. */
export const DEFAULT_MAX_MATCHES = 100;
/** Splunk's upper bound for max_matches. */
export const MAX_MAX_MATCHES = 1000;

export class LookupError extends Error {}

export type MatchType = 'exact' | 'wildcard' | 'cidr';

export interface LookupDefinition {
  name: string;
  file: string;
  /**
   * A KV store collection (`collection:` in the definition): stored as `<collection>.csv` beside
   * the definition, read with the definition's `fields_list` as its columns; a collection nothing
   * has written yet is empty, as a new collection is in Splunk.
   */
  collection: boolean;
  /** The collection's fields (`fields_list`), or null: the file's header. */
  fields: string[] | null;
  matchTypes: Map<string, MatchType>;
  caseSensitive: boolean;
  maxMatches: number;
  minMatches: number;
  defaultMatch: string | null;
}

export interface LookupTable extends LookupDefinition {
  columns: string[];
  /** Rows in file order; an empty cell is null (Splunk sets no field from it). */
  rows: (string | null)[][];
}

/** What `outputlookup` asks the caller to write: the results, as CSV, to `file`. */
export interface LookupOutput {
  name: string;
  file: string;
  append: boolean;
  /** With no results: write a file with the header only (create_empty), or leave an existing file (override_if_empty=false). */
  createEmpty: boolean;
  overrideIfEmpty: boolean;
  /** Rows written at most (max=); null: all. */
  max: number | null;
}

/**
 * An outputlookup inside a subsearch: the caller reads the rows reaching it (each column as its
 * DuckDB type name and its value as text), writes them with `writeSubsearchLookup`, and compiles again.
 */
export interface SubsearchOutput {
  lookup: LookupOutput;
  columns: string[];
  /** The outputlookup command in the query (relocated out of the subsearches around it). */
  at: { offset: number; length: number; query: string };
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export class LookupCatalog {
  private readonly cache = new Map<string, { mtimeMs: number; size: number; table: LookupTable }>();

  constructor(
    /** Folders searched in order: the first holding a name wins; outputlookup writes into the first. */
    readonly dirs: readonly string[],
    /** Whether outputlookup may write (not from the console). */
    readonly writable: boolean,
    readonly maxFileBytes = MAX_LOOKUP_FILE_BYTES,
  ) {}

  /** The table of a name, read (again when its file changed); undefined when no folder has it. */
  table(name: string): LookupTable | undefined {
    const def = this.definition(name);
    if (!def) return undefined;
    // Every KV store record has its _key: the one field known of a collection with no fields_list and no data.
    if (def.collection && !existsSync(def.file)) return { ...def, columns: def.fields ?? ['_key'], rows: [] };
    const st = statSync(def.file);
    if (st.size > this.maxFileBytes) throw new LookupError(`lookup file ${def.file} is ${st.size} bytes, over the limit of ${this.maxFileBytes}`);
    const cached = this.cache.get(def.file);
    if (cached && cached.mtimeMs === st.mtimeMs && cached.size === st.size) return { ...cached.table, ...def };
    let csv;
    try {
      csv = parseCsv(readFileSync(def.file, 'utf8'), def.file);
    } catch (e) {
      if (e instanceof CsvError) throw new LookupError(e.message);
      throw new LookupError(`cannot read lookup file ${def.file}: ${(e as Error).message}`);
    }
    // A collection shows its fields_list; a field the file lacks is empty.
    const columns = def.fields ?? csv.header;
    const at = columns.map((c) => csv.header.indexOf(c));
    for (const col of def.matchTypes.keys()) if (!columns.includes(col)) throw new LookupError(`lookup ${name}: match_type names '${col}', which ${def.file} has no column for`);
    const table: LookupTable = { ...def, columns, rows: csv.rows.map((r) => at.map((i) => (i < 0 || r[i] === '' || r[i] === undefined ? null : r[i]!))) };
    this.cache.set(def.file, { mtimeMs: st.mtimeMs, size: st.size, table });
    return table;
  }

  /** The names the folders offer, for "did you mean" hints. */
  names(): string[] {
    const out = new Set<string>();
    for (const dir of this.dirs) for (const f of list(dir)) if (/\.(csv|ya?ml)$/.test(f)) out.add(f.replace(/\.ya?ml$/, ''));
    return [...out];
  }

  /** Where outputlookup writes a table of this name: an existing file of it, else the first folder. */
  outputFile(name: string): string {
    if (!NAME.test(name)) throw new LookupError(`invalid lookup name '${name}' (letters, digits, _ . -)`);
    const def = this.definition(name);
    if (def) return def.file;
    if (!this.dirs.length) throw new LookupError('no lookups folder to write into (--lookups DIR)');
    return join(this.dirs[0]!, name.endsWith('.csv') ? name : `${name}.csv`);
  }

  private definition(name: string): LookupDefinition | undefined {
    if (!NAME.test(name)) throw new LookupError(`invalid lookup name '${name}' (letters, digits, _ . -)`);
    for (const dir of this.dirs) {
      const files = list(dir);
      const yml = files.find((f) => f === `${name}.yml` || f === `${name}.yaml`);
      if (yml) return readDefinition(dir, join(dir, yml), name);
      if (name.endsWith('.csv') && files.includes(name)) return plain(name, join(dir, name));
    }
    return undefined;
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function plain(name: string, file: string): LookupDefinition {
  return { name, file, collection: false, fields: null, matchTypes: new Map(), caseSensitive: true, maxMatches: DEFAULT_MAX_MATCHES, minMatches: 0, defaultMatch: null };
}

function readDefinition(dir: string, path: string, name: string): LookupDefinition {
  let doc: Record<string, unknown>;
  try {
    doc = (parseYaml(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new LookupError(`${path}: invalid YAML: ${(e as Error).message}`);
  }
  if (doc.collection !== undefined && doc.filename !== undefined) throw new LookupError(`${path}: a definition has either a filename or a collection, not both`);
  if (doc.collection === undefined && doc.filename === undefined) throw new LookupError(`lookup ${name}: ${path} defines neither a filename nor a collection`);
  // A KV store collection is kept as <collection>.csv beside its definition.
  const filename = doc.collection !== undefined ? `${String(doc.collection)}.csv` : String(doc.filename);
  if (!NAME.test(filename) || !filename.endsWith('.csv')) throw new LookupError(`${path}: ${doc.collection !== undefined ? `collection '${String(doc.collection)}' must be a name (letters, digits, _ . -)` : `filename '${filename}' must be a .csv file in the same folder`}`);
  if (doc.time_field !== undefined) throw new LookupError(`lookup ${name}: time-based lookups (time_field) are not supported`);
  const def = plain(name, join(dir, filename));
  if (doc.collection !== undefined) {
    def.collection = true;
    if (doc.fields_list !== undefined) {
      const fields = String(doc.fields_list).split(',').map((f) => f.trim()).filter(Boolean);
      if (!fields.length) throw new LookupError(`${path}: fields_list names no field`);
      def.fields = fields;
    }
  }
  const bool = (v: unknown, fallback: boolean) => (v === undefined ? fallback : /^(true|t|1)$/i.test(String(v)));
  def.caseSensitive = bool(doc.case_sensitive_match, true);
  if (doc.max_matches !== undefined) {
    const n = Number(doc.max_matches);
    if (!Number.isInteger(n) || n < 1 || n > MAX_MAX_MATCHES) throw new LookupError(`${path}: max_matches must be 1 to ${MAX_MAX_MATCHES}`);
    def.maxMatches = n;
  }
  if (doc.min_matches !== undefined) {
    const n = Number(doc.min_matches);
    if (n !== 0 && n !== 1) throw new LookupError(`${path}: min_matches ${String(doc.min_matches)} is not supported (0 or 1)`);
    def.minMatches = n;
  }
  if (doc.default_match !== undefined) def.defaultMatch = String(doc.default_match);
  if (doc.match_type !== undefined) {
    for (const part of String(doc.match_type).split(',')) {
      const m = /^\s*(WILDCARD|CIDR|EXACT)\(([^)]+)\)\s*$/i.exec(part);
      if (!m) throw new LookupError(`${path}: match_type '${part.trim()}' is not WILDCARD(<field>), CIDR(<field>) or EXACT(<field>)`);
      def.matchTypes.set(m[2]!.trim(), m[1]!.toLowerCase() as MatchType);
    }
  }
  return def;
}
