import type { ConfigIssue } from './intake.js';

/**
 * Reads one mapping of the collect config (the top level, or one input's section) and records a
 * precise issue — path plus what was expected — for every value that does not fit. Keys that were
 * never asked for are reported by `finish()`, so typos do not pass silently.
 */
export class ConfigReader {
  private readonly asked = new Set<string>();

  constructor(
    readonly raw: Record<string, unknown>,
    /** Path of this mapping in the config (`inputs[0]`), '' for the top level. */
    readonly at: string,
    readonly issues: ConfigIssue[],
  ) {}

  path(key: string): string {
    return this.at ? `${this.at}.${key}` : key;
  }

  issue(key: string, message: string): void {
    this.issues.push({ path: this.path(key), message });
  }

  /** Keys read by someone else (`type` and `name` of an input, read by the config loader). */
  accept(...keys: string[]): this {
    for (const k of keys) this.asked.add(k);
    return this;
  }

  has(key: string): boolean {
    this.asked.add(key);
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  string(key: string, opts: { required: true; pattern?: RegExp; expected?: string }): string;
  string(key: string, opts?: { required?: false; default?: string; pattern?: RegExp; expected?: string }): string | undefined;
  string(key: string, opts: { required?: boolean; default?: string; pattern?: RegExp; expected?: string } = {}): string | undefined {
    if (!this.has(key)) {
      if (opts.required) this.issue(key, `required: expected ${opts.expected ?? 'a string'}`);
      return opts.default;
    }
    const v = this.raw[key];
    if (typeof v !== 'string' || v === '' || (opts.pattern && !opts.pattern.test(v))) {
      this.issue(key, `expected ${opts.expected ?? 'a non-empty string'}, got ${describe(v)}`);
      return opts.default;
    }
    return v;
  }

  integer(key: string, opts: { min: number; max: number; default: number; unit?: string }): number {
    if (!this.has(key)) return opts.default;
    const v = this.raw[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < opts.min || v > opts.max) {
      this.issue(key, `expected a whole number from ${opts.min} to ${opts.max}${opts.unit ? ` (${opts.unit})` : ''}, got ${describe(v)}`);
      return opts.default;
    }
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    if (!this.has(key)) return fallback;
    const v = this.raw[key];
    if (typeof v !== 'boolean') {
      this.issue(key, `expected true or false, got ${describe(v)}`);
      return fallback;
    }
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    if (!this.has(key)) return fallback;
    const v = this.raw[key];
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.issue(key, `expected one of ${allowed.join(', ')}, got ${describe(v)}`);
      return fallback;
    }
    return v as T;
  }

  /** A list of strings; a single string is accepted as a list of one. */
  strings(key: string): string[] {
    if (!this.has(key)) return [];
    const v = this.raw[key];
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x === '')) {
      this.issue(key, `expected a list of non-empty strings, got ${describe(v)}`);
      return [];
    }
    return list as string[];
  }

  /** A nested mapping, read by its own reader (its unknown keys are checked by the caller's `finish`). */
  section(key: string): ConfigReader | undefined {
    if (!this.has(key)) return undefined;
    const v = this.raw[key];
    if (!isMapping(v)) {
      this.issue(key, `expected a mapping (key: value lines), got ${describe(v)}`);
      return undefined;
    }
    return new ConfigReader(v, this.path(key), this.issues);
  }

  /** A list of mappings, each read by its own reader at `key[i]`. */
  sections(key: string): ConfigReader[] {
    if (!this.has(key)) return [];
    const v = this.raw[key];
    if (!Array.isArray(v)) {
      this.issue(key, `expected a list, got ${describe(v)}`);
      return [];
    }
    const out: ConfigReader[] = [];
    v.forEach((item, i) => {
      if (isMapping(item)) out.push(new ConfigReader(item, `${this.path(key)}[${i}]`, this.issues));
      else this.issues.push({ path: `${this.path(key)}[${i}]`, message: `expected a mapping, got ${describe(item)}` });
    });
    return out;
  }

  /** Reports the keys nobody asked for. */
  finish(): void {
    for (const key of Object.keys(this.raw)) {
      if (!this.asked.has(key)) this.issue(key, `unknown option${this.asked.size ? `; expected one of ${[...this.asked].sort().join(', ')}` : ''}`);
    }
  }
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as it appears in the config, short: for "got …" in messages. */
export function describe(v: unknown): string {
  if (v === undefined || v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  const text = typeof v === 'string' ? JSON.stringify(v) : String(v);
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
