import { useEffect, useRef, useState } from 'preact/hooks';
import { cellText } from '../format.ts';

const ROW_HEIGHT = 26;
const OVERSCAN = 10;

/**
 * A results table that renders only the rows in view (plus a margin), so a 100,000-row result
 * scrolls as smoothly as a 10-row one. Rows have a fixed height; long cells are clipped (full text
 * in the cell's title).
 */
export function VirtualTable({ columns, rows, height = 480 }: { columns: string[]; rows: unknown[][]; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  useEffect(() => {
    setTop(0);
    if (box.current) box.current.scrollTop = 0;
  }, [rows]);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const template = `3.5rem ${columns.map(() => 'minmax(8rem, 1fr)').join(' ')}`;
  return (
    <div class="vtable" role="table" aria-rowcount={rows.length} aria-colcount={columns.length}>
      <div class="vtable-head" role="row" style={{ gridTemplateColumns: template }}>
        <span role="columnheader">#</span>
        {columns.map((c) => (
          <span role="columnheader" title={c}>
            {c}
          </span>
        ))}
      </div>
      <div class="vtable-body" ref={box} tabIndex={0} style={{ height: `${Math.min(height, rows.length * ROW_HEIGHT + 2)}px` }} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
        <div style={{ height: `${rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
          {rows.slice(first, last).map((r, i) => (
            <div class="vtable-row" role="row" aria-rowindex={first + i + 1} style={{ top: `${(first + i) * ROW_HEIGHT}px`, height: `${ROW_HEIGHT}px`, gridTemplateColumns: template }}>
              <span class="muted">{first + i + 1}</span>
              {r.map((v) => {
                const t = cellText(v);
                return (
                  <span role="cell" title={t.length > 40 ? t.slice(0, 2000) : undefined}>
                    {t}
                  </span>
                );
              })}
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
