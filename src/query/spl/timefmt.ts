import type { Ctx } from './context.js';
import type { Located } from './errors.js';
import { asEpoch as duckdbAsEpoch, duckdbAsTimestamp, duckdbSplFunctions } from '../../store/duckdb/spl-functions.js';
import type { TimePiece } from '../../store/spl-functions.js';

/**
 * Splunk's time format variables (strftime, strptime, convert ctime/mktime) in DuckDB's dialect.
 * Times are UTC (packettrail's rule): `%z` is +0000 and `%Z` UTC. Variables whose Splunk output
 * depends on the locale (`%x`, `%X`, `%+`) or whose width is not documented (`%N`, `%Q` without a
 * digit count) are refused, naming the variable.
 */
const SAME = new Set(['Y', 'm', 'd', 'H', 'M', 'S', 'y', 'b', 'B', 'h', 'a', 'A', 'j', 'p', 'I', 'U', 'W', 'V', 'G', 'u', 'w', 'f', '%']);
const EXPAND: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M', c: '%a %b %d %H:%M:%S %Y' };
const SUBSECOND: Record<string, string> = { '3': '%g', '6': '%f', '9': '%n' };

const LITERAL: Record<string, string> = { z: '+0000', ':z': '+00:00', Z: 'UTC', n: '\n', t: '\t' };
/** Variables printed from the time itself besides those strftime shares with Splunk. */
const PRINTED = new Set(['s', 'e', 'k']);

/** A format's characters and `%` variables (`%3N` as `3N`, `%:z` as `:z`), in order. */
function* formatTokens(fmt: string): Generator<{ text: string } | { variable: string }> {
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i]!;
    if (ch !== '%') {
      yield { text: ch };
      continue;
    }
    const m = /^(?:([369])[NQ]|(:z)|([A-Za-z%]))/.exec(fmt.slice(i + 1));
    const v = m ? m[0] : fmt[i + 1] ?? '';
    i += Math.max(1, v.length);
    yield { variable: m?.[1] ? `${m[1]}N` : v };
  }
}

/** A Splunk format as DuckDB strptime text (parsing: strptime, convert mktime). */
function parsingFormat(ctx: Ctx, fmt: string, at: Located): string {
  let out = '';
  for (const t of formatTokens(fmt)) {
    if ('text' in t) out += t.text;
    else if (/^\dN$/.test(t.variable)) out += SUBSECOND[t.variable[0]!]!;
    else if (SAME.has(t.variable)) out += `%${t.variable}`;
    else if (Object.hasOwn(EXPAND, t.variable)) out += EXPAND[t.variable]!;
    else if (t.variable === 'z') out += '%z';
    else throw ctx.error(`time format variable '%${t.variable}' is not supported in strptime`, at);
  }
  return out;
}

/** A Splunk time format as text and variables (`%T`, `%F`… expanded), each variable one the store's engine prints. */
function formatPieces(ctx: Ctx, fmt: string, at: Located): TimePiece[] {
  const out: TimePiece[] = [];
  const text = (s: string) => {
    const last = out[out.length - 1];
    if (last && 'text' in last) last.text += s;
    else out.push({ text: s });
  };
  const variable = (v: string) => {
    if (!ctx.fn.timeVariables.has(v)) ctx.native(`the time format variable '%${v}'`, at);
    out.push({ variable: v });
  };
  for (const t of formatTokens(fmt)) {
    if ('text' in t) text(t.text);
    else if (/^\dN$/.test(t.variable)) variable(t.variable);
    else if (t.variable === '%') text('%');
    else if (SAME.has(t.variable) || PRINTED.has(t.variable)) variable(t.variable);
    else if (Object.hasOwn(EXPAND, t.variable)) {
      for (const x of EXPAND[t.variable]!.split(/(%[A-Za-z])/)) {
        if (x.startsWith('%')) variable(x.slice(1));
        else if (x) text(x);
      }
    } else if (Object.hasOwn(LITERAL, t.variable)) text(LITERAL[t.variable]!);
    else throw ctx.error(`time format variable '%${t.variable}' is not supported`, at);
  }
  return out;
}

/** A time (the store's time type) as text in a Splunk format, through the store's dialect. */
export function formatTime(ctx: Ctx, t: string, fmt: string, at: Located): string {
  return ctx.fn.formatTime(t, formatPieces(ctx, fmt, at), (text) => ctx.param(text));
}

/** Text parsed with a Splunk format into a TIMESTAMP (UTC), NULL when it does not parse. */
export function parseTimeText(ctx: Ctx, text: string, fmt: string, at: Located): string {
  const translated = parsingFormat(ctx, fmt, at);
  // With %z DuckDB returns a TIMESTAMP WITH TIME ZONE: its epoch is the instant, whatever the session's zone.
  return `make_timestamp(epoch_us(try_strptime(CAST(${text} AS VARCHAR), ${ctx.param(translated)})))`;
}

/** Any value as a TIMESTAMP (UTC), in DuckDB's SQL (other engines: the dialect's asTime). */
export const asTimestamp = duckdbAsTimestamp;

/** Any value as epoch seconds (DOUBLE), in DuckDB's SQL (other engines: the dialect's epochOrNumber). */
export const asEpoch = duckdbAsEpoch;

/** A DOUBLE as Splunk prints a number: whole numbers without a fraction (3600, not 3600.0), in DuckDB's SQL. */
export const numberText = duckdbSplFunctions.numberText;
