import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { builtinMappingFile } from './aliases.js';
import { SplError } from './errors.js';

/**
 * Search macros, as Splunk expands them: `` `name` `` and `` `name(a, b)` `` are replaced by the
 * definition of `[name]` / `[name(2)]` (macros are overloaded by their number of arguments), `$arg$`
 * replaced everywhere in it, then expanded again (definitions call other macros). Expansion is
 * textual and happens before the search is parsed, so a macro may hold commands, options or half an
 * expression. Macros are not expanded inside double-quoted strings.
 */
export interface Macro {
  /** `name` or `name(N)`. */
  key: string;
  args: string[];
  definition: string;
  /** Splunk's `iseval = true`: the definition is an eval expression (refused when used). */
  iseval: boolean;
  /** Where it was defined, for error messages. */
  origin: string;
}

export type MacroTable = Map<string, Macro>;

export class MacroError extends Error {}

/** Nesting deeper than this is a loop (`a` calling `b` calling `a`) or a hostile file. */
export const MAX_MACRO_DEPTH = 32;
/** An expanded search longer than this is refused: a few macros calling each other twice per level double the text each time. */
export const MAX_EXPANDED_LENGTH = 1_000_000;

/** packettrail's own defaults (`rules/mappings/spl-macros.conf`): environment macros and ESCU helpers. */
export function builtinMacroFile(): string {
  return builtinMappingFile('spl-macros.conf');
}

let builtin: MacroTable | undefined;

/** The built-in macros, read once. */
export function builtinMacros(): MacroTable {
  builtin ??= loadMacros([]);
  return builtin;
}

/**
 * The built-in macros extended by user files or directories (macros.conf, or `*.yml` files in the
 * security_content layout); later sources replace macros of the same name and argument count.
 */
export function loadMacros(sources: readonly string[], withBuiltin = true): MacroTable {
  const table: MacroTable = new Map();
  for (const src of withBuiltin ? [builtinMacroFile(), ...sources] : sources) {
    if (!existsSync(src)) throw new MacroError(`cannot read macro file ${src}: no such file or directory`);
    if (statSync(src).isDirectory()) {
      for (const f of readdirSync(src).sort()) {
        const path = join(src, f);
        if (/\.ya?ml$/i.test(f)) addMacro(table, macroFromYaml(readText(path), path));
        else if (/\.conf$/i.test(f)) for (const m of parseMacrosConf(readText(path), path)) addMacro(table, m);
      }
    } else if (/\.ya?ml$/i.test(src)) addMacro(table, macroFromYaml(readText(src), src));
    else for (const m of parseMacrosConf(readText(src), src)) addMacro(table, m);
  }
  return table;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new MacroError(`cannot read macro file ${path}: ${(e as Error).message}`);
  }
}

function addMacro(table: MacroTable, m: Macro | undefined): void {
  if (m) table.set(m.key, m);
}

const ARG_NAME = /^[A-Za-z0-9_-]+$/;
const STANZA = /^\[\s*([^\]\s(]+)\s*(?:\(\s*(\d+)\s*\))?\s*\]$/;

/** Splunk's macros.conf: `[name]` / `[name(N)]` stanzas with `definition`, `args`, `iseval`; `\` continues a line. */
export function parseMacrosConf(text: string, origin: string): Macro[] {
  const out: Macro[] = [];
  let current: { name: string; n: number; keys: Record<string, string>; line: number } | undefined;
  const finish = () => {
    if (current) out.push(makeMacro(current.name, current.n, current.keys, `${origin}:${current.line}`));
    current = undefined;
  };
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const start = i + 1;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)}\n${lines[++i]!}`;
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    if (t.startsWith('[')) {
      finish();
      const m = STANZA.exec(t);
      if (!m) throw new MacroError(`${origin}:${start}: expected a stanza like [name] or [name(2)], got '${t.slice(0, 80)}'`);
      current = { name: m[1]!, n: Number(m[2] ?? 0), keys: {}, line: start };
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0 || !current) throw new MacroError(`${origin}:${start}: expected 'key = value' inside a [macro] stanza`);
    current.keys[line.slice(0, eq).trim().toLowerCase()] = line.slice(eq + 1).trim();
  }
  finish();
  return out;
}

/** security_content's macro YAML: `name`, `definition`, optional `arguments` (their order is the call order). */
export function macroFromYaml(text: string, origin: string): Macro | undefined {
  let doc: unknown;
  try {
    doc = parseLenientYaml(text);
  } catch (e) {
    throw new MacroError(`${origin}: invalid YAML: ${(e as Error).message}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new MacroError(`${origin}: expected a mapping with name: and definition:`);
  const d = doc as Record<string, unknown>;
  if (typeof d.name !== 'string' || !d.name) throw new MacroError(`${origin}: name: missing`);
  const args = d.arguments === undefined || d.arguments === null ? [] : d.arguments;
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) throw new MacroError(`${origin}: arguments: expected a list of names`);
  const def = d.definition === null || d.definition === undefined ? '' : String(d.definition);
  return makeMacro(d.name, args.length, { definition: def, args: args.join(','), iseval: String(d.iseval ?? 'false') }, origin);
}

/**
 * YAML as security_content writes it: multi-line quoted values whose later lines start at column 0,
 * which YAML forbids and its own (lenient) loader accepts, are indented and read again.
 */
export function parseLenientYaml(text: string): unknown {
  try {
    return parseYaml(text);
  } catch (e) {
    try {
      return parseYaml(text.replace(/\r\n?/g, '\n').split('\n').map((l) => (l && !/^([A-Za-z_][\w-]*:|- |#|\s)/.test(l) ? `  ${l}` : l)).join('\n'));
    } catch {
      throw e;
    }
  }
}

function makeMacro(name: string, n: number, keys: Record<string, string>, origin: string): Macro {
  const args = n === 0 ? [] : (keys.args ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  if (args.length !== n) throw new MacroError(`${origin}: macro ${name}(${n}) names ${args.length} argument(s) in args`);
  for (const a of args) if (!ARG_NAME.test(a)) throw new MacroError(`${origin}: macro ${name}(${n}): invalid argument name '${a}'`);
  if (new Set(args).size !== args.length) throw new MacroError(`${origin}: macro ${name}(${n}): an argument is named twice`);
  return { key: n ? `${name}(${n})` : name, args, definition: keys.definition ?? '', iseval: /^(1|true|t)$/i.test(keys.iseval ?? ''), origin };
}

/** A macro that ESCU detections call as their customer hook: missing ones expand to nothing. */
const FILTER_HOOK = /_filter$/;

/**
 * Expands every macro call of `query`. Errors are SplErrors at the call in the query as written (an
 * error inside a definition names the macro chain).
 */
export function expandMacros(query: string, table: MacroTable): string {
  if (!query.includes('`')) return query;
  const out = expand(query, table, [], query);
  return dropEmptyCommands(out);
}

function expand(text: string, table: MacroTable, chain: string[], original: string): string {
  let out = '';
  let i = 0;
  let quote = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') {
        out += text.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (c === '"') quote = false;
      out += c;
      i++;
      continue;
    }
    if (c === '"') {
      quote = true;
      out += c;
      i++;
      continue;
    }
    if (c !== '`') {
      out += c;
      i++;
      continue;
    }
    const close = text.indexOf('`', i + 1);
    const at = (reason: string) => {
      const where = chain.length ? ` (in the expansion of ${chain.map((m) => `\`${m}\``).join(' → ')})` : '';
      return chain.length ? new SplError(`${reason}${where}`, 0, 1, original) : new SplError(reason, i, Math.max(1, (close < 0 ? text.length : close + 1) - i), original);
    };
    if (close < 0) throw at('unterminated macro call: a ` without its closing `');
    const call = text.slice(i + 1, close);
    const m = /^\s*([A-Za-z0-9_.:-]+)\s*(?:\(([\s\S]*)\))?\s*$/.exec(call);
    if (!m) throw at(`invalid macro call \`${call.slice(0, 60)}\``);
    const name = m[1]!;
    const args = m[2] === undefined ? [] : splitArgs(m[2]);
    const key = args.length ? `${name}(${args.length})` : name;
    const macro = table.get(key);
    let body: string;
    if (!macro) {
      if (!FILTER_HOOK.test(name) || args.length) {
        const other = [...table.keys()].filter((k) => k === name || k.startsWith(`${name}(`));
        throw at(`unknown macro \`${key}\`${other.length ? ` (defined: ${other.join(', ')})` : ''}`);
      }
      body = '';
    } else {
      if (macro.iseval) throw at(`macro \`${key}\` is an eval-based macro (iseval = true), which packettrail does not expand`);
      if (chain.length >= MAX_MACRO_DEPTH || chain.includes(key)) throw at(`macro \`${key}\` calls itself or nests deeper than ${MAX_MACRO_DEPTH} levels`);
      body = macro.definition;
      macro.args.forEach((a, k) => {
        body = body.split(`$${a}$`).join(args[k]!);
      });
      body = expand(body, table, [...chain, key], original);
    }
    out += body;
    if (out.length > MAX_EXPANDED_LENGTH) throw at(`the search is longer than ${MAX_EXPANDED_LENGTH} characters once its macros are expanded`);
    i = close + 1;
  }
  return out;
}

/**
 * Arguments split at top-level commas (not inside quotes or parentheses), trimmed; one layer of
 * surrounding double quotes is removed, so `drop_dm_object_name("Web")` and `drop_dm_object_name(Web)` agree.
 */
export function splitArgs(text: string): string[] {
  const args: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\' && i + 1 < text.length) cur += c + text[++i]!;
      else {
        if (c === '"') quote = false;
        cur += c;
      }
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      args.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  args.push(cur);
  return args.map((a) => {
    const t = a.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
  });
}

/** `… | | stats` or a trailing `|` left by macros that expand to nothing (filter hooks): the empty command goes. */
function dropEmptyCommands(text: string): string {
  let out = '';
  let quote = false;
  let pendingPipe = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') {
        out += text.slice(i, i + 2);
        i++;
        continue;
      }
      if (c === '"') quote = false;
      out += c;
      continue;
    }
    if (c === '|') {
      // A pipe right after another (only blanks between), or before a closing bracket or the end: drop it.
      if (pendingPipe >= 0) out = out.slice(0, pendingPipe) + out.slice(pendingPipe + 1);
      pendingPipe = out.length;
      out += c;
      continue;
    }
    if (c === ']' && pendingPipe >= 0) {
      out = out.slice(0, pendingPipe) + out.slice(pendingPipe + 1);
      pendingPipe = -1;
    }
    if (c === '"') quote = true;
    if (!/\s/.test(c)) pendingPipe = -1;
    out += c;
  }
  if (pendingPipe >= 0) out = out.slice(0, pendingPipe) + out.slice(pendingPipe + 1);
  return out;
}
