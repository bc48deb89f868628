import type { Agg, SearchNode } from '../ast.js';
import { compileAggs } from '../aggs.js';
import type { ColInfo, Ctx, Scope } from '../context.js';
import type { Cursor } from '../cursor.js';
import { suggest } from '../errors.js';
import type { Token } from '../lexer.js';
import { parseAggs, until } from '../parse-args.js';
import { parseSearch } from '../parser.js';
import { compileSearch } from '../search.js';
import { spanInterval } from '../time.js';
import { readOptions } from './options.js';
import { commandModule } from './registry.js';
import { derived, keep, q } from './stage.js';
import { findModel, indexedRelation, INDEXED_FIELDS, modelFieldOf, modelRelation, type ModelRelation } from './tstats-model.js';

interface Tstats {
  options: Map<string, Token>;
  aggs: Agg[];
  from: Token | null;
  where: SearchNode | null;
  by: Token[];
  span: Token | null;
}

const REFUSED = {
  prestats: 'intermediate results for a later chart/stats are not produced',
  append: 'it only applies with prestats',
};
/** Options that change how Splunk reads its summaries, not the answer over fully summarized data. */
const KNOWN = ['summariesonly', 'allow_old_summaries', 'fillnull_value', 'local', 'chunk_size', 'include_reduced_buckets'];

/** Names a tstats WHERE may use besides fields: the time bounds (the indexed fields are columns). */
const SEARCH_MODIFIERS = new Set(['earliest', 'latest']);

/** Span units tstats buckets `_time` by, in seconds (calendar units are refused: see below). */
const SPAN_SECONDS: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86400 };

/**
 * `| tstats [summariesonly=] [allow_old_summaries=] [fillnull_value=] <aggregations> [from
 * datamodel=<Model>[.<Dataset>…]] [where <search>] [by <fields> [span=<span>]]`, over the CIM data
 * models of rules/mappings/cim-datamodels.yml: fields are named `<Root>.<field>` (`Web.status`,
 * `All_Traffic.dest_port`), `nodename=<lineage>` selects a dataset, `_time` with span= buckets time.
 * packettrail has no acceleration: every event is read, so summariesonly=true answers as over a
 * fully accelerated model. Without FROM: the indexed fields (index, sourcetype, source, host, _time).
 */
export const tstats = commandModule<Tstats>({
  mode: 'search',
  generating: true,
  parse(c: Cursor) {
    const options = readOptions(c, 'tstats', KNOWN, REFUSED);
    const aggs = parseAggs(c, ['from', 'where', 'by']);
    if (!aggs.length) throw c.error('expected an aggregation such as count, dc(field) or values(field)');
    let from: Token | null = null;
    if (c.eatWord('from')) {
      if (!c.isWord('datamodel') || !c.isOp('=', 1)) throw c.error('expected datamodel=<Model> after FROM (other FROM sources are not supported)');
      c.next();
      c.next();
      from = c.expectName('a data model name');
    }
    let where: SearchNode | null = null;
    if (c.eatWord('where')) where = parseSearch(until(c, 'by'));
    const by: Token[] = [];
    let span: Token | null = null;
    if (c.eatWord('by')) {
      while (!c.atEnd()) {
        if (c.eatOp(',')) continue;
        if (c.isWord('span') && c.isOp('=', 1)) {
          c.next();
          c.next();
          span = c.expectName('a span such as 1h');
        } else by.push(c.expectName('a field name'));
      }
      if (!by.length) throw c.error('expected a field name after BY');
    }
    return { options, aggs, from, where, by, span };
  },
  compile(ctx, _scope, t, _from, tok) {
    const summariesonly = t.options.get('summariesonly');
    if (summariesonly && /^(true|t|1)$/i.test(summariesonly.text)) ctx.warn('tstats summariesonly=true: packettrail has no data model acceleration; every event is read, as if the model were fully accelerated');
    const fill = t.options.get('fillnull_value');
    const named: Token[] = [...t.aggs.flatMap((a) => (a.field ? [a.field] : [])), ...t.by, ...fieldTokens(t.where)];
    for (const a of t.aggs) if (a.field?.text.includes('*')) throw ctx.error('tstats: wildcard fields in aggregations are not supported', a.field);
    // Splunk's tstats aggregates indexed fields only: no eval() argument.
    for (const a of t.aggs) if (a.expr) throw ctx.error('tstats: eval() in an aggregation is not supported (Splunk reads indexed fields only there)', a.fn);
    const { rel, scope } = relationFor(ctx, t, named, tok);
    if (t.where) checkTerms(ctx, t.where);
    const where = t.where ? ` WHERE ${compileSearch(ctx, scope, t.where)}` : '';
    const plain: Scope = { cols: scope.cols, base: false };
    for (const f of named) if (!scope.cols.has(f.text) && !SEARCH_MODIFIERS.has(f.text.toLowerCase())) throw unknownField(ctx, scope, f);
    if (t.span && !t.by.some((b) => b.text === '_time')) throw ctx.error('span= needs _time among the by fields', t.span);
    const by = t.by.map((b) => {
      const ref = ctx.resolve(plain, b);
      if (b.text === '_time') return { name: '_time', sql: t.span ? timeBucket(ctx, ref.sql, t.span) : ref.sql, list: false };
      // Splunk puts fillnull_value in place of a missing by field (only there).
      return { name: ctx.outName(b), sql: fill && !ref.list ? ctx.fn.coalesce(ctx.fn.text(ref.sql), ctx.param(fill.text)) : ref.sql, list: ref.list };
    });
    // A multivalue by field counts the event once per value, as stats does.
    let from = `(SELECT * FROM ${rel} AS "__pt_rel"${where})`;
    const refs = by.map((b, i) => {
      if (!b.list) return b.sql;
      from = `(SELECT *, ${ctx.fn.unnestList(b.sql)} AS "__pt_mv${i}" FROM ${from})`;
      return `"__pt_mv${i}"`;
    });
    const aggs = compileAggs(ctx, plain, t.aggs, by.map((b) => b.name));
    // Grouped under names of its own, named after: ClickHouse reads an alias in the whole SELECT, so
    // `<bucket of _time> AS "_time"` there would change min(_time) beside it.
    const keys = by.map((_, i) => `__pt_k${i}`);
    const values = aggs.map((_, i) => `__pt_a${i}`);
    const inner = [...refs.map((r, i) => `${r} AS ${q(keys[i]!)}`), ...aggs.map((a, i) => `${a.sql} AS ${q(values[i]!)}`)];
    // Events missing a by field are not counted (unless fillnull_value gives them one), as in Splunk.
    const tested = refs.filter((_, i) => !(fill && !by[i]!.list && by[i]!.name !== '_time'));
    const nonNull = tested.length ? ` WHERE ${tested.map((r) => `${r} IS NOT NULL`).join(' AND ')}` : '';
    const group = by.length ? ` GROUP BY ${ctx.fn.selectKeys(keys)}` : '';
    const select = [...by.map((b, i) => `${q(keys[i]!)} AS ${q(b.name)}`), ...aggs.map((a, i) => `${q(values[i]!)} AS ${q(a.name)}`)];
    const order = by.length ? ` ORDER BY ${ctx.fn.selectKeys(by.map((b) => b.name))}` : '';
    const cols: [string, ColInfo][] = [...by.map((b): [string, ColInfo] => [b.name, b.name === '_time' ? { list: false, type: 'date' } : { list: false }]), ...aggs.map((a): [string, ColInfo] => [a.name, a.type ? { list: a.list, type: a.type } : { list: a.list }])];
    return keep(`SELECT ${select.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${from} AS "__pt_rows"${nonNull}${group}) AS "__pt_groups"${order}`, { ...derived(cols), sorted: true });
  },
});

/** The relation of a tstats: a data model's dataset, or the indexed fields of every event. */
function relationFor(ctx: Ctx, t: Tstats, named: Token[], tok: Token): ModelRelation {
  const indexed = new Set(named.map((n) => n.text).filter((n) => (INDEXED_FIELDS as readonly string[]).includes(n)));
  if (!t.from) return indexedRelation(ctx, tok);
  const { model, dataset } = findModel(ctx, t.from);
  const fields = new Set<string>();
  let nodename = false;
  for (const n of named) {
    if (SEARCH_MODIFIERS.has(n.text.toLowerCase())) continue;
    if (n.text === 'nodename') nodename = true;
    const f = modelFieldOf(ctx, model, n);
    if (f !== null) fields.add(f);
  }
  return modelRelation(ctx, model, dataset, fields, nodename, indexed, t.from);
}

/** `_time` in buckets of `span` (seconds to hours, or one day), aligned to the epoch as Splunk aligns them in UTC. */
function timeBucket(ctx: Ctx, time: string, span: Token): string {
  const interval = spanInterval(span.text);
  if (!interval) throw ctx.error(`invalid span '${span.text}' (use 30s, 5m, 1h, 1d)`, span);
  const m = /^(\d+) (second|minute|hour|day)s?$/.exec(interval);
  if (!m || (m[2] === 'day' && m[1] !== '1')) throw ctx.error(`span=${span.text} is not supported by tstats here: Splunk aligns weeks, months and several days to its calendar`, span);
  // `_time` of the relation is the stored timestamp (UTC).
  return ctx.fn.timeBucket(time, Number(m[1]) * SPAN_SECONDS[m[2]!]!);
}

function fieldTokens(node: SearchNode | null): Token[] {
  if (!node) return [];
  const out: Token[] = [];
  const walk = (n: SearchNode): void => {
    if (n.kind === 'and' || n.kind === 'or') n.items.forEach(walk);
    else if (n.kind === 'not') walk(n.item);
    else if (n.kind === 'cmp' || n.kind === 'in') out.push(n.field);
  };
  walk(node);
  return out;
}

/** Refuses a bare term in a tstats WHERE: tstats reads fields, not the raw text. */
function checkTerms(ctx: Ctx, node: SearchNode): void {
  const walk = (n: SearchNode): void => {
    if (n.kind === 'and' || n.kind === 'or') n.items.forEach(walk);
    else if (n.kind === 'not') walk(n.item);
    else if (n.kind === 'term') throw ctx.error('a bare term in a tstats where is not supported (tstats reads fields, not the raw text)', n.value);
  };
  walk(node);
}

function unknownField(ctx: Ctx, scope: Scope, f: Token): Error {
  const hint = suggest(f.text, [...scope.cols.keys()].filter((k) => !k.startsWith('__pt') && k !== 'event_dataset'));
  return ctx.error(`tstats: no field '${f.text}' here (tstats reads ${[...INDEXED_FIELDS, '_time'].join(', ')}${scope.cols.has('nodename') ? ', nodename' : ''} and a data model's fields)${hint.length ? `; did you mean ${hint.join(', ')}?` : ''}`, f);
}
