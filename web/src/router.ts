import { useEffect, useState } from 'preact/hooks';

/** The whole view state lives in the URL (path + query), so any view can be shared or bookmarked. */
export interface Location {
  path: string;
  params: URLSearchParams;
}

const current = (): Location => ({ path: location.pathname, params: new URLSearchParams(location.search) });
const listeners = new Set<(l: Location) => void>();

function notify(): void {
  const l = current();
  for (const fn of listeners) fn(l);
}

window.addEventListener('popstate', notify);

/** A new page starts at the top; a filter change of the same view (setParams) keeps the scroll position. */
export function navigate(to: string, replace = false, scrollToTop = !replace): void {
  if (to === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  notify();
  if (scrollToTop) window.scrollTo(0, 0);
}

/** The path with these query parameters (empty values dropped). */
export function href(path: string, params: Record<string, string | number | undefined | null> = {}): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * Changes some query parameters of the current view (filters chosen in a form). Each change is a
 * history entry, so Back returns to the previous filter instead of leaving the page.
 */
export function setParams(changes: Record<string, string | number | undefined | null>, replace = false): void {
  const p = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === null || v === '') p.delete(k);
    else p.set(k, String(v));
  }
  const s = p.toString();
  navigate(s ? `${location.pathname}?${s}` : location.pathname, replace, false);
}

export function useLocation(): Location {
  const [loc, setLoc] = useState(current);
  useEffect(() => {
    listeners.add(setLoc);
    return () => void listeners.delete(setLoc);
  }, []);
  return loc;
}

/**
 * Plain clicks on same-origin links navigate in place; modified clicks (new tab) keep the browser's
 * behaviour. `rewrite` may add to the target (the time range a link between range pages carries).
 */
export function interceptLinks(root: HTMLElement, rewrite: (to: string) => string = (to) => to): void {
  root.addEventListener('click', (e) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element).closest('a');
    if (!a || a.target || a.hasAttribute('download') || a.origin !== location.origin) return;
    e.preventDefault();
    navigate(rewrite(a.pathname + a.search));
  });
}
