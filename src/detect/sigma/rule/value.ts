/**
 * A Sigma string value: literal text, `*` and `?` wildcards and `%placeholder%`s, after the escaping
 * rules of the spec (`\*`, `\?` and `\\` are literals; any other backslash is itself a literal).
 */
export const STAR = 0;
export const ONE = 1;
export type Part = string | typeof STAR | typeof ONE | { placeholder: string };

export interface SigmaString {
  parts: Part[];
}

export function parseSigmaString(raw: string, placeholders = false): SigmaString {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push(lit);
    lit = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else lit += c;
    } else if (c === '*') {
      flush();
      parts.push(STAR);
    } else if (c === '?') {
      flush();
      parts.push(ONE);
    } else if (c === '%' && placeholders) {
      const end = raw.indexOf('%', i + 1);
      if (end > i + 1 && /^[\w.-]+$/.test(raw.slice(i + 1, end))) {
        flush();
        parts.push({ placeholder: raw.slice(i + 1, end) });
        i = end;
      } else lit += c;
    } else lit += c;
  }
  flush();
  return { parts };
}

export function literal(s: string): SigmaString {
  return { parts: s ? [s] : [] };
}

export function isPlain(s: SigmaString): boolean {
  return s.parts.every((p) => typeof p === 'string');
}

export function plainText(s: SigmaString): string {
  return s.parts.map((p) => (typeof p === 'string' ? p : '')).join('');
}

export function hasPlaceholder(s: SigmaString): boolean {
  return s.parts.some((p) => typeof p === 'object');
}

/** Adds a leading and/or trailing `*` unless already there (contains/startswith/endswith). */
export function wrapStars(s: SigmaString, before: boolean, after: boolean): SigmaString {
  const parts = [...s.parts];
  if (before && parts[0] !== STAR) parts.unshift(STAR);
  if (after && parts[parts.length - 1] !== STAR) parts.push(STAR);
  return { parts };
}

/** Applies `fn` to each literal part; `fn` returns alternatives, combined as a cartesian product. */
export function expandLiterals(s: SigmaString, fn: (lit: string) => string[][]): SigmaString[] {
  let out: Part[][] = [[]];
  for (const p of s.parts) {
    if (typeof p !== 'string') {
      for (const o of out) o.push(p);
      continue;
    }
    const alts = fn(p);
    const next: Part[][] = [];
    for (const o of out) for (const a of alts) next.push([...o, ...a]);
    out = next;
  }
  return out.map((parts) => ({ parts: mergeLiterals(parts) }));
}

function mergeLiterals(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (typeof p === 'string' && typeof last === 'string') out[out.length - 1] = last + p;
    else if (p !== '') out.push(p);
  }
  return out;
}

/** Replaces `%name%` placeholders by each of their values (OR); unresolved names are returned. */
export function resolvePlaceholders(s: SigmaString, values: Record<string, string[]>, unresolved: Set<string>): SigmaString[] {
  let out: Part[][] = [[]];
  for (const p of s.parts) {
    if (typeof p === 'object') {
      const vals = values[p.placeholder];
      if (!vals || vals.length === 0) {
        unresolved.add(p.placeholder);
        return [];
      }
      const next: Part[][] = [];
      for (const o of out) for (const v of vals) next.push([...o, ...parseSigmaString(v).parts]);
      out = next;
    } else for (const o of out) o.push(p);
  }
  return out.map((parts) => ({ parts: mergeLiterals(parts) }));
}

/** Human form, for lint and error messages. */
export function showSigmaString(s: SigmaString): string {
  return s.parts.map((p) => (p === STAR ? '*' : p === ONE ? '?' : typeof p === 'object' ? `%${p.placeholder}%` : p.replace(/[*?\\]/g, '\\$&'))).join('');
}
