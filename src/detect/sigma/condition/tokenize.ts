export type Token =
  | { t: 'word'; v: string; pos: number }
  | { t: '('; pos: number }
  | { t: ')'; pos: number }
  | { t: '|'; pos: number };

export class ConditionError extends Error {}

/** Splits a condition into identifiers/keywords and parentheses; a `|` marks legacy aggregation. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '(' || c === ')' || c === '|') out.push({ t: c, pos: i++ });
    else {
      const start = i;
      while (i < text.length && !/[\s()|]/.test(text[i]!)) i++;
      out.push({ t: 'word', v: text.slice(start, i), pos: start });
    }
  }
  return out;
}
