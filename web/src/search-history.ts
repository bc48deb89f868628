/**
 * The searches this browser ran, newest first, kept in localStorage (never sent anywhere): at most
 * HISTORY_MAX entries of at most HISTORY_QUERY_MAX characters; the analyst can clear them.
 */
const HISTORY_KEY = 'packettrail.searchHistory';
export const HISTORY_MAX = 50;
/** The server's longest query (routes/search.ts MAX_QUERY_LENGTH): longer text was refused anyway. */
const HISTORY_QUERY_MAX = 20_000;

export interface HistoryEntry {
  q: string;
  lang: string;
  /** Epoch ms of the last run. */
  at: number;
}

const listeners = new Set<() => void>();

export function searchHistory(): HistoryEntry[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    return parsed
      .filter((e): e is HistoryEntry => !!e && typeof e === 'object' && typeof e.q === 'string' && typeof e.lang === 'string' && typeof e.at === 'number')
      .slice(0, HISTORY_MAX);
  } catch {
    return [];
  }
}

function save(entries: HistoryEntry[]): void {
  try {
    localStorage.setItem(HISTORY_KEY, JSON.stringify(entries.slice(0, HISTORY_MAX)));
  } catch {
    // A full or disabled storage: the history is a convenience, the search still runs.
  }
  for (const fn of listeners) fn();
}

/** Puts a search first (once: running it again moves it up). */
export function remember(q: string, lang: string): void {
  const text = q.trim();
  if (!text || text.length > HISTORY_QUERY_MAX) return;
  save([{ q: text, lang, at: Date.now() }, ...searchHistory().filter((e) => e.q !== text || e.lang !== lang)]);
}

export function clearHistory(): void {
  try {
    localStorage.removeItem(HISTORY_KEY);
  } catch {
    /* nothing kept */
  }
  for (const fn of listeners) fn();
}

export function onHistoryChange(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
