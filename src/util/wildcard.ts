/**
 * Glob-style `*` (any run of characters) and, when asked, `?` (one character) over whole strings,
 * without a regex: a wildcard pattern turned into a backtracking `RegExp` (`^a.*b.*c$`) takes time
 * exponential in the number of `*` on a crafted subject. This keeps one backtrack point, so a match
 * costs at most len(pattern) × len(text) steps.
 */
export function wildcardMatch(pattern: string, text: string, opts: { anyOne?: boolean; caseInsensitive?: boolean } = {}): boolean {
  const p = opts.caseInsensitive ? pattern.toLowerCase() : pattern;
  const s = opts.caseInsensitive ? text.toLowerCase() : text;
  const one = opts.anyOne ?? false;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (i < s.length) {
    if (j < p.length && p[j] !== '*' && ((one && p[j] === '?') || p[j] === s[i])) {
      i++;
      j++;
    } else if (j < p.length && p[j] === '*') {
      star = j++;
      mark = i;
    } else if (star >= 0) {
      j = star + 1;
      i = ++mark;
    } else return false;
  }
  while (j < p.length && p[j] === '*') j++;
  return j === p.length;
}
