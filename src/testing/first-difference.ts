import { isDeepStrictEqual } from 'node:util';

/**
 * Where two JSON values first differ, as a path and the two values there (undefined when equal):
 * engine parity tests name it, as a whole-object diff of two trails buries it.
 */
export function firstDifference(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (isDeepStrictEqual(actual, expected)) return undefined;
  if (actual && expected && typeof actual === 'object' && typeof expected === 'object' && Array.isArray(actual) === Array.isArray(expected)) {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const k of new Set([...Object.keys(e), ...Object.keys(a)])) {
      const d = firstDifference(a[k], e[k], Array.isArray(actual) ? `${path}[${k}]` : `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(actual)?.slice(0, 300)} ≠ expected ${JSON.stringify(expected)?.slice(0, 300)}`;
}
