import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { cellText, formatCount, timeText, zoneLabel } from '../format.ts';
import { typingIn, useTimeZone } from '../hooks.ts';
import { Pivot } from './pivot.tsx';

const ROW_HEIGHT = 26;
const OVERSCAN = 10;
/** The grid holds at most this many rows at a time; the rest of a result is a page away. */
export const GRID_PAGE_ROWS = 10_000;
/** Column widths (px): the first guess comes from the header and the first rows' text. */
const MIN_COLUMN = 56;
const MAX_GUESSED_COLUMN = 448;
const INDEX_COLUMN = 64;
/** Rows sampled for the width guess, average character width of the grid's monospace font and cell padding. */
const SAMPLE_ROWS = 200;
const CHAR_PX = 7.6;
const CELL_PADDING = 18;
/** Columns this far (px) left and right of the view are rendered too, so a scroll does not show gaps. */
const COLUMN_OVERSCAN_PX = 600;
/** One arrow key press resizes a column by this much (px); Shift makes it 4×. */
const KEY_STEP = 16;

export interface GridColumn {
  name: string;
  /** Times are shown in the chosen zone with the zone written. */
  time?: boolean;
}

function guessWidths(columns: GridColumn[], rows: unknown[][]): number[] {
  return columns.map((c, i) => {
    let longest = c.name.length + 2; // room for the resize handle
    for (const r of rows.slice(0, SAMPLE_ROWS)) longest = Math.max(longest, c.time ? 25 : cellText(r[i]).length);
    return Math.round(Math.min(MAX_GUESSED_COLUMN, Math.max(MIN_COLUMN, longest * CHAR_PX + CELL_PADDING)));
  });
}

/** The drag handle on a header's right edge: pointer drag, or focus and arrow keys. */
function ResizeHandle({ name, width, onResize }: { name: string; width: number; onResize: (w: number) => void }) {
  const drag = (e: PointerEvent) => {
    e.preventDefault();
    const el = e.currentTarget as HTMLElement;
    const startX = e.clientX;
    el.setPointerCapture(e.pointerId);
    const move = (m: PointerEvent) => onResize(width + m.clientX - startX);
    const up = () => {
      el.removeEventListener('pointermove', move);
      el.removeEventListener('pointerup', up);
    };
    el.addEventListener('pointermove', move);
    el.addEventListener('pointerup', up);
  };
  return (
    <span
      class="col-resize"
      role="separator"
      tabIndex={0}
      aria-orientation="vertical"
      aria-label={`resize ${name}`}
      aria-valuenow={width}
      aria-valuemin={MIN_COLUMN}
      onPointerDown={drag}
      onKeyDown={(e) => {
        const step = e.shiftKey ? KEY_STEP * 4 : KEY_STEP;
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          e.preventDefault();
          onResize(width + (e.key === 'ArrowRight' ? step : -step));
        }
      }}
    />
  );
}

/**
 * A results grid that renders only the rows in view (plus a margin) of one page of at most
 * GRID_PAGE_ROWS rows. The header and every row share one column template of fixed pixel widths,
 * so values always sit under their header; widths change by dragging a header's edge or with its
 * arrow keys. Long cells are clipped (full text in the cell's title).
 */
/**
 * A page of a result held by the server: `rows` are its rows from `offset`, `total` the result's
 * rows, and `onPage` asks for the page starting at another offset.
 */
export interface ServerPages {
  offset: number;
  total: number;
  onPage(offset: number): void;
}

export function VirtualTable({ columns, rows, height = 480, server, pivots = false, onOpenRow }: {
  columns: GridColumn[];
  rows: unknown[][];
  height?: number;
  server?: ServerPages | undefined;
  pivots?: boolean;
  /** With it, j/k move through the rows (the row focused) and Enter opens the focused one. */
  onOpenRow?: ((index: number, row: unknown[]) => void) | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  // The horizontal view: a SELECT * has hundreds of columns, and only those in view are rendered.
  const [view, setView] = useState({ left: 0, width: 1600 });
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const measure = () => setView({ left: el.scrollLeft, width: el.clientWidth || 1600 });
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const [page, setPage] = useState(0);
  /** The row j/k moved to (index in the rows shown), -1: none yet; the ref is what key presses read. */
  const [current, setCurrent] = useState(-1);
  const currentRef = useRef(-1);
  /** A row to focus once it is rendered (a move far enough scrolls it in first). */
  const pendingFocus = useRef(-1);
  const [widths, setWidths] = useState<number[]>(() => guessWidths(columns, rows));
  useTimeZone();
  useEffect(() => {
    setTop(0);
    setPage(0);
    setCurrent(-1);
    currentRef.current = -1;
    if (box.current) box.current.scrollTop = 0;
  }, [rows, columns]);
  // Another page of the same result keeps the widths the analyst set.
  useEffect(() => setWidths(guessWidths(columns, rows)), [columns]);
  const pages = Math.max(1, Math.ceil(rows.length / GRID_PAGE_ROWS));
  // Pages held by the server: the rows are the page; else the grid pages the rows it was given.
  const local = server ? 0 : Math.min(page, pages - 1) * GRID_PAGE_ROWS;
  const offset = server ? server.offset : local;
  const total = server ? server.total : rows.length;
  const shown = useMemo(() => (server ? rows.slice(0, GRID_PAGE_ROWS) : rows.slice(local, local + GRID_PAGE_ROWS)), [rows, local, server]);
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(shown.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const cols = widths.length === columns.length ? widths : guessWidths(columns, rows);
  const template = `${INDEX_COLUMN}px ${cols.map((w) => `${w}px`).join(' ')}`;
  const width = INDEX_COLUMN + cols.reduce((a, b) => a + b, 0);
  const visible: number[] = [];
  for (let j = 0, x = INDEX_COLUMN; j < cols.length; x += cols[j]!, j++) {
    if (x + cols[j]! >= view.left - COLUMN_OVERSCAN_PX && x <= view.left + view.width + COLUMN_OVERSCAN_PX) visible.push(j);
  }
  const keys = useRef({ shown: 0, open: onOpenRow, rows: shown });
  keys.current = { shown: shown.length, open: onOpenRow, rows: shown };
  const keyboard = !!onOpenRow;
  useEffect(() => {
    if (!keyboard) return;
    const h = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      const active = document.activeElement as HTMLElement | null;
      const focusedRow = active?.dataset.row !== undefined && box.current?.contains(active) ? Number(active.dataset.row) : undefined;
      if (e.key === 'Enter' && focusedRow !== undefined) {
        e.preventDefault();
        const row = keys.current.rows[focusedRow];
        if (row) keys.current.open?.(focusedRow, row);
        return;
      }
      if (e.key !== 'j' && e.key !== 'k') return;
      if (!keys.current.shown) return;
      e.preventDefault();
      const from = focusedRow ?? currentRef.current;
      moveTo(from < 0 ? 0 : Math.max(0, Math.min(keys.current.shown - 1, from + (e.key === 'j' ? 1 : -1))));
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, [keyboard]);
  /** Makes row i current: scrolled into view (rows outside it are not rendered) and focused. */
  const moveTo = (i: number) => {
    const el = box.current;
    currentRef.current = i;
    setCurrent(i);
    if (!el) return;
    const y = i * ROW_HEIGHT;
    if (y < el.scrollTop) el.scrollTop = y;
    else if (y + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = y + ROW_HEIGHT - el.clientHeight;
    setTop(el.scrollTop);
    const row = el.querySelector<HTMLElement>(`[data-row="${i}"]`);
    if (row) row.focus({ preventScroll: true });
    else pendingFocus.current = i;
  };
  useEffect(() => {
    if (pendingFocus.current < 0) return;
    const row = box.current?.querySelector<HTMLElement>(`[data-row="${pendingFocus.current}"]`);
    if (!row) return;
    pendingFocus.current = -1;
    row.focus({ preventScroll: true });
  });
  const resize = (i: number, w: number) => setWidths(cols.map((old, j) => (j === i ? Math.max(MIN_COLUMN, Math.round(w)) : old)));
  const goTo = (p: number) => {
    if (server) {
      server.onPage(p * GRID_PAGE_ROWS);
      return;
    }
    setPage(p);
    setTop(0);
    if (box.current) box.current.scrollTop = 0;
  };
  return (
    <>
      {total > GRID_PAGE_ROWS && (
        <p class="pager" data-testid="grid-pager">
          <button type="button" class="link" disabled={offset === 0} onClick={() => goTo(Math.floor(offset / GRID_PAGE_ROWS) - 1)} aria-label="previous rows">
            ← previous
          </button>{' '}
          rows {formatCount(offset + 1)}–{formatCount(offset + shown.length)} of {formatCount(total)}{' '}
          <button type="button" class="link" disabled={offset + GRID_PAGE_ROWS >= total} onClick={() => goTo(Math.floor(offset / GRID_PAGE_ROWS) + 1)} aria-label="next rows">
            next →
          </button>
        </p>
      )}
      <div class="vtable" ref={frame} role="table" aria-rowcount={total + 1} aria-colcount={columns.length + 1} onScroll={(e) => {
        const el = e.currentTarget as HTMLDivElement;
        if (el.scrollLeft !== view.left) setView({ left: el.scrollLeft, width: el.clientWidth });
      }}>
        <div class="vtable-head" role="row" style={{ gridTemplateColumns: template, width: `${width}px` }}>
          <span role="columnheader" style={{ gridColumn: 1 }}>#</span>
          {visible.map((i) => columns[i]!).map((c, k) => {
            const i = visible[k]!;
            return (
            <span role="columnheader" aria-colindex={i + 2} style={{ gridColumn: i + 2 }} title={c.time ? `${c.name} (${zoneLabel()})` : c.name}>
              <span class="col-name">{c.name}</span>
              <ResizeHandle name={c.name} width={cols[i]!} onResize={(w) => resize(i, w)} />
            </span>
            );
          })}
        </div>
        <div class="vtable-body" role="rowgroup" ref={box} tabIndex={0} aria-label="result rows" style={{ height: `${Math.min(height, shown.length * ROW_HEIGHT + 2)}px`, width: `${width}px` }} onScroll={(e) => setTop((e.currentTarget as HTMLDivElement).scrollTop)}>
          <div role="presentation" style={{ height: `${shown.length * ROW_HEIGHT}px`, position: 'relative' }}>
            {shown.slice(first, last).map((r, i) => (
              <div key={offset + first + i} class={first + i === current ? 'vtable-row current' : 'vtable-row'} role="row" aria-rowindex={offset + first + i + 2} data-row={first + i} tabIndex={keyboard ? -1 : undefined} onFocus={keyboard ? () => {
                currentRef.current = first + i;
                setCurrent(first + i);
              } : undefined} style={{ top: `${(first + i) * ROW_HEIGHT}px`, height: `${ROW_HEIGHT}px`, gridTemplateColumns: template }}>
                <span role="rowheader" class="muted" style={{ gridColumn: 1 }}>{offset + first + i + 1}</span>
                {visible.map((j) => {
                  const t = columns[j]!.time ? timeText(r[j]) : cellText(r[j]);
                  return (
                    <span role="cell" aria-colindex={j + 2} style={{ gridColumn: j + 2 }} title={t.length > 40 ? t.slice(0, 2000) : undefined}>
                      {pivots && !columns[j]!.time ? <Pivot field={columns[j]!.name} value={r[j]} /> : t}
                    </span>
                  );
                })}
              </div>
            ))}
          </div>
        </div>
      </div>
    </>
  );
}
