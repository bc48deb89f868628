import { useMemo, useRef, useState } from 'preact/hooks';

/** Suggestions shown at once. */
const MAX_SUGGESTIONS = 12;

export interface Vocabulary {
  commands: readonly string[];
  fields: readonly string[];
}

/** The word being typed before the caret, and whether a command goes there (right after a `|`). */
export function wordAt(text: string, caret: number): { start: number; word: string; command: boolean } {
  const before = text.slice(0, caret);
  const word = /[A-Za-z0-9_.:@-]*$/.exec(before)![0];
  const start = caret - word.length;
  const command = /\|\s*$/.test(before.slice(0, start));
  return { start, word, command };
}

/** Candidates starting with the word (case-insensitive), the word itself left out. */
export function suggestionsFor(vocabulary: Vocabulary, text: string, caret: number): { start: number; word: string; items: string[] } {
  const at = wordAt(text, caret);
  if (!at.command && !at.word) return { ...at, items: [] };
  const w = at.word.toLowerCase();
  const pool = at.command ? vocabulary.commands : vocabulary.fields;
  const items = pool.filter((c) => c.toLowerCase().startsWith(w) && c.toLowerCase() !== w).slice(0, MAX_SUGGESTIONS);
  return { ...at, items };
}

/**
 * The query textarea with autocomplete: after a `|` the SPL commands, elsewhere the field names.
 * ArrowDown/ArrowUp choose, Enter or Tab take the suggestion, Escape closes the list; Ctrl+Enter runs.
 */
export function QueryBox({ value, onChange, onRun, vocabulary, placeholder }: { value: string; onChange: (v: string) => void; onRun: () => void; vocabulary: Vocabulary; placeholder: string }) {
  const box = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState(0);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const found = useMemo(() => suggestionsFor(vocabulary, value, caret), [vocabulary, value, caret]);
  const shown = open && found.items.length > 0;
  const take = (item: string) => {
    const end = found.start + found.word.length;
    const insert = wordAt(value, caret).command ? `${item} ` : item;
    const next = value.slice(0, found.start) + insert + value.slice(end);
    onChange(next);
    setOpen(false);
    const at = found.start + insert.length;
    requestAnimationFrame(() => {
      box.current?.focus();
      box.current?.setSelectionRange(at, at);
      setCaret(at);
    });
  };
  const track = (e: Event) => setCaret((e.currentTarget as HTMLTextAreaElement).selectionStart ?? 0);
  return (
    <div class="query-box">
      <textarea
        ref={box}
        name="q"
        aria-label="SPL or SQL query"
        data-search-box
        aria-autocomplete="list"
        aria-controls="query-suggestions"
        aria-activedescendant={shown ? `query-suggestion-${active}` : undefined}
        rows={4}
        spellcheck={false}
        placeholder={placeholder}
        value={value}
        onInput={(e) => {
          onChange((e.currentTarget as HTMLTextAreaElement).value);
          track(e);
          setOpen(true);
          setActive(0);
        }}
        onClick={track}
        onKeyUp={(e) => {
          if (!['ArrowDown', 'ArrowUp', 'Enter', 'Tab', 'Escape'].includes(e.key)) track(e);
        }}
        onBlur={() => setOpen(false)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            onRun();
            return;
          }
          if (!shown) {
            // ArrowDown on the last line, or Ctrl+Space: the list for the word at the caret.
            if ((e.key === ' ' && e.ctrlKey) || (e.key === 'ArrowDown' && !value.slice(caret).includes('\n') && found.items.length)) {
              e.preventDefault();
              setOpen(true);
              setActive(0);
            }
            return;
          }
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const n = found.items.length;
            setActive((active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
          } else if (e.key === 'Enter' || e.key === 'Tab') {
            e.preventDefault();
            take(found.items[Math.min(active, found.items.length - 1)]!);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            setOpen(false);
          }
        }}
      />
      <ul id="query-suggestions" class="suggestions" role="listbox" aria-label={found.word || wordAt(value, caret).command ? 'suggestions' : 'suggestions (none)'} hidden={!shown} data-testid="suggestions">
        {shown &&
          found.items.map((item, i) => (
            <li
              id={`query-suggestion-${i}`}
              role="option"
              aria-selected={i === active}
              // mousedown, not click: the textarea's blur would close the list first.
              onMouseDown={(e) => {
                e.preventDefault();
                take(item);
              }}
            >
              {item}
            </li>
          ))}
      </ul>
    </div>
  );
}
