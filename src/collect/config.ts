import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { ConfigReader, isMapping } from './config-reader.js';
import type { CollectInput, ConfigIssue } from './intake.js';
import { INPUT_TYPES } from './input-types.js';
import { whyNotWritable } from './writable.js';
import { readNatsTarget, type NatsTarget } from './nats/target.js';

/** The whole `packettrail collect` config, validated. */
export interface CollectConfig {
  db: string;
  deadLetter: string | undefined;
  /** Parser threads. */
  threads: number;
  /** Objects/deliveries processed at the same time; more wait (inputs see `saturated`). */
  maxConcurrent: number;
  original: boolean;
  /** A line longer than this is dead-lettered instead of buffered. */
  maxLineChars: number;
  /** Rows staged before a load into the store (within one object, stored progressively). */
  storeBatchRows: number;
  detection: { builtinRules: boolean; rules: string[]; intel: string[]; alertWebhook: string | undefined };
  inputs: CollectInput[];
  /** Pushed records (syslog, HTTP intake, Firehose) go to this NATS JetStream stream for `packettrail worker`; whole objects still load here. */
  to?: NatsTarget | undefined;
}

export interface ConfigDefaults {
  db: string;
  threads: number;
  /**
   * Where dead letters go when the config names no `dead_letter` (beside the database). Given, that
   * path is checked for writing like a configured one; absent (unit tests), it is not checked.
   */
  deadLetterFor?: (db: string) => string;
}

/** Config issues, each `path: message (line N)`. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(`${file}: ${issues.length} problem${issues.length === 1 ? '' : 's'}\n${issues.map((i) => `  ${i.path || '(top level)'}: ${i.message}`).join('\n')}`);
  }
}

export async function loadCollectConfig(file: string, defaults: ConfigDefaults): Promise<CollectConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the config: ${(e as Error).message}` }]);
  }
  return parseCollectConfig(text, file, defaults);
}

/** Parses and validates a config; throws ConfigError listing every problem found, located. */
export function parseCollectConfig(text: string, file: string, defaults: ConfigDefaults): CollectConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => ({ path: '', message: `YAML: ${e.message.split('\n')[0]} (line ${lines.linePos(e.pos[0]).line})` })));
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  const issues: ConfigIssue[] = [];
  if (!isMapping(raw)) throw new ConfigError(file, [{ path: '', message: 'expected a mapping with an `inputs` list at the top level' }]);
  const top = new ConfigReader(raw, '', issues);
  const db = top.string('db', { default: defaults.db, expected: 'a database file path or a clickhouse:// URL' })!;
  const deadLetter = top.string('dead_letter', { expected: 'a file path' });
  const deadLetterPath = deadLetter ?? defaults.deadLetterFor?.(db);
  const unwritable = deadLetterPath === undefined ? undefined : whyNotWritable(deadLetterPath);
  if (unwritable) {
    if (deadLetter !== undefined) top.issue('dead_letter', `the dead-letter file cannot be written: ${unwritable}`);
    else top.issue(top.has('db') ? 'db' : '', `the dead-letter file beside the database cannot be written (set dead_letter: to put it elsewhere): ${unwritable}`);
  }
  const threads = top.integer('threads', { min: 0, max: 64, default: defaults.threads, unit: 'parser threads, 0 = main thread' });
  const maxConcurrent = top.integer('max_concurrent', { min: 1, max: 64, default: 4, unit: 'objects or deliveries processed at once' });
  const original = top.boolean('original', false);
  const storeBatchRows = top.integer('store_batch_rows', { min: 1000, max: 1_000_000, default: 250_000, unit: 'rows per store load' });
  const maxLineChars = top.integer('max_line_chars', { min: 1 << 20, max: 256 << 20, default: 64 << 20, unit: 'characters' });
  const det = top.section('detection');
  const detection = {
    builtinRules: det?.boolean('builtin_rules', true) ?? true,
    rules: det?.strings('rules') ?? [],
    intel: det?.strings('intel') ?? [],
    alertWebhook: det?.string('alert_webhook', { pattern: /^https?:\/\//, expected: 'an http or https URL' }),
  };
  det?.finish();
  const to = readNatsTarget(top);
  if (!top.has('inputs')) top.issue('inputs', 'required: expected a list of inputs, each with a `type`');
  const inputs: CollectInput[] = [];
  const names = new Map<string, string>();
  const types = INPUT_TYPES.map((t) => t.type);
  top.sections('inputs').forEach((section, i) => {
    const type = section.string('type', { required: true, expected: `one of ${types.join(', ')}` });
    const name = section.string('name', { default: `${type ?? 'input'}-${i + 1}`, pattern: /^[\w.-]{1,64}$/, expected: 'a name of letters, digits, _ . - (at most 64)' })!;
    if (names.has(name)) section.issue('name', `duplicate input name '${name}' (also ${names.get(name)})`);
    names.set(name, section.at);
    if (type === undefined) return;
    const kind = INPUT_TYPES.find((t) => t.type === type);
    if (!kind) {
      section.issue('type', `unknown input type ${JSON.stringify(type)}; expected one of ${types.join(', ')}`);
      return;
    }
    const input = kind.create({ ...section.raw, name }, section.at, issues);
    if (input) inputs.push(input);
  });
  if (top.has('inputs') && Array.isArray(raw.inputs) && raw.inputs.length === 0) top.issue('inputs', 'expected at least one input');
  top.finish();
  if (issues.length) throw new ConfigError(file, issues.map((i) => locate(doc, lines, i)));
  return { db, deadLetter, threads, maxConcurrent, original, maxLineChars, storeBatchRows, detection, inputs, ...(to ? { to } : {}) };
}

/** Adds the line of the offending value (or of the nearest enclosing node) to an issue. */
function locate(doc: Document, lines: LineCounter, issue: ConfigIssue): ConfigIssue {
  const segments = issue.path.split(/\.|(?=\[)/).filter(Boolean).map((s) => (s.startsWith('[') ? Number(s.slice(1, -1)) : s));
  for (let n = segments.length; n >= 0; n--) {
    const node: unknown = n ? doc.getIn(segments.slice(0, n), true) : doc.contents;
    if (isNode(node) && node.range) {
      const { line } = lines.linePos(node.range[0]);
      return { path: issue.path, message: `${issue.message} (line ${line})` };
    }
  }
  return issue;
}
