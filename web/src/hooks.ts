import { useEffect, useState } from 'preact/hooks';
import { api } from './api.ts';
import { onTimeZoneChange, timeZoneMode, type TimeZoneMode } from './format.ts';

export interface Loaded<T> {
  data?: T;
  error?: string;
  loading: boolean;
}

/** GETs an API path whenever it changes (null: nothing to load); a newer request aborts the older one. */
export function useApi<T>(path: string | null, reload = 0): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ loading: path !== null });
  useEffect(() => {
    if (path === null) {
      setState({ loading: false });
      return;
    }
    const abort = new AbortController();
    setState((s) => ({ data: s.data, loading: true }));
    api<T>(path, { signal: abort.signal }).then(
      (data) => setState({ data, loading: false }),
      (e: Error) => {
        if (e.name !== 'AbortError') setState({ error: e.message, loading: false });
      },
    );
    return () => abort.abort();
  }, [path, reload]);
  return state;
}

/** Runs `fn` on a global key press unless the user is typing in a field. */
export function useKey(key: string, fn: (e: KeyboardEvent) => void): void {
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key !== key || e.ctrlKey || e.metaKey || e.altKey || t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) return;
      fn(e);
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, [key, fn]);
}

/** The time-zone setting; the component re-renders when the analyst switches it. */
export function useTimeZone(): TimeZoneMode {
  const [mode, setMode] = useState(timeZoneMode);
  useEffect(() => onTimeZoneChange(setMode), []);
  return mode;
}

/** Room (px) kept between a row moved to with j/k and the window's (or the sticky header's) edge. */
const ROW_SCROLL_MARGIN = 8;

/** Whether a key press goes to a field the analyst types in (then list keys are left alone). */
export function typingIn(target: EventTarget | null): boolean {
  const t = target as HTMLElement | null;
  if (!t || !t.tagName) return false;
  if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return true;
  return t.tagName === 'INPUT' && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes((t as HTMLInputElement).type);
}

/**
 * j/k through the rows (`[data-nav-row]`) inside `root`: the row gets the focus (visible outline)
 * and scrolls into view; Enter on a focused row follows its `[data-open]` link (else its first link).
 * Keys typed into fields are left alone.
 */
export function useRowKeys(root: { current: HTMLElement | null }): void {
  useEffect(() => {
    const h = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      if (e.key !== 'j' && e.key !== 'k' && e.key !== 'Enter') return;
      const el = root.current;
      if (!el) return;
      const rows = [...el.querySelectorAll<HTMLElement>('[data-nav-row]')];
      if (!rows.length) return;
      const active = document.activeElement;
      const at = rows.findIndex((r) => r === active || r.contains(active));
      if (e.key === 'Enter') {
        if (at < 0 || rows[at] !== active) return;
        const link = rows[at]!.querySelector<HTMLElement>('[data-open]') ?? rows[at]!.querySelector<HTMLElement>('a[href]');
        if (!link) return;
        e.preventDefault();
        link.click();
        return;
      }
      e.preventDefault();
      const next = rows[at < 0 ? 0 : Math.max(0, Math.min(rows.length - 1, at + (e.key === 'j' ? 1 : -1)))]!;
      if (!next.hasAttribute('tabindex')) next.tabIndex = -1;
      // Scrolled vertically only: a row wider than the window must not shift the page sideways.
      next.focus({ preventScroll: true });
      const r = next.getBoundingClientRect();
      const header = document.querySelector('header.top')?.getBoundingClientRect().bottom ?? 0;
      if (r.top < header) window.scrollBy(0, r.top - header - ROW_SCROLL_MARGIN);
      else if (r.bottom > window.innerHeight) window.scrollBy(0, r.bottom - window.innerHeight + ROW_SCROLL_MARGIN);
    };
    window.addEventListener('keydown', h);
    return () => window.removeEventListener('keydown', h);
  }, [root]);
}
