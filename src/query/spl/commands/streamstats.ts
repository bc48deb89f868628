import type { Agg } from '../ast.js';
import { compileAggs } from '../aggs.js';
import type { ColInfo } from '../context.js';
import type { Cursor } from '../cursor.js';
import type { Token } from '../lexer.js';
import { names, parseAggs } from '../parse-args.js';
import { flag, readOptions } from './options.js';
import { inputOrder } from './order.js';
import { commandModule } from './registry.js';
import { keep, q, ROW } from './stage.js';
import { streamstatsByArrays } from './streamstats-arrays.js';

interface Streamstats {
  aggs: Agg[];
  by: Token[];
  current: boolean;
  window: Token | null;
  global: boolean;
  resetOnChange: boolean;
}

/** Splunk's max_stream_window: the largest window= it takes. */
export const MAX_STREAM_WINDOW = 10_000;

const REFUSED = {
  reset_before: 'resetting the statistics is not supported',
  reset_after: 'resetting the statistics is not supported',
  time_window: 'time windows are not supported',
  allnum: 'allnum is not supported',
};

/**
 * `streamstats [current=<bool>] [window=N] [global=<bool>] [reset_on_change=<bool>] <aggregations>
 * [by <fields>]`: each result gets the statistics of the results before it (itself too unless
 * current=false) in the order of the input, in its by group; window=N counts only the last N results
 * of the stream (global=true, the default) or of the group (global=false); reset_on_change=true
 * starts every statistic over where the by fields change from the result before (results missing a
 * by field are skipped and reset nothing). A result missing a by field gets none.
 */
export const streamstats = commandModule<Streamstats>({
  mode: 'search',
  parse(c: Cursor) {
    const options = readOptions(c, 'streamstats', ['current', 'window', 'global', 'reset_on_change'], REFUSED);
    const window = options.get('window') ?? null;
    if (window && (!/^\d+$/.test(window.text) || Number(window.text) > MAX_STREAM_WINDOW)) throw c.error(`window must be a whole number up to ${MAX_STREAM_WINDOW} (Splunk's max_stream_window)`, window);
    const aggs = parseAggs(c);
    const by = c.eatWord('by') ? names(c, 'a field name after by') : [];
    return { aggs, by, current: flag(options, 'current', true, c.query), window: window && window.text !== '0' ? window : null, global: flag(options, 'global', true, c.query), resetOnChange: flag(options, 'reset_on_change', false, c.query) };
  },
  compile(ctx, scope, s, from, tok) {
    const by = s.by.map((t) => ({ tok: t, ref: ctx.resolve(scope, t) }));
    const multi = by.find((b) => b.ref.list);
    if (multi) throw ctx.error(`streamstats by '${multi.tok.text}', which holds several values, is not supported`, multi.tok);
    if (!ctx.fn.nativeSpl) {
      if (s.resetOnChange && by.length) ctx.native('streamstats reset_on_change=true', tok);
      if (s.window && by.length && s.global) ctx.native('streamstats window= with by fields over the whole stream (global=true; global=false counts per group)', s.window);
      return streamstatsByArrays(ctx, scope, { aggs: s.aggs, by, current: s.current, window: s.window ? Number(s.window.text) : 0 }, from, tok);
    }
    const present = by.map((b) => `${b.ref.sql} IS NOT NULL`).join(' AND ');
    const rows = `(SELECT *, row_number() OVER (${inputOrder(ctx, scope, tok)}) AS ${ROW} FROM ${from})`;
    let input = rows;
    const partitions = by.map((b) => b.ref.sql);
    if (s.resetOnChange && by.length) {
      // A segment number that grows where the by fields differ from the previous result having them all.
      const keys = by.map((b) => b.ref.sql);
      const changed = `CASE WHEN row(${keys.join(', ')}) IS DISTINCT FROM row(${keys.map((k) => `lag(${k}) OVER (ORDER BY ${ROW})`).join(', ')}) THEN 1 ELSE 0 END`;
      const marked = `SELECT *, ${changed} AS "__pt_chg" FROM ${rows} WHERE ${present} UNION ALL BY NAME SELECT *, 0 AS "__pt_chg" FROM ${rows} WHERE NOT (${present})`;
      input = `(SELECT * EXCLUDE ("__pt_chg"), sum("__pt_chg") OVER (ORDER BY ${ROW} ROWS UNBOUNDED PRECEDING) AS "__pt_seg" FROM (${marked}))`;
      partitions.push('"__pt_seg"');
    }
    const partition = partitions.length ? `PARTITION BY ${partitions.join(', ')} ` : '';
    const n = s.window ? Number(s.window.text) : 0;
    // global=true with by fields: the window is the last N results of the stream (a RANGE over the
    // stream's row numbers), the statistics those of the result's group within it.
    const unit = s.window && by.length && s.global ? 'RANGE' : 'ROWS';
    const frame = s.current
      ? `${unit} BETWEEN ${n ? `${n - 1} PRECEDING` : 'UNBOUNDED PRECEDING'} AND CURRENT ROW`
      : `${unit} BETWEEN ${n ? `${n} PRECEDING` : 'UNBOUNDED PRECEDING'} AND 1 PRECEDING`;
    const aggs = compileAggs(ctx, scope, s.aggs, s.by.map((t) => t.text), ` OVER (${partition}ORDER BY ${ROW} ${frame})`);
    const values = aggs.map((a) => {
      return `${present ? `CASE WHEN ${present} THEN ${a.sql} END` : a.sql} AS ${q(a.name)}`;
    });
    const replaced = aggs.filter((a) => scope.cols.has(a.name)).map((a) => q(a.name));
    const extra = input === rows ? [] : ['"__pt_seg"'];
    const sql = `SELECT * EXCLUDE (${[ROW, ...extra, ...replaced].join(', ')}), ${values.join(', ')} FROM ${input} ORDER BY ${ROW}`;
    const cols = new Map<string, ColInfo>(scope.cols);
    for (const a of aggs) cols.set(a.name, a.type ? { list: a.list, type: a.type } : { list: a.list });
    return keep(sql, { ...scope, cols, sorted: true });
  },
});
