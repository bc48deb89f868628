import { useMemo, useState } from 'preact/hooks';
import { cellText, formatCount } from '../format.ts';
import { Pivot } from './pivot.tsx';

/** Values listed per field (most frequent first). */
const TOP_VALUES = 10;

export interface SchemaColumn {
  name: string;
  field: string;
  type: string;
  description: string;
}

/** How many rows hold a value in each column (fields without any are not listed). */
function presence(columns: readonly string[], rows: readonly unknown[][]): number[] {
  const n = columns.map(() => 0);
  for (const r of rows) for (let i = 0; i < n.length; i++) if (r[i] !== null && r[i] !== undefined && r[i] !== '') n[i]!++;
  return n;
}

/** The most frequent values of one column (lists count each element). */
export function topValues(rows: readonly unknown[][], i: number, limit = TOP_VALUES): { value: string | number | boolean; count: number }[] {
  const counts = new Map<string, { value: string | number | boolean; count: number }>();
  const add = (v: unknown) => {
    if (v === null || v === undefined || v === '') return;
    const value = typeof v === 'number' || typeof v === 'boolean' ? v : cellText(v);
    const key = `${typeof value}:${String(value)}`;
    const e = counts.get(key);
    if (e) e.count++;
    else counts.set(key, { value, count: 1 });
  };
  for (const r of rows) {
    const v = r[i];
    if (Array.isArray(v)) v.forEach(add);
    else add(v);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || String(a.value).localeCompare(String(b.value))).slice(0, limit);
}

function Field({ name, index, rows, present, schema, time }: { name: string; index: number; rows: readonly unknown[][]; present: number; schema: SchemaColumn | undefined; time: boolean }) {
  const [open, setOpen] = useState(false);
  const top = useMemo(() => (open ? topValues(rows, index) : []), [open, rows, index]);
  return (
    <li>
      <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)} data-field={name}>
        <summary title={schema ? `${schema.field} (${schema.type})${schema.description ? `: ${schema.description}` : ''}` : name}>
          {name} <span class="muted">{formatCount(present)}</span>
        </summary>
        {open && (
          <ul class="top-values" aria-label={`top values of ${name}`}>
            {top.map((t) => (
              <li>
                {time ? cellText(t.value) : <Pivot field={name} value={t.value} />}
                <span class="muted num">{formatCount(t.count)}</span>
              </li>
            ))}
          </ul>
        )}
      </details>
    </li>
  );
}

/**
 * The fields of the current result, each with how many of its rows hold a value and, opened, its
 * most frequent values with their pivots (filter for / out, search everywhere).
 */
export function FieldSidebar({ columns, rows, schema }: { columns: readonly { name: string; time: boolean }[]; rows: readonly unknown[][]; schema: readonly SchemaColumn[] }) {
  const names = useMemo(() => columns.map((c) => c.name), [columns]);
  const counts = useMemo(() => presence(names, rows), [names, rows]);
  const bySchema = useMemo(() => new Map(schema.map((c) => [c.name, c])), [schema]);
  const listed = columns.map((c, i) => ({ ...c, i })).filter((c) => counts[c.i]! > 0);
  return (
    <nav class="field-sidebar" aria-label="fields of the result" data-testid="field-sidebar">
      <h2>Fields</h2>
      <p class="muted">in these {formatCount(rows.length)} rows</p>
      <ul>
        {listed.map((c) => (
          <Field name={c.name} index={c.i} rows={rows} present={counts[c.i]!} schema={bySchema.get(c.name)} time={c.time} />
        ))}
      </ul>
      {!listed.length && <p class="muted">no values</p>}
    </nav>
  );
}
