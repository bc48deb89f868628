import type { EcsEvent, EcsObject } from '../../ecs/event.js';
import type { FieldSpec } from '../format.js';

/**
 * One malformed optional field (a non-numeric byte count, an odd address) must not cost the whole
 * record: the format leaves that field out, keeps the rest, and says what it left out. This is the
 * one way every format says it:
 *   - `tags` gets `_field_dropped` (a core column: `tags = '_field_dropped'` finds them all);
 *   - `packettrail.dropped_fields` lists the fields left out (as the vendor names them), and
 *     `packettrail.field_errors` why (`time-taken 'abc' is not a whole number`);
 *   - `event.original` keeps the raw record even without --original, so the value is not lost.
 * ECS has no field for this; `error.message` is left to what the vendor logged as an error.
 *
 * Use: a parser keeps one `FieldErrors`, clears it per record, and its field readers call `drop`
 * instead of throwing; after mapping, `noteDropped` writes the note when anything was dropped. A
 * record still goes to the dead letters when what it is about cannot be read (its time, its type).
 */
export const FIELD_DROPPED_TAG = '_field_dropped';

/** Fields noted per record: a record with more errors than this is noted with the first ones and a count. */
export const MAX_FIELD_ERRORS = 16;

/** Store columns for the note; formats that use `FieldErrors` list these in `Format.fields`. */
export const FIELD_ERROR_FIELDS: readonly FieldSpec[] = [
  { path: 'packettrail.dropped_fields', type: 'keyword[]', description: 'Fields of the record left out because their value could not be read (see tags: _field_dropped).' },
  { path: 'packettrail.field_errors', type: 'keyword[]', description: 'Why each dropped field was left out: the value and what was expected.' },
];

export class FieldErrors {
  private readonly names: string[] = [];
  private readonly reasons: string[] = [];
  private extra = 0;

  /** Records that `field` was left out for `reason`; returns undefined so readers can `return errors.drop(…)`. */
  drop(field: string, reason: string): undefined {
    if (this.names.length >= MAX_FIELD_ERRORS) this.extra++;
    else {
      this.names.push(field);
      this.reasons.push(reason);
    }
    return undefined;
  }

  get count(): number {
    return this.names.length + this.extra;
  }

  /** Forgets the previous record's errors. */
  clear(): void {
    if (this.names.length === 0) return;
    this.names.length = 0;
    this.reasons.length = 0;
    this.extra = 0;
  }

  /** The note's fields, or undefined when nothing was dropped. */
  note(): { dropped_fields: string[]; field_errors: string[] } | undefined {
    if (this.names.length === 0) return undefined;
    const reasons = this.reasons.slice();
    if (this.extra) reasons.push(`… and ${this.extra} more field${this.extra === 1 ? '' : 's'}`);
    return { dropped_fields: this.names.slice(), field_errors: reasons };
  }
}

/** Writes the note into `event` when `errors` holds any; `raw` becomes `event.original`. */
export function noteDropped(event: EcsEvent, errors: FieldErrors, raw: string): void {
  const note = errors.note();
  if (!note) return;
  const tags = Array.isArray(event.tags) ? (event.tags as string[]) : [];
  if (!tags.includes(FIELD_DROPPED_TAG)) tags.push(FIELD_DROPPED_TAG);
  event.tags = tags;
  const pt = (event.packettrail ??= {}) as EcsObject;
  pt.dropped_fields = note.dropped_fields;
  pt.field_errors = note.field_errors;
  const ev = (event.event ??= {}) as EcsObject;
  if (ev.original === undefined) ev.original = raw;
}
