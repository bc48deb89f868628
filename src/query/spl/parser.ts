import type { Command, Expr, SearchNode, SortKey } from './ast.js';
import { checkCount, Cursor } from './cursor.js';
import { SplError } from './errors.js';
import { commandWord, lex, splitPipeline, type LexMode, type Token } from './lexer.js';
import { parseExpr } from './parse-expr.js';
import { booleanOption, names, parseAggs, parseCountArg, sortKey } from './parse-args.js';
import { moduleFor, MODULES } from './commands/index.js';

/** How each command's arguments are tokenized, and its parser. */
const COMMANDS: Record<string, { mode: LexMode; parse: (c: Cursor, tok: Token) => Command }> = {
  search: { mode: 'search', parse: (c, tok) => ({ cmd: 'search', node: parseSearch(c), tok }) },
  where: { mode: 'expr', parse: (c, tok) => ({ cmd: 'where', expr: parseExpr(c), tok }) },
  eval: { mode: 'expr', parse: parseEval },
  stats: { mode: 'search', parse: parseStats },
  timechart: { mode: 'search', parse: parseTimechart },
  table: { mode: 'search', parse: (c, tok) => ({ cmd: 'table', fields: names(c, 'a field name'), tok }) },
  fields: { mode: 'search', parse: parseFields },
  rename: { mode: 'search', parse: parseRename },
  sort: { mode: 'search', parse: parseSort },
  head: { mode: 'search', parse: (c, tok) => ({ cmd: 'head', count: parseCountArg(c), tok }) },
  tail: { mode: 'search', parse: (c, tok) => ({ cmd: 'tail', count: parseCountArg(c), tok }) },
  dedup: { mode: 'search', parse: parseDedup },
  top: { mode: 'search', parse: (c, tok) => parseTop(c, tok, 'top') },
  rare: { mode: 'search', parse: (c, tok) => parseTop(c, tok, 'rare') },
};

/** Splunk commands packettrail knows and does not run, with the reason its refusal gives. */
const NOT_RUN: Record<string, string> = {
  apply: 'it applies a model trained with the Splunk Machine Learning Toolkit (MLTK), which packettrail does not have (its .mlmodel files cannot be evaluated here)',
  fit: 'it trains a Splunk Machine Learning Toolkit (MLTK) model, which packettrail does not have',
};

/** The commands packettrail runs, sorted (the console's autocomplete offers them). */
export function splCommandNames(): string[] {
  return [...Object.keys(COMMANDS), ...Object.keys(MODULES)].sort();
}

export function parse(query: string): Command[] {
  const commands: Command[] = [];
  splitPipeline(query).forEach((seg, i) => {
    if (!query.slice(seg.pos, seg.end).trim()) {
      // A query starting with '|' has no base search: every event.
      if (i === 0 && seg.end < query.length) return;
      if (i === 0) throw new SplError('empty query', 0, 1, query);
      throw new SplError('empty command after this pipe', seg.pos - 1, 1, query);
    }
    const head = commandWord(query, seg);
    const spec = head.name && Object.hasOwn(COMMANDS, head.name) ? COMMANDS[head.name] : undefined;
    const module = spec ? undefined : moduleFor(head.name);
    if (module) {
      const tok: Token = { kind: 'word', text: head.name, pos: head.pos, end: head.end };
      const c = new Cursor(lex(query, { pos: head.end, end: seg.end }, module.mode), query);
      commands.push({ cmd: 'module', name: head.name, node: module.parse(c, tok), tok });
      c.done();
      return;
    }
    if (!spec) {
      if (i === 0) {
        // The first segment is a search unless it names the search command.
        const c = new Cursor(lex(query, seg, 'search'), query);
        commands.push({ cmd: 'search', node: parseSearch(c), tok: { kind: 'word', text: '', pos: seg.pos, end: seg.pos } });
        return;
      }
      const bad = head.name ? head : { pos: seg.pos, end: seg.end };
      const shown = query.slice(bad.pos, bad.end).trim();
      const why = Object.hasOwn(NOT_RUN, head.name) ? `: ${NOT_RUN[head.name]}` : '';
      throw new SplError(`unknown or unsupported command '${shown}'${why} (supported: ${splCommandNames().join(', ')})`, bad.pos, bad.end - bad.pos, query);
    }
    const tok: Token = { kind: 'word', text: head.name, pos: head.pos, end: head.end };
    const c = new Cursor(lex(query, { pos: head.end, end: seg.end }, spec.mode), query);
    commands.push(spec.parse(c, tok));
    c.done();
  });
  return commands;
}

const CMP_OPS = new Set(['=', '==', '!=', '<', '<=', '>', '>=']);

/** A search expression, or null when there is none (`search` alone). */
export function parseSearch(c: Cursor): SearchNode | null {
  if (c.atEnd()) return null;
  const node = searchAnd(c);
  c.done();
  return node;
}

function searchAnd(c: Cursor): SearchNode {
  const items: SearchNode[] = [];
  const start = c.peek();
  // Boolean operators are upper case in Splunk; lower-case 'and' is a search term.
  while (!c.atEnd() && !c.isOp(')')) {
    if (c.peek().kind === 'word' && c.peek().text === 'AND') {
      c.next();
      continue;
    }
    items.push(searchOr(c));
  }
  if (!items.length) throw c.error('expected a search term');
  return items.length === 1 ? items[0]! : { kind: 'and', items, pos: start.pos, end: items[items.length - 1]!.end };
}

function searchOr(c: Cursor): SearchNode {
  const items = [searchNot(c)];
  while (c.peek().kind === 'word' && c.peek().text === 'OR') {
    c.next();
    items.push(searchNot(c));
  }
  return items.length === 1 ? items[0]! : { kind: 'or', items, pos: items[0]!.pos, end: items[items.length - 1]!.end };
}

function searchNot(c: Cursor): SearchNode {
  const t = c.peek();
  if (t.kind === 'word' && t.text === 'NOT') {
    c.next();
    const item = searchNot(c);
    return { kind: 'not', item, pos: t.pos, end: item.end };
  }
  return searchPrimary(c);
}

function searchPrimary(c: Cursor): SearchNode {
  const t = c.peek();
  if (c.eatOp('(')) {
    const inner = searchAnd(c);
    c.expectOp(')', "')' to close the group");
    return inner;
  }
  if (t.kind === 'subsearch') {
    c.next();
    return { kind: 'subsearch', tok: t, pos: t.pos, end: t.end };
  }
  if (t.kind !== 'word' && t.kind !== 'string') throw c.error('expected a search term or field=value');
  c.next();
  const op = c.peek();
  if (op.kind === 'op' && CMP_OPS.has(op.text)) {
    c.next();
    const value = c.peek();
    if (value.kind !== 'word' && value.kind !== 'string') throw c.error(`expected a value after '${t.text}${op.text}'`);
    c.next();
    // `_time >= relative_time(now(), "-10m@m")`: the search command calls no function; Splunk
    // compares the field with the text as written, parentheses included.
    if (value.kind === 'word' && c.isOp('(') && c.peek().pos === value.end) {
      const literal = callAsLiteral(c, value);
      return { kind: 'cmp', field: t, op: op.text === '==' ? '=' : op.text, value: literal, pos: t.pos, end: literal.end };
    }
    return { kind: 'cmp', field: t, op: op.text === '==' ? '=' : op.text, value, pos: t.pos, end: value.end };
  }
  // A quoted field name before IN, as before =: `"result.status" IN ("FAIL*", …)` (security_content writes it).
  if (c.isWord('in') && c.isOp('(', 1)) {
    c.next();
    c.next();
    const values: Token[] = [];
    do {
      const v = c.peek();
      if (v.kind !== 'word' && v.kind !== 'string') throw c.error('expected a value in the IN list');
      values.push(c.next());
    } while (c.eatOp(','));
    const close = c.expectOp(')', "')' to close the IN list");
    return { kind: 'in', field: t, values, pos: t.pos, end: close.end };
  }
  return { kind: 'term', value: t, pos: t.pos, end: t.end };
}

/** `name(…)` after a comparison in search: the text up to the balancing ')' as one literal value. */
function callAsLiteral(c: Cursor, name: Token): Token {
  let depth = 0;
  let end = name.end;
  do {
    const t = c.next();
    if (t.kind === 'eof') throw c.error(`expected ')' to close '${name.text}('`);
    if (t.kind === 'op' && t.text === '(') depth++;
    else if (t.kind === 'op' && t.text === ')') depth--;
    end = t.end;
  } while (depth > 0);
  return { kind: 'string', text: c.query.slice(name.pos, end), pos: name.pos, end };
}

function parseEval(c: Cursor, tok: Token): Command {
  const assignments: { name: Token; expr: Expr }[] = [];
  do {
    const name = c.expectName('a field name to assign');
    c.expectOp('=', "'=' after the field name");
    assignments.push({ name, expr: parseExpr(c) });
  } while (c.eatOp(','));
  return { cmd: 'eval', assignments, tok };
}


function parseStats(c: Cursor, tok: Token): Command {
  const aggs = parseAggs(c);
  const by = c.eatWord('by') ? names(c, 'a field name after by') : [];
  return { cmd: 'stats', aggs, by, tok };
}

function parseTimechart(c: Cursor, tok: Token): Command {
  let span: Token | null = null;
  let limit: Token | null = null;
  let bottom = false;
  const flags = { useother: true, usenull: true, cont: true };
  while (c.peek().kind === 'word' && c.isOp('=', 1)) {
    const option = c.next();
    c.next();
    const name = option.text.toLowerCase();
    if (name === 'span') span = c.expectName('a span such as 1h');
    else if (name === 'limit') {
      // Splunk's forms: limit=5, limit=top5, limit=bottom5.
      const m = /^(top|bottom)?(\d+)$/i.exec(c.peek().kind === 'string' ? '' : c.peek().text);
      if (!m) throw c.error('expected a limit (a whole number, or topN / bottomN)');
      checkCount(c.peek(), 'the limit', c.query, m[2]);
      limit = c.next();
      bottom = m[1]?.toLowerCase() === 'bottom';
    } else if (name === 'useother' || name === 'usenull' || name === 'cont') flags[name] = booleanOption(c);
    else throw new SplError(`unknown timechart option '${option.text}' (span, limit, useother, usenull, cont)`, option.pos, option.end - option.pos, c.query);
  }
  const aggs = parseAggs(c);
  let by: Token | null = null;
  if (c.eatWord('by')) by = c.expectName('a field name after by');
  return { cmd: 'timechart', span, aggs, by, limit, bottom, ...flags, tok };
}


function parseFields(c: Cursor, tok: Token): Command {
  let remove = false;
  if (c.isWord('-') || c.isWord('+')) remove = c.next().text === '-';
  return { cmd: 'fields', remove, fields: names(c, 'a field name'), tok };
}

function parseRename(c: Cursor, tok: Token): Command {
  const pairs: { from: Token; to: Token }[] = [];
  do {
    const from = c.expectName('a field to rename');
    if (!c.eatWord('as')) throw c.error("expected 'as'");
    pairs.push({ from, to: c.expectName('the new name') });
  } while (c.eatOp(',') || (!c.atEnd() && c.peek().kind !== 'op'));
  return { cmd: 'rename', pairs, tok };
}


function parseSort(c: Cursor, tok: Token): Command {
  let limit: Token | null = null;
  if (/^\d+$/.test(c.peek().text)) limit = c.expectCount('a limit');
  else if (c.isWord('limit') && c.isOp('=', 1)) {
    c.next();
    c.next();
    limit = c.expectCount('a limit');
  }
  const keys: SortKey[] = [];
  while (!c.atEnd()) {
    if (c.eatOp(',')) continue;
    if (keys.length && (c.isWord('desc') || c.isWord('d'))) {
      c.next();
      for (const k of keys) k.desc = !k.desc;
      continue;
    }
    keys.push(sortKey(c));
  }
  if (!keys.length) throw c.error('expected a field to sort by');
  return { cmd: 'sort', limit, keys, tok };
}


function parseDedup(c: Cursor, tok: Token): Command {
  const count = /^\d+$/.test(c.peek().text) ? c.expectCount('a count') : null;
  const fields: Token[] = [];
  const sortby: SortKey[] = [];
  const flags = { keepempty: false, consecutive: false, keepevents: false };
  while (!c.atEnd()) {
    if (c.eatOp(',')) continue;
    if (c.peek().kind === 'word' && c.isOp('=', 1)) {
      const option = c.next();
      c.next();
      const name = option.text.toLowerCase();
      if (name !== 'keepempty' && name !== 'consecutive' && name !== 'keepevents') throw new SplError(`dedup option '${option.text}' is not supported (keepempty, keepevents, consecutive, sortby)`, option.pos, option.end - option.pos, c.query);
      flags[name] = booleanOption(c);
    } else if (c.eatWord('sortby')) {
      while (!c.atEnd()) sortby.push(sortKey(c));
    } else fields.push(c.expectName());
  }
  if (!fields.length) throw c.error('expected the fields to deduplicate on');
  return { cmd: 'dedup', count, fields, sortby, ...flags, tok };
}

function parseTop(c: Cursor, tok: Token, cmd: 'top' | 'rare'): Command {
  let limit: Token | null = null;
  let showperc = true;
  const fields: Token[] = [];
  while (!c.atEnd() && !c.isWord('by')) {
    if (c.eatOp(',')) continue;
    if (c.isWord('limit') && c.isOp('=', 1)) {
      c.next();
      c.next();
      limit = c.expectCount('a limit');
    } else if (c.isWord('showperc') && c.isOp('=', 1)) {
      c.next();
      c.next();
      showperc = /^(true|t|1)$/i.test(c.expectName('true or false').text);
    } else if (!fields.length && /^\d+$/.test(c.peek().text)) limit = c.expectCount('a limit');
    else fields.push(c.expectName());
  }
  if (!fields.length) throw c.error('expected a field');
  const by = c.eatWord('by') ? names(c, 'a field name after by') : [];
  return { cmd, limit, fields, by, showperc, tok };
}

