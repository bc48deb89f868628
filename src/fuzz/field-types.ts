import { isIP } from 'node:net';
import type { EcsEvent, EcsValue } from '../ecs/event.js';
import { getPath } from '../ecs/event.js';
import type { FieldType } from '../formats/format.js';
import { getFormat } from '../formats/registry.js';
import { columnsFor } from '../store/schema.js';

/**
 * Whether an event's values fit the column types its format declares (the core ECS fields and the
 * format's own): the store loads a chunk of rows in one statement, so one `Infinity` in a long column
 * or a `null` in a keyword list loses every event of the chunk. Checked on the events themselves
 * (NDJSON would already have turned `Infinity` and `undefined` into `null`).
 */

const INT64_LIMIT = 2 ** 63;
const INTEGER_TEXT = /^-?\d{1,19}$/;
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

function fits(type: FieldType, v: EcsValue): boolean {
  switch (type) {
    case 'keyword':
    case 'text':
      return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
    case 'ip':
      return typeof v === 'string' && isIP(v) !== 0;
    case 'long':
      if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < INT64_LIMIT;
      return typeof v === 'string' && INTEGER_TEXT.test(v) && Math.abs(Number(v)) < INT64_LIMIT;
    case 'double':
      return typeof v === 'number' && Number.isFinite(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'date':
      return typeof v === 'string' && DATE.test(v) && !Number.isNaN(Date.parse(v));
    case 'keyword[]':
      return (Array.isArray(v) ? v : [v]).every((x) => typeof x === 'string' || (typeof x === 'number' && Number.isFinite(x)));
    case 'json':
      return true;
  }
}

const typedPaths = new Map<string, [string[], FieldType][]>();

function pathsOf(formatId: string): [string[], FieldType][] {
  let paths = typedPaths.get(formatId);
  if (!paths) {
    paths = columnsFor(getFormat(formatId)).filter((c) => c.path).map((c) => [c.path.split('.'), c.type]);
    typedPaths.set(formatId, paths);
  }
  return paths;
}

function show(v: EcsValue | undefined): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  const one = (x: unknown) => (typeof x === 'function' ? `a function (${(x as { name: string }).name})` : (JSON.stringify(x) ?? String(x)));
  const text = Array.isArray(v) ? `[${v.map(one).join(', ')}]` : one(v);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** `path (type) holds value` for every declared field whose value does not fit its type. */
export function fieldTypeProblems(formatId: string, event: EcsEvent): string[] {
  const problems: string[] = [];
  for (const [path, type] of pathsOf(formatId)) {
    const v = getPath(event, path);
    if (v === undefined || v === null) continue;
    if (!fits(type, v)) problems.push(`${path.join('.')} (${type}) holds ${show(v)}`);
  }
  return problems;
}
