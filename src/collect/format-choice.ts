import { listFormats } from '../formats/registry.js';
import type { ConfigReader } from './config-reader.js';

/**
 * The format an input hands its records to, as written in the collect config: a format id (checked
 * against the registry) or `auto`, and its `options` (`fields`, `timezone` …). Shared by the push
 * inputs (syslog routes, HTTP intake, Firehose, watched folders).
 */
export function readFormatId(r: ConfigReader, key = 'format', value?: string): string | undefined {
  const format = value ?? r.string(key, { required: true, expected: 'a format id (see `packettrail formats`) or auto' });
  if (format === undefined) return undefined;
  if (format !== 'auto' && !isFormatId(format)) {
    r.issue(key, `unknown format '${format}' (known: ${listFormats().map((f) => f.id).join(', ')}, auto)`);
    return undefined;
  }
  return format;
}

export function isFormatId(id: string): boolean {
  return listFormats().some((f) => f.id === id);
}

/** `options:` beside a format: format options, written as strings. */
export function readFormatOptions(r: ConfigReader, key = 'options'): Record<string, string> {
  const o = r.section(key);
  if (!o) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(o.raw)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else o.issue(k, 'expected a string value');
  }
  return out;
}
