/**
 * An SPL error at a place in the query. The message shows the query line with a caret under the
 * offending token, so a user sees what to fix without counting characters.
 */
export class SplError extends Error {
  constructor(
    /** What is wrong, without the query excerpt. */
    readonly reason: string,
    /** Offset of the offending token in the query text. */
    readonly offset: number,
    readonly length: number,
    readonly query: string,
  ) {
    super(`${reason}\n${pointAt(query, offset, length)}`);
    this.name = 'SplError';
  }
}

/** Anything with a place in the query: tokens and AST nodes. */
export interface Located {
  pos: number;
  end: number;
}

/** The line of `query` holding `offset`, and a caret line under `[offset, offset+length)`. */
export function pointAt(query: string, offset: number, length: number): string {
  const at = Math.max(0, Math.min(offset, query.length));
  const start = query.lastIndexOf('\n', at - 1) + 1;
  const nl = query.indexOf('\n', at);
  const end = nl < 0 ? query.length : nl;
  // Control characters would move the caret (and could drive the terminal): show them as '?'.
  const line = query.slice(start, end).replace(/[\x00-\x1f\x7f]/g, '?');
  const width = Math.max(1, Math.min(length, end - at));
  return `  ${line}\n  ${' '.repeat(at - start)}${'^'.repeat(width)}`;
}

/** Up to three known names closest to `name` (edit distance), for "did you mean" hints. */
export function suggest(name: string, known: Iterable<string>): string[] {
  const lower = name.toLowerCase();
  const scored: [number, string][] = [];
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d <= Math.max(2, Math.floor(lower.length / 3)) || k.toLowerCase().includes(lower)) scored.push([d, k]);
  }
  return scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1])).slice(0, 3).map(([, k]) => k);
}

function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
