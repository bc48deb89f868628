import { useEffect, useRef } from 'preact/hooks';
import { cellText, timeText } from '../format.ts';
import { Pivot } from './pivot.tsx';
import type { GridColumn } from './virtual-table.tsx';

/**
 * One result row's fields, every value with its pivots, in a side panel opened from the grid
 * (Enter on a row). Escape or the close button closes it; the caller gives the focus back to the row.
 */
export function RowPanel({ title, columns, row, onClose }: { title: string; columns: GridColumn[]; row: unknown[]; onClose: () => void }) {
  const panel = useRef<HTMLElement>(null);
  const close = useRef(onClose);
  close.current = onClose;
  useEffect(() => {
    panel.current?.querySelector<HTMLElement>('button.close')?.focus();
    // Escape closes the panel wherever the focus is (a pivot menu's Escape closes only that menu).
    const h = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      e.preventDefault();
      close.current();
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, []);
  return (
    <aside class="row-panel" role="dialog" aria-modal="false" aria-label={title} ref={panel} data-testid="row-panel">
      <header>
        <h2>{title}</h2>
        <button type="button" class="close" onClick={() => close.current()} aria-label="close the row (Escape)">
          ×
        </button>
      </header>
      <table class="fields">
        <tbody>
          {columns.map((c, i) => (
            <tr>
              <th scope="row">{c.name}</th>
              <td>{c.time ? timeText(row[i]) : <Pivot field={c.name} value={row[i]}>{cellText(row[i])}</Pivot>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </aside>
  );
}
