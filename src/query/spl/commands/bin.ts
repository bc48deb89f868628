import type { ColInfo } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { asTimestamp } from '../timefmt.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { keep, q } from './stage.js';

interface Bin {
  span: Token | null;
  field: Token;
  as: Token | null;
}

const UNIT_US: Record<string, number> = { s: 1e6, m: 60e6, h: 3600e6 };
const UNITS: [RegExp, string][] = [
  [/^(s|sec|secs|second|seconds)$/, 's'],
  [/^(m|min|mins|minute|minutes)$/, 'm'],
  [/^(h|hr|hrs|hour|hours)$/, 'h'],
  [/^(d|day|days)$/, 'd'],
  [/^(mon|month|months)$/, 'mon'],
];
const REFUSED = {
  bins: "Splunk picks a 'human sensible' span under the maximum, by rules packettrail does not reproduce: give span=",
  minspan: 'it only applies when Splunk infers the span: give span=',
  start: 'bin extents are not supported',
  end: 'bin extents are not supported',
  aligntime: 'bins are aligned to the epoch (UTC) only',
};

/**
 * `bin`/`bucket [span=<span>] <field> [as <name>]`: the field's value becomes the start of its bin.
 * Time spans of seconds, minutes and hours are aligned to the epoch (UTC) as Splunk aligns them;
 * `1d` and `1mon` to the day and the month. A number span on a numeric field gives Splunk's range
 * text (`100-200`). Spans Splunk aligns by rules not documented (weeks, several days or months,
 * log spans) are refused.
 */
export const bin = commandModule<Bin>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'bin', ['span'], REFUSED);
    const field = c.expectName('the field to bin');
    const as = c.eatWord('as') ? c.expectName('a field name after as') : null;
    const more = readOptions(c, 'bin', ['span'], REFUSED);
    const span = options.get('span') ?? more.get('span') ?? null;
    return { span, field, as };
  },
  compile(ctx, scope, b, from, tok) {
    if (!b.span) throw ctx.error('bin without span= is not supported (Splunk infers a span from bins=100): give span=, e.g. span=1h', tok);
    const ref = ctx.resolve(scope, b.field);
    if (ref.list) throw ctx.error(`bin on '${b.field.text}', which holds several values, is not supported`, b.field);
    const m = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(b.span.text);
    if (!m || !(Number(m[1]) > 0)) throw ctx.error(`invalid span '${b.span.text}' (use 30s, 5m, 1h, 1d, 1mon, or a number for a numeric field)`, b.span);
    const count = Number(m[1]);
    const unitText = m[2]!.toLowerCase();
    let value: string;
    let info: ColInfo;
    if (!unitText) {
      ctx.native('bin with a numeric span', b.span);
      if (!Number.isInteger(count)) throw ctx.error('a fractional numeric span is not supported: Splunk writes its bins in a form not documented', b.span);
      const n = ctx.number(String(count), b.span);
      const x = `TRY_CAST(CAST(${ref.sql} AS VARCHAR) AS DOUBLE)`;
      const low = `CAST(floor(${x} / ${n}) * ${n} AS BIGINT)`;
      // A value that is not a number stays as it is.
      value = `coalesce(CAST(${low} AS VARCHAR) || '-' || CAST(${low} + ${n} AS VARCHAR), CAST(${ref.sql} AS VARCHAR))`;
      info = { list: false, type: 'keyword' };
    } else {
      const unit = UNITS.find(([re]) => re.test(unitText))?.[1];
      if (!unit) throw ctx.error(`span unit '${unitText}' is not supported in bin (s, m, h; 1d; 1mon): Splunk's alignment of weeks, quarters, years and sub-seconds is not documented`, b.span);
      if (!Number.isInteger(count)) throw ctx.error('a fractional time span is not supported', b.span);
      if (ref.type !== 'date') ctx.native(`bin of '${b.field.text}', which is not a time column`, b.field);
      // A time column is its own timestamp; other values are read as one.
      const t = ref.type === 'date' ? ref.sql : asTimestamp(ref.sql);
      if (unit === 'd' || unit === 'mon') {
        ctx.native(`bin with span=${b.span.text}`, b.span);
        if (count !== 1) throw ctx.error(`span=${b.span.text} is not supported: Splunk's alignment of spans of several ${unit === 'd' ? 'days' : 'months'} is not documented (1d and 1mon are)`, b.span);
        value = `date_trunc('${unit === 'd' ? 'day' : 'month'}', ${t})`;
      } else {
        value = ctx.fn.timeBucket(t, (count * UNIT_US[unit]!) / 1e6);
      }
      info = { list: false, type: 'date' };
    }
    const out = b.as ? ctx.outName(b.as) : ctx.outName(b.field);
    const cols = new Map(scope.cols).set(out, info);
    if (scope.cols.has(out)) ctx.native(`bin onto a field that exists (${out})`, b.as ?? b.field);
    const sql = scope.cols.has(out) ? `SELECT * REPLACE (${value} AS ${q(out)}) FROM ${from}` : `SELECT *, ${value} AS ${q(out)} FROM ${from}`;
    return keep(sql, { ...scope, cols });
  },
});
