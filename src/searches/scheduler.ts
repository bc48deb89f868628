import { randomUUID } from 'node:crypto';
import type { AlertSink } from '../detect/alerts/sink.js';
import { StoreAlertSink } from '../detect/alerts/store-sink.js';
import { DEFAULT_SUPPRESS_WINDOW_MS, Suppressor } from '../detect/alerts/suppress.js';
import type { QueryContext } from '../server/query-runner.js';
import type { EventStore } from '../store/store.js';
import { runSearchWindow } from './run.js';
import type { SearchTable } from './table.js';
import {
  checkSchedulable, checkSchedule, MAX_SAVED_SEARCHES, MAX_SEARCH_NAME, MAX_SEARCH_QUERY, SearchInputError, windowEndAt,
  type SavedSearch, type SearchLanguage, type SearchRun, type SearchSchedule, type SearchState,
} from './types.js';
import { looksLikeSpl } from '../query/spl/index.js';

/** How often the scheduler looks for due searches. */
export const SCHEDULER_TICK_MS = 15_000;

/** Runs a statement under the console's query limits (QueryGate.run), or directly. */
export type QueryRunner = <T>(work: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export interface SchedulerOptions {
  table: SearchTable;
  query: QueryContext;
  /** Where the alerts table is written (default: query.store). */
  alertStore?: EventStore;
  /** Sinks besides the store's alerts table (a collect config's webhook, …). */
  sinks?: readonly AlertSink[];
  /** Milliseconds since the epoch (tests: a fake clock). */
  clock?: () => number;
  suppressWindowMs?: number;
  gate?: QueryRunner;
  /** A line for the operator (failures, catch-ups). */
  say?: (line: string) => void;
}

/** Thrown for a request that names no saved search. */
export class SearchNotFoundError extends Error {}

/**
 * Saved searches and the scheduler that runs them as detections, in the process that holds the store.
 * Each tick evaluates every due search, one at a time: a search is due when the last multiple of its
 * interval (its window's end) is past the last window it evaluated — read from the runs table, so a
 * restart never evaluates a window twice. After a gap only the latest window runs (CATCH_UP_RULE).
 * Alerts go through a Suppressor (same window as Sigma alerts) to the alerts table and the sinks.
 */
export class SearchBook {
  private readonly suppressor: Suppressor;
  private readonly clock: () => number;
  /** Window ends evaluated in this process (the table may lag on a cluster). */
  private readonly upTo = new Map<string, number>();
  private tail: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  private readonly stopping = new AbortController();

  constructor(private readonly o: SchedulerOptions) {
    this.suppressor = new Suppressor(o.suppressWindowMs ?? DEFAULT_SUPPRESS_WINDOW_MS);
    this.clock = o.clock ?? Date.now;
  }

  /** Changes run one at a time (a schedule edit never races a run's bookkeeping). */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => {});
    return run;
  }

  private async find(id: string): Promise<SavedSearch> {
    const s = await this.o.table.get(id);
    if (!s) throw new SearchNotFoundError(`no saved search with id ${id}`);
    return s;
  }

  async list(): Promise<SearchState[]> {
    const [searches, runs] = await Promise.all([this.o.table.list(), this.o.table.lastRuns()]);
    const now = this.clock();
    return searches.map((s) => {
      const r = runs.get(s.id);
      const state: SearchState = { ...s, ...(r ? { lastRun: r.last } : {}) };
      if (s.schedule) {
        const end = windowEndAt(now, s.schedule.intervalSeconds);
        const done = Math.max(this.upTo.get(s.id) ?? -Infinity, r?.scheduledUpTo ? Date.parse(r.scheduledUpTo) : -Infinity);
        state.nextRun = new Date(done >= end ? end + s.schedule.intervalSeconds * 1000 : end).toISOString();
      }
      return state;
    });
  }

  async get(id: string): Promise<SearchState> {
    const found = (await this.list()).find((s) => s.id === id);
    if (!found) throw new SearchNotFoundError(`no saved search with id ${id}`);
    return found;
  }

  add(input: { name: string; query: string; language: SearchLanguage; schedule?: SearchSchedule | undefined }): Promise<SavedSearch> {
    return this.serial(async () => {
      const name = input.name.trim() || 'untitled';
      if (name.length > MAX_SEARCH_NAME) throw new SearchInputError(`the name must be at most ${MAX_SEARCH_NAME} characters`);
      if (!input.query.trim() || input.query.length > MAX_SEARCH_QUERY) throw new SearchInputError(`the query must be 1 to ${MAX_SEARCH_QUERY} characters`);
      if ((await this.o.table.list()).length >= MAX_SAVED_SEARCHES) throw new SearchInputError(`at most ${MAX_SAVED_SEARCHES} saved searches: delete some first`);
      const s: SavedSearch = { id: randomUUID(), name, query: input.query, language: input.language, created: new Date(this.clock()).toISOString() };
      if (input.schedule) s.schedule = this.checked(s, input.schedule);
      await this.o.table.put(s);
      return s;
    });
  }

  private checked(s: SavedSearch, schedule: SearchSchedule): SearchSchedule {
    checkSchedulable(s.query, s.language === 'auto' ? (looksLikeSpl(s.query) ? 'spl' : 'sql') : s.language);
    return checkSchedule(schedule);
  }

  /** Sets (or, with undefined, removes) a search's schedule. */
  schedule(id: string, schedule: SearchSchedule | undefined): Promise<SavedSearch> {
    return this.serial(async () => {
      const s = await this.find(id);
      const next: SavedSearch = { ...s };
      if (schedule) next.schedule = this.checked(s, schedule);
      else delete next.schedule;
      await this.o.table.put(next);
      return next;
    });
  }

  remove(id: string): Promise<SavedSearch> {
    return this.serial(async () => {
      const s = await this.find(id);
      await this.o.table.remove(s);
      return s;
    });
  }

  runs(id: string, limit: number): Promise<SearchRun[]> {
    return this.o.table.runs(id, limit);
  }

  /** Runs a scheduled search now over [now − look-back, now): its alerts go where scheduled ones go. */
  runNow(id: string): Promise<SearchRun> {
    return this.serial(async () => {
      const s = await this.find(id);
      if (!s.schedule) throw new SearchInputError(`saved search ${id} has no schedule (its condition, level and title make its alerts): schedule it first`);
      const end = this.clock();
      return this.evaluate(s, s.schedule, end, 0, 'manual');
    });
  }

  /** Evaluates every due search once; returns the runs it made. */
  tick(): Promise<SearchRun[]> {
    return this.serial(async () => {
      const [searches, runs] = await Promise.all([this.o.table.list(), this.o.table.lastRuns()]);
      const made: SearchRun[] = [];
      for (const s of searches) {
        if (!s.schedule || this.stopping.signal.aborted) continue;
        const step = s.schedule.intervalSeconds * 1000;
        const end = windowEndAt(this.clock(), s.schedule.intervalSeconds);
        const stored = runs.get(s.id)?.scheduledUpTo;
        const done = Math.max(this.upTo.get(s.id) ?? -Infinity, stored ? Date.parse(stored) : -Infinity);
        if (done >= end) continue;
        const skipped = Number.isFinite(done) ? Math.max(0, Math.round((end - done) / step) - 1) : 0;
        if (skipped) this.o.say?.(`saved search ${s.name} (${s.id}): ${skipped} missed window(s) skipped; evaluating the latest, ending ${new Date(end).toISOString()}`);
        made.push(await this.evaluate(s, s.schedule, end, skipped, 'schedule'));
      }
      return made;
    });
  }

  private async evaluate(s: SavedSearch, schedule: SearchSchedule, end: number, skipped: number, trigger: SearchRun['trigger']): Promise<SearchRun> {
    const started = Date.now();
    const start = end - schedule.lookBackSeconds * 1000;
    const run: SearchRun = {
      searchId: s.id, windowStart: new Date(start).toISOString(), windowEnd: new Date(end).toISOString(), ranAt: new Date(this.clock()).toISOString(),
      tookMs: 0, rows: 0, alerts: 0, skipped, error: '', trigger,
    };
    try {
      const work = (signal: AbortSignal) => runSearchWindow(this.o.query, s, schedule, new Date(start), new Date(end), AbortSignal.any([signal, this.stopping.signal]));
      const answer = await (this.o.gate ? this.o.gate(work) : work(this.stopping.signal));
      run.rows = answer.rows;
      run.alerts = await this.deliver(answer.alerts);
    } catch (e) {
      // Stopped mid-run: the window was not evaluated, the next start runs it.
      if (this.stopping.signal.aborted) throw e;
      run.error = (e as Error).message || String(e);
      this.o.say?.(`saved search ${s.name} (${s.id}) failed over ${run.windowStart} – ${run.windowEnd}: ${run.error}`);
    }
    run.tookMs = Date.now() - started;
    if (trigger === 'schedule') this.upTo.set(s.id, end);
    try {
      await this.o.table.recordRun(run);
    } catch (e) {
      this.o.say?.(`saved search ${s.name} (${s.id}): its run could not be recorded: ${(e as Error).message}`);
      if (!run.error) run.error = `not recorded: ${(e as Error).message}`;
    }
    return run;
  }

  /** Suppression, then the alerts table and the other sinks; returns the alerts delivered (not suppressed). */
  private async deliver(alerts: readonly import('../detect/types.js').Alert[]): Promise<number> {
    const ready = alerts.flatMap((a) => this.suppressor.offer(a));
    ready.push(...this.suppressor.drain());
    const storeSink = new StoreAlertSink(this.o.alertStore ?? this.o.query.store);
    for (const alert of ready) for (const sink of [storeSink, ...(this.o.sinks ?? [])]) await sink.write(alert);
    await storeSink.close();
    const failed = storeSink.stats();
    if (failed.failed) throw new Error(failed.errors.join('; '));
    return ready.length;
  }

  /** Ticks every SCHEDULER_TICK_MS until stop(). */
  start(everyMs = SCHEDULER_TICK_MS): void {
    const tick = () => {
      if (this.ticking) return;
      this.ticking = this.tick()
        .catch((e: Error) => this.o.say?.(`scheduled searches: ${e.message}`))
        .finally(() => (this.ticking = undefined));
    };
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  /** Stops ticking and interrupts the search running now (its run is recorded as failed). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort(new Error('the scheduler is stopping'));
    await this.ticking;
    await this.tail;
  }
}
