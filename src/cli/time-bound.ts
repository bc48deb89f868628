import { CliError } from './exit-codes.js';
import { millisFromIso } from '../ecs/time.js';

const RELATIVE = /^(\d+)\s*([smhdw])$/;
const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`/`--until`: RFC 3339 / ISO date(-time) in UTC, epoch seconds, or an age like `90m`, `24h`, `7d`. */
export function parseTimeBound(text: string, name: string, now = Date.now()): number {
  const t = text.trim();
  const rel = RELATIVE.exec(t);
  if (rel) return now - Number(rel[1]) * UNIT_MS[rel[2]!]!;
  if (/^\d{9,11}$/.test(t)) return Number(t) * 1000;
  const ms = millisFromIso(/^\d{4}-\d{2}-\d{2}$/.test(t) ? `${t}T00:00:00Z` : t);
  if (ms === undefined) throw new CliError(`${name} '${t}' is not a time (use 2026-11-20, 2026-11-20T08:00:00Z, epoch seconds, or an age like 24h or 7d)`);
  return ms;
}
