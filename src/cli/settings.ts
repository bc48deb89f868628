import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { ConfigReader, isMapping } from '../collect/config-reader.js';
import type { ConfigIssue } from '../collect/intake.js';
import { parseZone } from '../ecs/timezone.js';
import { CliError, EXIT } from './exit-codes.js';
import { terminalSafe } from './text.js';

/** The environment variable that names the database for every command that reads or writes one (not `demo`). */
export const DB_ENV = 'PACKETTRAIL_DB';
/** The config file read from the working directory. */
export const LOCAL_CONFIG = 'packettrail.yml';

/**
 * What a config file may set, as defaults of the options of the same name: `db: cases/42.duckdb`
 * stands for `--db cases/42.duckdb` in every command that has `--db`. Paths are relative to the
 * file's directory (`~/` is the home directory).
 */
export const SETTINGS = {
  db: { option: 'db', kind: 'path', help: 'database file (--db) of every command but demo and collect' },
  threads: { option: 'threads', kind: 'threads', help: 'parser threads (--threads) of normalize, ingest, detect' },
  timezone: { option: 'timezone', kind: 'timezone', help: 'time zone of sources that log local time (--timezone)' },
  rules: { option: 'rules', kind: 'paths', help: 'Sigma rule files or directories added to the built-in rules (--rules)' },
  intel: { option: 'intel', kind: 'paths', help: 'threat-intel feeds (--intel) of ingest and detect' },
  aliases: { option: 'aliases', kind: 'paths', help: 'SPL alias files (--aliases) of query' },
  networks: { option: 'networks', kind: 'path', help: 'CIDR → ASN/country overrides (--networks) of insights cloudfront' },
} as const satisfies Record<string, { option: string; kind: 'path' | 'paths' | 'threads' | 'timezone'; help: string }>;

export type SettingName = keyof typeof SETTINGS;

/** Where an option's value came from, for messages that tell the user what to change. */
export type Origin =
  | { kind: 'flag'; flag: string }
  | { kind: 'env'; name: string }
  | { kind: 'config'; file: string; line: number; key: string }
  | { kind: 'default' };

interface Setting {
  value: string | string[];
  file: string;
  line: number;
}

/** A setting's value as the option takes it, with the file and line it came from. */
export type Settings = Partial<Record<SettingName, Setting>>;

/** Config file problems, one `file line N: key: what was expected` a line. */
export class SettingsError extends Error {}

/** The user's config file: $XDG_CONFIG_HOME/packettrail/config.yml, else ~/.config/packettrail/config.yml. */
export function userConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME;
  // The XDG spec: a relative XDG_CONFIG_HOME is invalid and ignored.
  const base = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.config');
  return join(base, 'packettrail', 'config.yml');
}

/** The config files that exist, lowest precedence first: the user's, then ./packettrail.yml. */
export function configFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  return [userConfigPath(env), LOCAL_CONFIG].filter((f) => existsSync(f));
}

/** Reads and merges the config files (later files win, key by key); throws SettingsError naming file and line. */
export function loadSettings(files: readonly string[]): Settings {
  const merged: Settings = {};
  const problems: string[] = [];
  for (const file of files) {
    try {
      Object.assign(merged, parseSettings(readFileSync(file, 'utf8'), file));
    } catch (e) {
      problems.push(e instanceof SettingsError ? e.message : `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (problems.length) throw new SettingsError(problems.join('\n'));
  return merged;
}

/** Parses one config file; every problem is reported with the file and its line. */
export function parseSettings(text: string, file: string): Settings {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (pos: number | undefined) => (pos === undefined ? '' : ` line ${lines.linePos(pos).line}`);
  if (doc.errors.length) throw new SettingsError(doc.errors.map((e) => `${file}${at(e.pos[0])}: YAML: ${e.message.split('\n')[0]}`).join('\n'));
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  // An empty file (or one of comments only) sets nothing.
  if (raw === null || raw === undefined) return {};
  if (!isMapping(raw)) throw new SettingsError(`${file} line 1: expected settings as key: value lines (${Object.keys(SETTINGS).join(', ')})`);
  const issues: ConfigIssue[] = [];
  const reader = new ConfigReader(raw, '', issues);
  const base = dirname(resolve(file));
  const out: Settings = {};
  const lineOf = (key: string) => {
    const node: unknown = doc.getIn([key], true);
    return isNode(node) && node.range ? lines.linePos(node.range[0]).line : 1;
  };
  for (const [key, setting] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    if (!reader.has(key)) continue;
    const value = readSetting(reader, key, setting.kind, base);
    if (value !== undefined) out[key] = { value, file, line: lineOf(key) };
  }
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(SETTINGS, key)) issues.push({ path: key, message: `unknown setting; expected one of ${Object.keys(SETTINGS).join(', ')}` });
  }
  if (issues.length) {
    const located = issues.map((i) => ({ line: lineOf(i.path), text: `${i.path}: ${i.message}` })).sort((a, b) => a.line - b.line);
    throw new SettingsError(located.map((i) => `${file} line ${i.line}: ${i.text}`).join('\n'));
  }
  return out;
}

function readSetting(reader: ConfigReader, key: string, kind: (typeof SETTINGS)[SettingName]['kind'], base: string): string | string[] | undefined {
  switch (kind) {
    case 'path': {
      const v = reader.string(key, { expected: 'a file path' });
      return v === undefined ? undefined : pathFrom(base, v);
    }
    case 'paths': {
      const list = reader.strings(key);
      return list.length ? list.map((p) => pathFrom(base, p)) : undefined;
    }
    case 'threads': {
      const n = reader.integer(key, { min: 0, max: 64, default: -1, unit: 'parser threads, 0 = parse on the main thread' });
      return n < 0 ? undefined : String(n);
    }
    case 'timezone': {
      const v = reader.string(key, { expected: 'a time zone: an offset like +02:00 or an IANA name like Europe/Paris' });
      if (v === undefined) return undefined;
      try {
        parseZone(v);
      } catch (e) {
        reader.issue(key, (e as Error).message);
        return undefined;
      }
      return v;
    }
  }
}

/** A path from a config file: relative to the file's directory; `~/` is the home directory. */
function pathFrom(base: string, p: string): string {
  if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
  return isAbsolute(p) ? p : relativeOrAbsolute(resolve(base, p));
}

/** Short in messages when under the working directory. */
function relativeOrAbsolute(abs: string): string {
  const cwd = process.cwd();
  return abs.startsWith(`${cwd}/`) ? abs.slice(cwd.length + 1) : abs;
}

/** Where each option's value came from in this run (filled by applySettings). */
const origins = new Map<string, Origin>();

/** Where the option's value came from; `--db` when unknown (a library caller, a test). */
export function originOf(option: string): Origin {
  return origins.get(option) ?? { kind: 'flag', flag: `--${option}` };
}

/** `--db`, `PACKETTRAIL_DB`, `db: in ./packettrail.yml line 2`, or `the default`: where a value came from, for messages. */
export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'flag':
      return origin.flag;
    case 'env':
      return origin.name;
    case 'config':
      return `${origin.key}: in ${terminalSafe(origin.file)} line ${origin.line}`;
    case 'default':
      return 'the default';
  }
}

/**
 * Before a command runs: `--db` also reads PACKETTRAIL_DB, and the options a config file sets take
 * its values when the command line and the environment do not give them (flag > environment >
 * ./packettrail.yml > the user's config.yml > built-in default). Config files are read only by
 * commands with such an option; their problems are usage errors naming the file and line.
 */
export function applySettings(command: Command, files: () => string[] = () => configFiles()): void {
  origins.clear();
  if (command.name() === 'demo') return;
  const names = new Set(command.options.map((o) => o.attributeName()));
  const wanted = (Object.keys(SETTINGS) as SettingName[]).filter((k) => names.has(SETTINGS[k].option));
  if (!wanted.length) return;
  const source = (option: string) => command.getOptionValueSource(option) as string | undefined;
  // Given on the command line (or, for --db, by the environment just below): a config file does not override it.
  const given = (option: string) => source(option) !== undefined && source(option) !== 'default';
  if (names.has('db') && !given('db')) {
    const fromEnv = process.env[DB_ENV];
    if (fromEnv) {
      command.setOptionValueWithSource('db', fromEnv, 'env');
      origins.set('db', { kind: 'env', name: DB_ENV });
    }
  }
  let settings: Settings = {};
  const toApply = wanted.filter((k) => !given(SETTINGS[k].option));
  if (toApply.length) {
    try {
      settings = loadSettings(files());
    } catch (e) {
      if (e instanceof SettingsError) throw new CliError(e.message.split('\n').map(terminalSafe).join('\n'), EXIT.USAGE);
      throw e;
    }
  }
  for (const key of wanted) {
    const option = SETTINGS[key].option;
    const s = settings[key];
    if (toApply.includes(key) && s) {
      command.setOptionValueWithSource(option, s.value, 'config');
      origins.set(option, { kind: 'config', file: s.file, line: s.line, key });
    } else if (!origins.has(option)) {
      origins.set(option, source(option) === 'default' || source(option) === undefined ? { kind: 'default' } : { kind: 'flag', flag: `--${option}` });
    }
  }
}
