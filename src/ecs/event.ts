import { BoundedCache } from '../util/bounded-cache.js';

/**
 * The internal event: a nested ECS 8.x document. Formats build it, detection reads it, the store
 * flattens it into columns. Only the fields every format shares are typed; vendor fields live under
 * their ECS-style namespace (`aws.cloudfront.*`, `panw.panos.*`, …).
 */
export const ECS_VERSION = '8.17.0';

export type EcsValue = string | number | boolean | null | EcsValue[] | EcsObject;
export interface EcsObject {
  [key: string]: EcsValue | undefined;
}

export interface EcsEvent extends EcsObject {
  '@timestamp'?: string;
  event?: EcsObject & {
    id?: string;
    kind?: string;
    category?: string[];
    type?: string[];
    action?: string;
    outcome?: 'success' | 'failure' | 'unknown';
    dataset?: string;
    module?: string;
    original?: string;
    ingested?: string;
    duration?: number;
    start?: string;
    end?: string;
  };
  source?: EcsObject;
  destination?: EcsObject;
  related?: EcsObject & { ip?: string[]; hosts?: string[]; user?: string[]; hash?: string[] };
}

/** Reads a dotted path (`source.ip`) from a nested event. */
export function getPath(event: EcsObject, path: string | readonly string[]): EcsValue | undefined {
  const parts = typeof path === 'string' ? path.split('.') : path;
  let cur: EcsValue | undefined = event;
  for (const p of parts) {
    if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    cur = (cur as EcsObject)[p];
  }
  return cur;
}

// Mappings write the same few dozen paths on every record: split each once (bounded, since some
// paths are built from input keys).
const splitPaths = new BoundedCache<string, readonly string[]>(4096);

function splitPath(path: string): readonly string[] {
  let parts = splitPaths.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    splitPaths.set(path, parts);
  }
  return parts;
}

/**
 * Sets `obj[key]` as an own property whatever the key. Keys that come from log content need it:
 * `obj['__proto__'] = v` would replace the object's prototype instead (the field vanishes, and a nested
 * write through it reaches Object.prototype, shared by every object of the process).
 */
export function setOwn(obj: EcsObject, key: string, value: EcsValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** Writes a dotted path, creating intermediate objects. `undefined` and `null` values are not written. */
export function setPath(event: EcsObject, path: string | readonly string[], value: EcsValue | undefined): void {
  if (value === undefined || value === null) return;
  const parts = typeof path === 'string' ? splitPath(path) : path;
  let cur: EcsObject = event;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    // `__proto__` read as a property is Object.prototype: only an own one may be walked into.
    let next = p === '__proto__' && !Object.hasOwn(cur, p) ? undefined : cur[p];
    if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) {
      next = {};
      setOwn(cur, p, next);
    }
    cur = next as EcsObject;
  }
  setOwn(cur, parts[parts.length - 1]!, value);
}

/** Removes empty objects left behind by optional mappings, in place. */
export function pruneEmpty(obj: EcsObject): EcsObject {
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined || v === null) delete obj[key];
    else if (typeof v === 'object' && !Array.isArray(v)) {
      pruneEmpty(v);
      if (Object.keys(v).length === 0) delete obj[key];
    } else if (Array.isArray(v) && v.length === 0) delete obj[key];
  }
  return obj;
}
