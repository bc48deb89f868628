import type { Cursor } from '../cursor.js';
import { SplError } from '../errors.js';
import type { Token } from '../lexer.js';

/**
 * `name=value` options of a command, read while the next tokens are one. `known` lists the options
 * the command implements; any other is refused by name (with the reason given in `refused`, when
 * Splunk has it but packettrail does not answer it exactly).
 */
export function readOptions(c: Cursor, command: string, known: readonly string[], refused: Record<string, string> = {}): Map<string, Token> {
  const out = new Map<string, Token>();
  while (c.peek().kind === 'word' && c.isOp('=', 1)) {
    const option = c.peek();
    const name = option.text.toLowerCase();
    if (!known.includes(name)) {
      const why = Object.hasOwn(refused, name) ? `: ${refused[name]}` : '';
      throw new SplError(`${command} option '${option.text}' is not supported${why} (supported: ${known.join(', ') || 'none'})`, option.pos, option.end - option.pos, c.query);
    }
    c.next();
    c.next();
    const value = c.peek();
    if (value.kind !== 'word' && value.kind !== 'string') throw c.error(`expected a value for ${option.text}=`);
    out.set(name, c.next());
  }
  return out;
}

/** A boolean option's value (`t`, `true`, `1` / `f`, `false`, `0`), or `fallback` when absent. */
export function flag(options: Map<string, Token>, name: string, fallback: boolean, query: string): boolean {
  const t = options.get(name);
  if (!t) return fallback;
  if (/^(true|t|1)$/i.test(t.text)) return true;
  if (/^(false|f|0)$/i.test(t.text)) return false;
  throw new SplError(`expected true or false for ${name}=, got '${t.text}'`, t.pos, Math.max(1, t.end - t.pos), query);
}

/** Refuses an option given with a value other than Splunk's default (an option packettrail only has at its default). */
export function onlyDefault(options: Map<string, Token>, name: string, isDefault: (v: string) => boolean, why: string, query: string): void {
  const t = options.get(name);
  if (t && !isDefault(t.text)) throw new SplError(`${name}=${t.text} is not supported: ${why}`, t.pos, Math.max(1, t.end - t.pos), query);
}
