import { useEffect, useState } from 'preact/hooks';
import { href } from '../router.ts';
import { clearHistory, onHistoryChange, searchHistory } from '../search-history.ts';

/** Searches shown in the list (the history keeps HISTORY_MAX). */
const SHOWN = 15;

/** The searches this browser ran, newest first, each a link; clearable. */
export function HistoryList() {
  const [entries, setEntries] = useState(searchHistory);
  useEffect(() => onHistoryChange(() => setEntries(searchHistory())), []);
  return (
    <section class="history" aria-label="search history" data-testid="search-history">
      <h2>History</h2>
      {entries.length ? (
        <>
          <ol>
            {entries.slice(0, SHOWN).map((e) => (
              <li>
                <a href={href('/search', { q: e.q, lang: e.lang === 'auto' ? undefined : e.lang })} title={`${e.q.slice(0, 2000)} (${new Date(e.at).toISOString()})`}>
                  {e.q.length > 120 ? `${e.q.slice(0, 120)}…` : e.q}
                </a>
              </li>
            ))}
          </ol>
          <button type="button" class="link" onClick={clearHistory}>
            clear history
          </button>
        </>
      ) : (
        <p class="muted">no searches yet (kept in this browser only)</p>
      )}
    </section>
  );
}
