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
