import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { ApiError } from './errors.js';

export interface SavedSearch {
  id: string;
  name: string;
  query: string;
  language: 'auto' | 'spl' | 'sql';
  created: string;
}

export const MAX_SAVED_SEARCHES = 500;

/** Where saved searches live: a JSON file beside the database (the server keeps the database read-only). */
export const searchesFileFor = (db: string) => `${db}.saved-searches.json`;

/** Saved searches in a JSON file, rewritten atomically on every change; operations run one at a time. */
export class SavedSearches {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  private serial<T>(fn: () => T): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  private read(): SavedSearch[] {
    if (!existsSync(this.file)) return [];
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as unknown;
      return Array.isArray(data) ? (data as SavedSearch[]).filter((s) => s && typeof s.id === 'string' && typeof s.query === 'string') : [];
    } catch (e) {
      throw new ApiError(500, `saved searches file ${this.file} is not readable JSON: ${(e as Error).message}`);
    }
  }

  private write(list: SavedSearch[]): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(list, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  list(): Promise<SavedSearch[]> {
    return this.serial(() => this.read());
  }

  add(s: Omit<SavedSearch, 'id' | 'created'>): Promise<SavedSearch> {
    return this.serial(() => {
      const list = this.read();
      if (list.length >= MAX_SAVED_SEARCHES) throw new ApiError(409, `at most ${MAX_SAVED_SEARCHES} saved searches: delete some first`);
      const saved: SavedSearch = { id: randomUUID(), name: s.name, query: s.query, language: s.language, created: new Date().toISOString() };
      this.write([...list, saved]);
      return saved;
    });
  }

  remove(id: string): Promise<boolean> {
    return this.serial(() => {
      const list = this.read();
      const kept = list.filter((s) => s.id !== id);
      if (kept.length === list.length) return false;
      this.write(kept);
      return true;
    });
  }
}
