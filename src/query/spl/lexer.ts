import { SplError } from './errors.js';

/** `subsearch`: a `[ … ]` in search syntax; its text is what is between the brackets. */
export type TokenKind = 'word' | 'string' | 'number' | 'op' | 'subsearch' | 'eof';

export interface Token {
  kind: TokenKind;
  /** The source text of the token (for strings: without quotes, escapes resolved). */
  text: string;
  /** Offsets in the whole query: [pos, end). */
  pos: number;
  end: number;
  /** A single-quoted name in an eval expression ('my field'): always a field, never a keyword. */
  quotedName?: boolean;
}

/**
 * `search` mode reads Splunk search syntax, where terms may hold `* - . : /` (`foo*`, `-24h`,
 * `https://a.b/c`); `expr` mode reads eval/where expressions, where those are operators.
 */
export type LexMode = 'search' | 'expr';

export interface Segment {
  pos: number;
  end: number;
}

/** Commands whose arguments are eval expressions, where 'single quotes' name fields. */
const EXPR_COMMANDS = new Set(['eval', 'where']);

/** The command word a segment starts with (lower case), or '' when it starts otherwise. */
export function commandWord(query: string, seg: Segment): { name: string; pos: number; end: number } {
  const m = /^\s*([A-Za-z_]+)(?=\s|$)/.exec(query.slice(seg.pos, seg.end));
  if (!m) return { name: '', pos: seg.pos, end: seg.pos };
  const pos = seg.pos + m[0].length - m[1]!.length;
  return { name: m[1]!.toLowerCase(), pos, end: pos + m[1]!.length };
}

/** Splits the query at `|` outside quotes and subsearch brackets: one segment per command. */
export function splitPipeline(query: string): Segment[] {
  const segments: Segment[] = [];
  let start = 0;
  let quote = '';
  let depth = 0;
  let singles = EXPR_COMMANDS.has(commandWord(query, { pos: 0, end: query.length }).name);
  for (let i = 0; i < query.length; i++) {
    const c = query[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === '"' || (c === "'" && singles)) quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && depth > 0) depth--;
    else if (c === '|' && depth === 0) {
      segments.push({ pos: start, end: i });
      start = i + 1;
      singles = EXPR_COMMANDS.has(commandWord(query, { pos: start, end: query.length }).name);
    }
  }
  if (quote) throw new SplError(`unterminated ${quote} quote`, query.lastIndexOf(quote), 1, query);
  segments.push({ pos: start, end: query.length });
  return segments;
}

const SEARCH_OPS = ['!=', '<=', '>=', '==', '=', '<', '>', '(', ')', ','];
const EXPR_OPS = ['!=', '<=', '>=', '==', '<>', '=', '<', '>', '(', ')', ',', '+', '-', '*', '/', '%', '.', '[', ']'];
const SEARCH_STOP = /[\s=<>(),"[]/;

export function lex(query: string, seg: Segment, mode: LexMode): Token[] {
  const tokens: Token[] = [];
  const ops = mode === 'search' ? SEARCH_OPS : EXPR_OPS;
  let i = seg.pos;
  while (i < seg.end) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || (c === "'" && mode === 'expr')) {
      const { text, end } = readQuoted(query, i, seg.end);
      tokens.push(c === '"' ? { kind: 'string', text, pos: i, end } : { kind: 'word', text, pos: i, end, quotedName: true });
      i = end;
      continue;
    }
    if (c === '[' && mode === 'search') {
      const end = closingBracket(query, i, seg.end);
      tokens.push({ kind: 'subsearch', text: query.slice(i + 1, end - 1), pos: i, end });
      i = end;
      continue;
    }
    if (mode === 'expr') {
      const num = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(query.slice(i, seg.end));
      if (num) {
        tokens.push({ kind: 'number', text: num[0], pos: i, end: i + num[0].length });
        i += num[0].length;
        continue;
      }
      const id = /^[A-Za-z_@][A-Za-z0-9_.@]*/.exec(query.slice(i, seg.end));
      if (id) {
        // A trailing dot is the concatenation operator (`a. "x"`), not part of the name.
        const text = id[0].replace(/\.+$/, '');
        tokens.push({ kind: 'word', text, pos: i, end: i + text.length });
        i += text.length;
        continue;
      }
    }
    const op = ops.find((o) => query.startsWith(o, i));
    if (op) {
      tokens.push({ kind: 'op', text: op, pos: i, end: i + op.length });
      i += op.length;
      continue;
    }
    if (mode === 'expr') throw new SplError(`unexpected character '${c}'`, i, 1, query);
    let j = i;
    while (j < seg.end && !SEARCH_STOP.test(query[j]!) && !(query[j] === '!' && query[j + 1] === '=')) j++;
    if (j === i) throw new SplError(`unexpected character '${c}'`, i, 1, query);
    tokens.push({ kind: 'word', text: query.slice(i, j), pos: i, end: j });
    i = j;
  }
  tokens.push({ kind: 'eof', text: '', pos: seg.end, end: seg.end });
  return tokens;
}

/** The offset after the `]` closing the `[` at `start` (quotes and nested brackets skipped). */
function closingBracket(query: string, start: number, limit: number): number {
  let depth = 0;
  for (let i = start; i < limit; i++) {
    const c = query[i]!;
    if (c === '"') {
      i = readQuoted(query, i, limit).end - 1;
      continue;
    }
    if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i + 1;
  }
  throw new SplError('unterminated subsearch: a [ without its closing ]', start, 1, query);
}

function readQuoted(query: string, start: number, limit: number): { text: string; end: number } {
  const q = query[start]!;
  let text = '';
  for (let i = start + 1; i < limit; i++) {
    const c = query[i]!;
    if (c === '\\' && i + 1 < limit) {
      const n = query[++i]!;
      // Splunk keeps backslashes that escape nothing special (regular expressions rely on it).
      text += n === q || n === '\\' ? n : `\\${n}`;
    } else if (c === q) return { text, end: i + 1 };
    else text += c;
  }
  throw new SplError(`unterminated ${q} quote`, start, 1, query);
}
