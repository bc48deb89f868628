import type { Ctx } from './context.js';
import type { Located } from './errors.js';
import { duckdbAsTimestamp } from '../../store/duckdb/spl-functions.js';
import type { TimeFormatPiece } from '../../store/spl-functions.js';

/**
 * Splunk's time format variables (strftime, strptime, convert ctime/mktime) in DuckDB's dialect.
 * Times are UTC (packettrail's rule): `%z` is +0000 and `%Z` UTC. Variables whose Splunk output
 * depends on the locale (`%x`, `%X`, `%+`) or whose width is not documented (`%N`, `%Q` without a
 * digit count) are refused, naming the variable.
 */
const SAME = new Set(['Y', 'm', 'd', 'H', 'M', 'S', 'y', 'b', 'B', 'h', 'a', 'A', 'j', 'p', 'I', 'U', 'W', 'V', 'G', 'u', 'w', 'f', '%']);
const EXPAND: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M', c: '%a %b %d %H:%M:%S %Y' };
const SUBSECOND: Record<string, string> = { '3': '%g', '6': '%f', '9': '%n' };

/** A piece of a parsing format: DuckDB strptime text. */
type Piece = { fmt: string };

const LITERAL: Record<string, string> = { z: '+0000', ':z': '+00:00', Z: 'UTC', n: '\n', t: '\t' };

function pieces(ctx: Ctx, fmt: string, at: Located, parsing: boolean): Piece[] {
  const out: Piece[] = [];
  const text = (s: string) => {
    const last = out[out.length - 1];
    if (last && 'fmt' in last) last.fmt += s;
    else out.push({ fmt: s });
  };
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== '%') {
      text(ch);
      continue;
    }
    const m = /^(?:([369])[NQ]|(:z)|([A-Za-z%]))/.exec(fmt.slice(i + 1));
    const v = m ? m[0] : fmt[i + 1] ?? '';
    i += Math.max(1, v.length);
    if (m?.[1]) text(SUBSECOND[m[1]]!);
    else if (SAME.has(v)) text(`%${v}`);
    else if (Object.hasOwn(EXPAND, v)) text(EXPAND[v]!);
    else if (parsing && v === 'z') text('%z');
    else if (!parsing && Object.hasOwn(LITERAL, v)) text(LITERAL[v]!.replace(/%/g, '%%'));
    else throw ctx.error(`time format variable '%${v}' is not supported${parsing ? ' in strptime' : ''}`, at);
  }
  return out;
}

/** Variables a format may hold, beyond SAME: expansions into others, literal text, and computed values. */
const FORMAT_EXPAND: Record<string, string> = { ...EXPAND };
const FORMAT_COMPUTED = new Set(['s', 'e', 'k']);

/** A Splunk time format as the dialect's pieces (src/store/spl-functions.ts TimeFormatPiece). */
function formatPieces(ctx: Ctx, fmt: string, at: Located): TimeFormatPiece[] {
  const out: TimeFormatPiece[] = [];
  const text = (s: string) => {
    const last = out[out.length - 1];
    if (last && 'text' in last) last.text += s;
    else out.push({ text: s });
  };
  const variables = (f: string) => {
    for (const m of f.matchAll(/%(.)|([^%]+)/g)) m[1] ? out.push({ variable: m[1] }) : text(m[2]!);
  };
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== '%') {
      text(ch);
      continue;
    }
    const m = /^(?:([369])[NQ]|(:z)|([A-Za-z%]))/.exec(fmt.slice(i + 1));
    const v = m ? m[0] : fmt[i + 1] ?? '';
    i += Math.max(1, v.length);
    if (m?.[1]) out.push({ variable: SUBSECOND[m[1]]!.slice(1) });
    else if (v === '%') text('%');
    else if (SAME.has(v) || FORMAT_COMPUTED.has(v)) out.push({ variable: v });
    else if (Object.hasOwn(FORMAT_EXPAND, v)) variables(FORMAT_EXPAND[v]!);
    else if (Object.hasOwn(LITERAL, v)) text(LITERAL[v]!);
    else throw ctx.error(`time format variable '%${v}' is not supported`, at);
  }
  return out;
}

/** `strftime(t, fmt)` of a time (the store's time type), through the store's dialect. */
export function formatTime(ctx: Ctx, t: string, fmt: string, at: Located): string {
  return ctx.fn.formatTime(t, formatPieces(ctx, fmt, at), (v) => ctx.param(v));
}

/** Text parsed with a Splunk format into a TIMESTAMP (UTC), NULL when it does not parse. */
export function parseTimeText(ctx: Ctx, text: string, fmt: string, at: Located): string {
  const translated = pieces(ctx, fmt, at, true).map((p) => ('fmt' in p ? p.fmt : '')).join('');
  // With %z DuckDB returns a TIMESTAMP WITH TIME ZONE: its epoch is the instant, whatever the session's zone.
  return `make_timestamp(epoch_us(try_strptime(CAST(${text} AS VARCHAR), ${ctx.param(translated)})))`;
}

/** Whether a SQL value is a time (TIMESTAMP, TIMESTAMPTZ, DATE), decided on the value's type. */
const isTime = (x: string) => `(typeof(${x}) LIKE 'TIMESTAMP%' OR typeof(${x}) = 'DATE')`;

/** Any value as a TIMESTAMP (UTC), in DuckDB's SQL (other engines: the dialect's asTime). */
export const asTimestamp = duckdbAsTimestamp;

/** Any value as epoch seconds (DOUBLE): a time's epoch, a number as it is, numeric text parsed; else NULL. */
export function asEpoch(x: string): string {
  const v = `CAST(${x} AS VARCHAR)`;
  return `CASE WHEN ${isTime(x)} THEN epoch(TRY_CAST(${v} AS TIMESTAMP)) ELSE TRY_CAST(${v} AS DOUBLE) END`;
}

/** A DOUBLE as Splunk prints a number: whole numbers without a fraction (3600, not 3600.0). */
export function numberText(x: string): string {
  return `CASE WHEN ${x} = trunc(${x}) AND abs(${x}) < 1e15 THEN CAST(CAST(${x} AS BIGINT) AS VARCHAR) ELSE CAST(${x} AS VARCHAR) END`;
}
