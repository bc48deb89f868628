import type { ServiceClient } from '../service/client.js';
import { ROUTES } from '../service/protocol.js';
import { SearchNotFoundError, type SearchBook } from './scheduler.js';
import { SearchInputError, type SavedSearch, type SearchLanguage, type SearchRun, type SearchSchedule, type SearchState } from './types.js';

/** Saved searches as the console and the CLI use them: the book itself, or the one of the process that holds the store. */
export type SearchService = Pick<SearchBook, 'list' | 'get' | 'add' | 'schedule' | 'remove' | 'runNow' | 'runs'>;

/** Runs kept per search and returned by `runs`. */
export const MAX_RUNS_LISTED = 200;

/** One request on the owner's socket (ROUTES.searches). */
export type SearchRequest =
  | { op: 'list' }
  | { op: 'get' | 'remove' | 'run-now'; id: string }
  | { op: 'runs'; id: string; limit: number }
  | { op: 'add'; name: string; query: string; language: SearchLanguage; schedule?: SearchSchedule }
  | { op: 'schedule'; id: string; schedule?: SearchSchedule };

type SearchReply = { ok: unknown } | { refused: { kind: 'input' | 'not-found'; message: string; field?: string } };

const text = (v: unknown, what: string, max: number): string => {
  if (typeof v !== 'string' || v.length > max) throw new SearchInputError(`${what} must be text of at most ${max} characters`);
  return v;
};

/** The owner's side: checks what a command sent (it is a client like any other) and runs it on the book. */
export async function answerSearchRequest(book: SearchService, body: unknown): Promise<SearchReply> {
  try {
    const r = (body ?? {}) as Record<string, unknown>;
    const id = () => text(r.id, 'id', 100);
    const schedule = () => (r.schedule === undefined || r.schedule === null ? undefined : (r.schedule as SearchSchedule));
    switch (r.op) {
      case 'list':
        return { ok: await book.list() };
      case 'get':
        return { ok: await book.get(id()) };
      case 'remove':
        return { ok: await book.remove(id()) };
      case 'run-now':
        return { ok: await book.runNow(id()) };
      case 'runs': {
        const limit = typeof r.limit === 'number' && Number.isInteger(r.limit) && r.limit > 0 ? Math.min(r.limit, MAX_RUNS_LISTED) : MAX_RUNS_LISTED;
        return { ok: await book.runs(id(), limit) };
      }
      case 'add': {
        const language = r.language === 'spl' || r.language === 'sql' ? r.language : 'auto';
        return { ok: await book.add({ name: text(r.name, 'name', 200), query: text(r.query, 'query', 20_000), language, schedule: schedule() }) };
      }
      case 'schedule':
        return { ok: await book.schedule(id(), schedule()) };
      default:
        throw new SearchInputError(`unknown saved-search request ${JSON.stringify(String(r.op)).slice(0, 40)}`);
    }
  } catch (e) {
    if (e instanceof SearchInputError) return { refused: { kind: 'input', message: e.message, ...(e.field !== undefined ? { field: e.field } : {}) } };
    if (e instanceof SearchNotFoundError) return { refused: { kind: 'not-found', message: e.message } };
    throw e;
  }
}

/** Saved searches of the process that holds the store (serve reading through collect; CLI commands while serve runs). */
export class RemoteSearches implements SearchService {
  constructor(private readonly client: ServiceClient) {}

  private async ask<T>(request: SearchRequest): Promise<T> {
    const r = await this.client.call<SearchReply>('POST', ROUTES.searches, request);
    if ('refused' in r) throw r.refused.kind === 'not-found' ? new SearchNotFoundError(r.refused.message) : new SearchInputError(r.refused.message, typeof r.refused.field === 'string' ? r.refused.field : undefined);
    return r.ok as T;
  }

  list(): Promise<SearchState[]> {
    return this.ask({ op: 'list' });
  }
  get(id: string): Promise<SearchState> {
    return this.ask({ op: 'get', id });
  }
  add(input: { name: string; query: string; language: SearchLanguage; schedule?: SearchSchedule | undefined }): Promise<SavedSearch> {
    return this.ask({ op: 'add', name: input.name, query: input.query, language: input.language, ...(input.schedule ? { schedule: input.schedule } : {}) });
  }
  schedule(id: string, schedule: SearchSchedule | undefined): Promise<SavedSearch> {
    return this.ask({ op: 'schedule', id, ...(schedule ? { schedule } : {}) });
  }
  remove(id: string): Promise<SavedSearch> {
    return this.ask({ op: 'remove', id });
  }
  runNow(id: string): Promise<SearchRun> {
    return this.ask({ op: 'run-now', id });
  }
  runs(id: string, limit: number): Promise<SearchRun[]> {
    return this.ask({ op: 'runs', id, limit });
  }
}
