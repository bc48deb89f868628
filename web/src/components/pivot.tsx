import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { cellText } from '../format.ts';
import { entityHref, entityKindOf, everywhereHref, filterable, filterHref, searchField } from '../pivot.ts';

/** Longest value text a menu label repeats (the full value is in the links). */
const LABEL_CHARS = 60;

interface PivotProps {
  /** The field the value is of: a search column (`source_ip`) or an ECS path (`source.ip`); none: only "search everywhere". */
  field?: string | undefined;
  value: unknown;
  /** The SPL a filter starts from when the pivot is not on the Search page (a dashboard's `index=…`). */
  base?: string;
  /** What is shown (default: the value's text). */
  children?: ComponentChildren;
  /** `icon`: the value is shown as given (a link, say) and a small button beside it opens the menu. */
  trigger?: 'value' | 'icon';
}

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * A value with its pivots: a button that opens a small menu (click, Enter, Space or ArrowDown) of
 * links — filter for, filter out, search everywhere, and the entity page of an address, user or
 * host. Arrow keys move in the menu, Escape closes it and gives focus back to the value.
 */
export function Pivot({ field, value, base, children, trigger = 'value' }: PivotProps) {
  const [open, setOpen] = useState(false);
  const [at, setAt] = useState({ left: 0, top: 0 });
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const text = cellText(value);
  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
    const away = (e: Event) => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !button.current?.contains(t)) setOpen(false);
    };
    const close = () => setOpen(false);
    document.addEventListener('pointerdown', away, true);
    window.addEventListener('scroll', close, true);
    window.addEventListener('resize', close);
    return () => {
      document.removeEventListener('pointerdown', away, true);
      window.removeEventListener('scroll', close, true);
      window.removeEventListener('resize', close);
    };
  }, [open]);
  if (!scalar(value) || text === '') return <>{children ?? text}</>;
  const column = field ? searchField(field) : undefined;
  const kind = entityKindOf(column);
  const items: [string, string, string][] = [];
  if (filterable(column)) {
    items.push(['filter-for', 'filter for', filterHref(column, text, false, base)]);
    items.push(['filter-out', 'filter out', filterHref(column, text, true, base)]);
  }
  items.push(['everywhere', 'search everywhere', everywhereHref(text)]);
  if (kind) items.push(['entity', `open the ${kind === 'ip' ? 'address' : kind} page`, entityHref(kind, text)]);
  const label = text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS)}…` : text;
  const toggle = () => {
    const r = button.current?.getBoundingClientRect();
    if (r) setAt({ left: Math.min(r.left, window.innerWidth - 240), top: r.bottom + 2 });
    setOpen(!open);
  };
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };
  const move = (e: KeyboardEvent) => {
    const links = [...(menu.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])];
    const i = links.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      links[(i + (e.key === 'ArrowDown' ? 1 : links.length - 1)) % links.length]?.focus();
    } else if (e.key === 'Home' || e.key === 'End') {
      e.preventDefault();
      links[e.key === 'Home' ? 0 : links.length - 1]?.focus();
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      close();
    } else if (e.key === 'Tab') setOpen(false);
  };
  const what = `${column ? `${column} ` : ''}${label}`;
  return (
    <span class={`pivot pivot-as-${trigger}`}>
      {trigger === 'icon' && children}
      <button
        ref={button}
        type="button"
        class={trigger === 'icon' ? 'pivot-icon' : 'pivot-value'}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-label={trigger === 'icon' ? `pivot on ${what}` : undefined}
        title={trigger === 'icon' ? `filter for, filter out or search everywhere: ${label}` : text.length > 40 ? text.slice(0, 2000) : undefined}
        data-pivot={column ?? ''}
        onClick={toggle}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' && !open) {
            e.preventDefault();
            toggle();
          }
        }}
      >
        {trigger === 'icon' ? '▾' : (children ?? text)}
      </button>
      {open && (
        <ul class="pivot-menu" role="menu" ref={menu} aria-label={`pivots on ${what}`} style={{ left: `${at.left}px`, top: `${at.top}px` }} onKeyDown={move}>
          {items.map(([id, name, to]) => (
            <li role="none">
              <a role="menuitem" tabIndex={-1} href={to} data-pivot-action={id} onClick={() => setOpen(false)}>
                {name}
              </a>
            </li>
          ))}
        </ul>
      )}
    </span>
  );
}

/** One flattened field of a document: its path and its value (a list: each element). */
function leaves(doc: unknown, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  if (doc && typeof doc === 'object' && !Array.isArray(doc)) {
    for (const [k, v] of Object.entries(doc as Record<string, unknown>)) leaves(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.push([prefix, doc]);
  return out;
}

/** An ECS document as a field/value list, every value with its pivots (EventFields with pivots). */
export function PivotFields({ doc }: { doc: unknown }) {
  return (
    <table class="fields">
      <tbody>
        {leaves(doc).map(([k, v]) => (
          <tr>
            <th scope="row">{k}</th>
            <td>
              {Array.isArray(v)
                ? v.map((x, i) => (
                    <>
                      {i > 0 && ', '}
                      {scalar(x) ? <Pivot field={k} value={x} /> : cellText(x)}
                    </>
                  ))
                : <Pivot field={k} value={v} />}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Key → value facts whose keys are event fields (an alert's correlation key), each value with its pivots. */
export function PivotFacts({ facts, fields = true }: { facts: Record<string, unknown>; fields?: boolean }) {
  const entries = Object.entries(facts);
  if (!entries.length) return null;
  return (
    <dl class="facts">
      {entries.map(([k, v]) => (
        <>
          <dt>{k}</dt>
          <dd>{scalar(v) ? <Pivot field={fields ? k : undefined} value={v} /> : cellText(v)}</dd>
        </>
      ))}
    </dl>
  );
}
