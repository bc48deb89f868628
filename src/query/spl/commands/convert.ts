import type { ColInfo, Ctx, Ref } from '../context.js';
import type { SqlExpressions } from '../../../store/expressions.js';
import { replacing } from '../portable.js';
import type { Cursor } from '../cursor.js';
import type { Located } from '../errors.js';
import type { Token } from '../lexer.js';
import { formatTime, numberText, parseTimeText } from '../timefmt.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { expand, keep, q } from './stage.js';

interface Conversion {
  fn: Token;
  field: Token;
  as: Token | null;
}

interface Convert {
  timeformat: Token | null;
  conversions: Conversion[];
}

/** convert's default timeformat (not the locale's). */
const DEFAULT_TIMEFORMAT = '%m/%d/%Y %H:%M:%S';

/**
 * Each conversion of text to a number: the number, or NULL where the value is not in the form.
 * `v` is the value as text; the patterns have one capture group each (what every engine extracts).
 */
const NUMERIC: Record<string, (fn: SqlExpressions, v: string) => string> = {
  // [D+]HH:MM:SS
  dur2sec: (fn, v) => {
    const part = (pattern: string) => fn.tryDouble(fn.regexExtractFirst(v, pattern));
    return `(CASE WHEN ${fn.regexMatches(v, '^(\\d+\\+)?\\d+:\\d+:\\d+$')} THEN ${fn.coalesce(part('^(\\d+)\\+'), '0')} * 86400 + ` +
      `${part('(\\d+):\\d+:\\d+$')} * 3600 + ${part('(\\d+):\\d+$')} * 60 + ${part(':(\\d+)$')} END)`;
  },
  // [MM:]SS.SSS
  mstime: (fn, v) =>
    `(CASE WHEN ${fn.regexMatches(v, '^(\\d+:)?\\d+(\\.\\d+)?$')} THEN ${fn.coalesce(fn.tryDouble(fn.regexExtractFirst(v, '^(\\d+):')), '0')} * 60 + ${fn.tryDouble(fn.regexExtractFirst(v, '(\\d+(?:\\.\\d+)?)$'))} END)`,
  // A number with an optional k, m or g: kilobytes.
  memk: (fn, v) =>
    `(CASE WHEN ${fn.regexMatches(v, '^\\d+(\\.\\d*)?[kmgKMG]?$')} THEN ${fn.tryDouble(fn.regexExtractFirst(v, '^(\\d+(?:\\.\\d*)?)'))} * ` +
    `(CASE ${fn.lower(fn.regexExtractFirst(v, '([kmgKMG])$'))} WHEN 'm' THEN 1024 WHEN 'g' THEN 1048576 ELSE 1 END) END)`,
  // The leading number; what follows is dropped.
  rmunit: (fn, v) => fn.tryDouble(fn.regexExtractFirst(v, '^\\s*([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][-+]?\\d+)?)')),
  rmcomma: (fn, v) => fn.tryDouble(fn.regexReplaceAll(v, fn.literal(','), "''")),
  num: (fn, v) => fn.tryDouble(fn.trimChars('both', v, fn.literal(' '), ' ')),
  auto: (fn, v) => fn.tryDouble(fn.trimChars('both', v, fn.literal(' '), ' ')),
};
const FUNCTIONS = ['ctime', 'mktime', 'none', ...Object.keys(NUMERIC)];

/**
 * `convert [timeformat=<fmt>] <fn>(<field>) [as <name>] …`. Without `as` the field is replaced.
 * ctime formats an epoch (or a time) with timeformat, mktime parses text into epoch seconds; the
 * numeric conversions turn text into numbers. A value a conversion cannot read is left as it is
 * (num() removes it; auto() leaves the whole field as it is when any value cannot be read), so the
 * result is text unless num() made it. none(<field>) keeps fields out of wildcard conversions.
 */
export const convert = commandModule<Convert>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'convert', ['timeformat']);
    const conversions: Conversion[] = [];
    while (!c.atEnd()) {
      if (c.eatOp(',')) continue;
      const fn = c.peek();
      if (fn.kind !== 'word' || !c.isOp('(', 1)) throw c.error('expected a conversion such as ctime(field)');
      if (!FUNCTIONS.includes(fn.text.toLowerCase())) throw c.error(`unknown convert function '${fn.text}' (${FUNCTIONS.join(', ')})`, fn);
      c.next();
      c.next();
      const field = c.expectName('a field name');
      c.expectOp(')', "')' after the field");
      const as = c.eatWord('as') ? c.expectName('a field name after as') : null;
      conversions.push({ fn, field, as });
    }
    if (!conversions.length) throw c.error('expected a conversion such as ctime(field)');
    return { timeformat: options.get('timeformat') ?? null, conversions };
  },
  compile(ctx, scope, cv, from) {
    const fmt = cv.timeformat?.text ?? DEFAULT_TIMEFORMAT;
    const excluded = new Set(cv.conversions.filter((x) => x.fn.text.toLowerCase() === 'none').flatMap((x) => expand(ctx, scope, [x.field])));
    let sql = `SELECT * FROM ${from}`;
    let cols = scope.cols;
    for (const x of cv.conversions) {
      const fn = x.fn.text.toLowerCase();
      if (fn === 'none') continue;
      const wildcard = x.field.text.includes('*');
      if (wildcard && x.as) throw ctx.error('convert … as with a wildcard field is not supported', x.as);
      const fields = expand(ctx, { ...scope, cols }, [x.field]).filter((f) => !(wildcard && excluded.has(f)));
      for (const name of fields) {
        const ref = ctx.resolve({ ...scope, cols }, { ...x.field, text: name });
        if (ref.list) throw ctx.error(`convert ${fn}() on '${name}', which holds several values, is not supported`, x.field);
        const { value, info } = conversion(ctx, fn, ref, fmt, cv.timeformat ?? x.fn, x.fn);
        const out = x.as ? ctx.outName(x.as) : name;
        sql = cols.has(out) ? replacing(ctx, { ...scope, cols }, [[out, value]], [], `(${sql})`, 'convert', x.field) : `SELECT *, ${value} AS ${q(out)} FROM (${sql})`;
        cols = new Map(cols).set(out, info);
      }
    }
    return keep(sql, { ...scope, cols });
  },
});

function conversion(ctx: Ctx, fn: string, ref: Ref, fmt: string, at: Located, call: Located): { value: string; info: ColInfo } {
  const x = ref.sql;
  const text = ctx.fn.text(x);
  const kept = (converted: string) => ctx.fn.coalesce(converted, text);
  if (fn === 'ctime') return { value: kept(formatTime(ctx, ref.type === 'date' ? x : ctx.fn.asTime(x), fmt, at)), info: { list: false, type: 'keyword' } };
  if (fn === 'mktime') {
    ctx.native('convert mktime()', call);
    return { value: kept(numberText(`epoch(${parseTimeText(ctx, text, fmt, at)})`)), info: { list: false, type: 'keyword' } };
  }
  const number = NUMERIC[fn]!(ctx.fn, text);
  if (fn === 'num') return { value: number, info: { list: false, type: 'double' } };
  // auto: one value it cannot read leaves the whole field as it is.
  if (fn === 'auto') {
    ctx.native('convert auto()', call);
    return { value: `CASE WHEN count(${x}) OVER () = count(${number}) OVER () THEN ${numberText(number)} ELSE ${text} END`, info: { list: false, type: 'keyword' } };
  }
  return { value: kept(ctx.fn.numberText(number)), info: { list: false, type: 'keyword' } };
}
