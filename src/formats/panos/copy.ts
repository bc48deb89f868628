import type { EcsObject } from '../../ecs/event.js';
import type { Rec } from './layouts.js';

export type Copier = (r: Rec, into: EcsObject) => void;

const KEY = /^[a-z_][a-z0-9_]*$/;

/**
 * Turns a [field id, key] table into a function of plain property stores. A loop of computed-key
 * stores (`into[key] = v`) on a million events turns the vendor object into a slow dictionary
 * object and costs several percent of the whole parse; generated named stores keep it a fast
 * object. Keys come from our own tables and are checked to be plain identifiers. Values listed in
 * `placeholders` (PAN-OS writes `0` or `N/A` for "none") are not copied.
 */
export function compileCopy(table: readonly (readonly [number, string])[], placeholders: readonly string[] = []): Copier {
  const skip = placeholders.map((p) => ` && v !== ${JSON.stringify(p)}`).join('');
  const body = table
    .map(([id, key]) => {
      if (!KEY.test(key) || !Number.isInteger(id)) throw new Error(`bad copy entry ${id} → ${key}`);
      return `v = r[${id}]; if (v !== undefined${skip}) o.${key} = v;`;
    })
    .join('\n');
  return new Function('r', 'o', `let v;\n${body}`) as Copier;
}

/** Copies the fields of a small, rarely used table (the non-session log types). */
export function copy(r: Rec, into: EcsObject, table: readonly (readonly [number, string])[]): void {
  for (let i = 0; i < table.length; i++) {
    const entry = table[i]!;
    const v = r[entry[0]];
    if (v !== undefined) into[entry[1]] = v;
  }
}
