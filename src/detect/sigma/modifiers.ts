import { parseCidr } from '../../ecs/ip.js';
import { compileRegex, MAX_REGEX_PROGRAM_PER_FILE, MAX_REGEX_PROGRAM_PER_RULE, RegexError, type RegexFlags } from '../../util/re2.js';
import type { CompareOp, DetectionItem, TimePart, ValueTest } from './rule/types.js';
import { expandLiterals, isPlain, parseSigmaString, plainText, resolvePlaceholders, wrapStars, literal, type SigmaString } from './rule/value.js';

/**
 * Every value modifier of Sigma 2.1. `kind` says how it acts:
 * - `wildcard`: adds `*` around the value (contains/startswith/endswith);
 * - `transform`: rewrites string values, in the order written (windash, base64, utf16, expand…);
 * - `type`: the value is not a wildcard string (re, cidr, exists, fieldref, comparisons, time parts);
 * - `flag`: changes how values combine or compare (all, cased, neq);
 * - `regex-flag`: sub-modifiers of `re`.
 */
export const MODIFIERS: Record<string, { kind: 'wildcard' | 'transform' | 'type' | 'flag' | 'regex-flag'; description: string }> = {
  contains: { kind: 'wildcard', description: 'value anywhere in the field' },
  startswith: { kind: 'wildcard', description: 'field starts with the value' },
  endswith: { kind: 'wildcard', description: 'field ends with the value' },
  all: { kind: 'flag', description: 'every value of the list must match (default: any)' },
  cased: { kind: 'flag', description: 'case-sensitive match (default: case-insensitive)' },
  neq: { kind: 'flag', description: 'field must differ from every value' },
  exists: { kind: 'type', description: 'field present (true) or absent (false)' },
  re: { kind: 'type', description: 'regular expression (case-sensitive unless |i)' },
  i: { kind: 'regex-flag', description: 're: case-insensitive' },
  m: { kind: 'regex-flag', description: 're: ^ and $ match at line breaks' },
  s: { kind: 'regex-flag', description: 're: . matches line breaks' },
  cidr: { kind: 'type', description: 'IPv4/IPv6 address in the CIDR range' },
  lt: { kind: 'type', description: 'numeric less than' },
  lte: { kind: 'type', description: 'numeric less than or equal' },
  gt: { kind: 'type', description: 'numeric greater than' },
  gte: { kind: 'type', description: 'numeric greater than or equal' },
  minute: { kind: 'type', description: 'minute of a timestamp field (UTC)' },
  hour: { kind: 'type', description: 'hour of a timestamp field (UTC)' },
  day: { kind: 'type', description: 'day of month of a timestamp field (UTC)' },
  week: { kind: 'type', description: 'ISO week of a timestamp field (UTC)' },
  month: { kind: 'type', description: 'month (1-12) of a timestamp field (UTC)' },
  year: { kind: 'type', description: 'year of a timestamp field (UTC)' },
  fieldref: { kind: 'type', description: 'value is the name of another field to compare with' },
  windash: { kind: 'transform', description: 'also match -, /, en dash, em dash, horizontal bar for option dashes' },
  base64: { kind: 'transform', description: 'base64 of the value' },
  base64offset: { kind: 'transform', description: 'base64 of the value at the three byte offsets' },
  utf16le: { kind: 'transform', description: 'UTF-16LE bytes of the value' },
  wide: { kind: 'transform', description: 'alias of utf16le' },
  utf16be: { kind: 'transform', description: 'UTF-16BE bytes of the value' },
  utf16: { kind: 'transform', description: 'UTF-16 with byte-order mark (little endian)' },
  expand: { kind: 'transform', description: 'replace %placeholders% by their configured values' },
};

const COMPARE = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const WINDASH = /\B[-/]\b/g;
const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
const MAX_ALTERNATIVES = 4096;
/** Detection items (`field|modifiers: values`) per rule (SigmaHQ's largest rule has 69). */
export const MAX_DETECTION_ITEMS = 1000;
/** Values per rule once modifiers expanded them (SigmaHQ's largest rule has 4,432): each is compiled and held per format. */
export const MAX_DETECTION_VALUES = 100_000;

export class ModifierError extends Error {}

export type RawValue = string | number | boolean | null;

export interface ItemOptions {
  placeholders: Record<string, string[]>;
  /** Collects unresolved placeholder names. */
  unresolved: Set<string>;
  /** What the rule has used so far, against MAX_DETECTION_ITEMS, MAX_DETECTION_VALUES and MAX_REGEX_PROGRAM_PER_RULE. */
  used?: { items: number; values: number; regex: number };
  /** RE2 instructions of the whole file so far, against MAX_REGEX_PROGRAM_PER_FILE. */
  fileRegex?: { instructions: number };
}

/** Builds a detection item from `field|mods` and its raw values. */
export function buildItem(key: string | null, values: RawValue[], opts: ItemOptions, line?: number): DetectionItem {
  const split = key === null ? [''] : key.split('|');
  const mods = split.slice(1);
  const field = split[0] === '' ? null : split[0]!;
  for (const m of mods) {
    if (!MODIFIERS[m]) throw new ModifierError(`unknown modifier '${m}' in '${key}'`);
  }
  const has = (m: string) => mods.includes(m);
  const types = mods.filter((m) => MODIFIERS[m]!.kind === 'type' && !COMPARE.has(m) && !TIME_PARTS.has(m));
  const compare = mods.filter((m) => COMPARE.has(m));
  const timeParts = mods.filter((m) => TIME_PARTS.has(m));
  if (types.length > 1) throw new ModifierError(`modifiers ${types.join(' and ')} cannot be combined in '${key}'`);
  if (compare.length > 1 || timeParts.length > 1) throw new ModifierError(`more than one comparison or time part in '${key}'`);
  const type = types[0] ?? (timeParts.length ? 'timepart' : compare.length ? 'compare' : 'string');
  for (const m of mods) {
    const kind = MODIFIERS[m]!.kind;
    if (kind === 'regex-flag' && type !== 're') throw new ModifierError(`modifier '${m}' only applies after 're' in '${key}'`);
    if ((kind === 'transform' || kind === 'wildcard') && type !== 'string' && !(type === 'fieldref' && kind === 'wildcard')) {
      throw new ModifierError(`modifier '${m}' cannot be combined with '${type}' in '${key}'`);
    }
  }
  if (values.length === 0) throw new ModifierError(`'${key}' has an empty list of values`);
  const used = opts.used;
  if (used && ++used.items > MAX_DETECTION_ITEMS) throw new ModifierError(`the rule has more than ${MAX_DETECTION_ITEMS} detection items`);
  if (type === 'exists' && field === null) throw new ModifierError(`'exists' needs a field`);
  const cased = has('cased');
  const tests: ValueTest[] = [];
  for (const v of values) {
    if (v === null && type === 'string' && mods.every((m) => MODIFIERS[m]!.kind === 'flag')) {
      tests.push({ kind: 'null' });
      continue;
    }
    const t = valueTest(type, mods, v, key ?? '(keywords)', cased, opts, compare[0] as CompareOp | undefined, timeParts[0] as TimePart | undefined);
    if (!t) continue;
    tests.push(t);
    if (used && (used.values += t.kind === 'string' ? t.alts.length : 1) > MAX_DETECTION_VALUES) {
      throw new ModifierError(`the rule has more than ${MAX_DETECTION_VALUES} values (counted after modifiers expand them)`);
    }
  }
  return { field, tests, all: has('all'), negate: has('neq'), source: key ?? '(keywords)', ...(line !== undefined ? { line } : {}) };
}

function valueTest(type: string, mods: string[], v: RawValue, key: string, cased: boolean, opts: ItemOptions, op?: CompareOp, part?: TimePart): ValueTest | undefined {
  switch (type) {
    case 'exists':
      if (typeof v === 'boolean') return { kind: 'exists', want: v };
      if (v === 'true' || v === 'false') return { kind: 'exists', want: v === 'true' };
      throw new ModifierError(`'exists' needs true or false in '${key}', got ${JSON.stringify(v)}`);
    case 're': {
      if (typeof v !== 'string') throw new ModifierError(`'re' needs a string pattern in '${key}'`);
      const flags: RegexFlags = { i: mods.includes('i'), m: mods.includes('m'), s: mods.includes('s') };
      const file = opts.fileRegex;
      // Checked before compiling too: a file of thousands of large regexes must not cost seconds each.
      if (file && file.instructions > MAX_REGEX_PROGRAM_PER_FILE) throw new ModifierError(regexBudget('file', file.instructions, MAX_REGEX_PROGRAM_PER_FILE));
      let re;
      try {
        re = compileRegex(v, flags);
      } catch (e) {
        if (e instanceof RegexError) throw new ModifierError(`${e.message} in '${key}'`);
        throw e;
      }
      if (opts.used && (opts.used.regex += re.programSize) > MAX_REGEX_PROGRAM_PER_RULE) throw new ModifierError(regexBudget('rule', opts.used.regex, MAX_REGEX_PROGRAM_PER_RULE));
      if (file && (file.instructions += re.programSize) > MAX_REGEX_PROGRAM_PER_FILE) throw new ModifierError(regexBudget('file', file.instructions, MAX_REGEX_PROGRAM_PER_FILE));
      return { kind: 'regex', re };
    }
    case 'cidr':
      try {
        return { kind: 'cidr', text: String(v), range: parseCidr(String(v)) };
      } catch {
        throw new ModifierError(`'${String(v)}' is not a CIDR range (e.g. 10.0.0.0/8, 2001:db8::/32) in '${key}'`);
      }
    case 'compare':
    case 'timepart': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
      if (!Number.isFinite(n)) throw new ModifierError(`'${key}' needs a number, got ${JSON.stringify(v)}`);
      return { kind: 'compare', op: op ?? 'eq', n, ...(part ? { timePart: part } : {}) };
    }
    case 'fieldref': {
      if (typeof v !== 'string' || !v) throw new ModifierError(`'fieldref' needs a field name in '${key}'`);
      const mode = mods.includes('contains') ? 'contains' : mods.includes('startswith') ? 'startswith' : mods.includes('endswith') ? 'endswith' : 'eq';
      return { kind: 'fieldref', field: v, mode, cased };
    }
    default:
      return stringTest(mods, v, key, cased, opts);
  }
}

function regexBudget(scope: 'rule' | 'file', used: number, limit: number): string {
  return `the ${scope}'s regexes compile to ${used} RE2 instructions together, over the limit of ${limit} per ${scope}`;
}

function stringTest(mods: string[], v: RawValue, key: string, cased: boolean, opts: ItemOptions): ValueTest | undefined {
  if (v !== null && typeof v === 'object') throw new ModifierError(`'${key}' has a nested map or list as a value`);
  const text = v === null ? '' : String(v);
  // Numbers and booleans compare as their text; only strings carry wildcards.
  let alts: SigmaString[] = [typeof v === 'string' ? parseSigmaString(text, mods.includes('expand')) : literal(text)];
  let binary = false;
  for (const m of mods) {
    switch (m) {
      case 'contains':
        alts = alts.map((s) => wrapStars(s, true, true));
        break;
      case 'startswith':
        alts = alts.map((s) => wrapStars(s, false, true));
        break;
      case 'endswith':
        alts = alts.map((s) => wrapStars(s, true, false));
        break;
      case 'windash':
        alts = alts.flatMap((s) => expandLiterals(s, windash));
        break;
      case 'expand':
        alts = alts.flatMap((s) => resolvePlaceholders(s, opts.placeholders, opts.unresolved));
        if (alts.length === 0) return undefined;
        break;
      case 'base64':
      case 'base64offset':
        alts = alts.flatMap((s) => {
          if (!isPlain(s)) throw new ModifierError(`'${m}' cannot encode wildcards or placeholders in '${key}' (escape them, or put contains after ${m})`);
          const bytes = Buffer.from(plainText(s), binary ? 'latin1' : 'utf8');
          return m === 'base64' ? [literal(bytes.toString('base64'))] : base64Offsets(bytes).map(literal);
        });
        binary = false;
        break;
      case 'utf16le':
      case 'wide':
      case 'utf16be':
      case 'utf16':
        alts = alts.map((s) => {
          if (!isPlain(s)) throw new ModifierError(`'${m}' cannot encode wildcards or placeholders in '${key}'`);
          return literal(utf16(plainText(s), m));
        });
        binary = true;
        break;
    }
    if (alts.length > MAX_ALTERNATIVES) throw new ModifierError(`'${key}' expands to more than ${MAX_ALTERNATIVES} alternatives`);
  }
  return { kind: 'string', alts, cased };
}

function windash(lit: string): string[][] {
  const pieces = lit.split(WINDASH);
  if (pieces.length === 1) return [[lit]];
  let out = [pieces[0]!];
  for (let i = 1; i < pieces.length; i++) {
    const next: string[] = [];
    for (const o of out) for (const d of DASHES) next.push(o + d + pieces[i]!);
    out = next;
  }
  return out.map((s) => [s]);
}

/** The three base64 forms of `bytes` at offsets 0, 1 and 2 of a larger encoded string, trimmed to the stable characters. */
function base64Offsets(bytes: Buffer): string[] {
  const starts = [0, 2, 3];
  const ends = [undefined, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const encoded = Buffer.concat([Buffer.alloc(i, 0x20), bytes]).toString('base64');
    out.push(encoded.slice(starts[i], ends[(bytes.length + i) % 3]));
  }
  return out;
}

/** UTF-16 bytes as a binary (latin1) string, so base64 can follow. */
function utf16(s: string, form: string): string {
  const le = Buffer.from(s, 'utf16le');
  if (form === 'utf16be') le.swap16();
  const bytes = form === 'utf16' ? Buffer.concat([Buffer.from([0xff, 0xfe]), le]) : le;
  return bytes.toString('latin1');
}
