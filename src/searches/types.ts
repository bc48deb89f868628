import type { RuleLevel } from '../detect/types.js';

/**
 * Saved searches and their schedules: the contract between the store table (table.ts), the
 * scheduler (scheduler.ts), the owner's socket, the API and the CLI. Plain JSON.
 */
export type SearchLanguage = 'auto' | 'spl' | 'sql';

/** When the result raises alerts: one alert when it has more than `threshold` rows, or one per row. */
export type SearchCondition = { kind: 'rows'; threshold: number } | { kind: 'per-row' };

export interface SearchSchedule {
  /** Seconds between runs; runs end on multiples of it (UTC epoch), so restarts keep the same windows. */
  intervalSeconds: number;
  /** Each run reads [end − lookBack, end). */
  lookBackSeconds: number;
  condition: SearchCondition;
  level: RuleLevel;
  /** The alerts' rule title. */
  title: string;
}

export interface SavedSearch {
  id: string;
  name: string;
  query: string;
  language: SearchLanguage;
  created: string;
  schedule?: SearchSchedule;
}

/** One evaluation of a scheduled search (stored in saved_search_runs). */
export interface SearchRun {
  searchId: string;
  /** The window read: [start, end), RFC 3339 UTC. */
  windowStart: string;
  windowEnd: string;
  ranAt: string;
  tookMs: number;
  rows: number;
  alerts: number;
  /** Due windows passed over before this one (the process was down): see CATCH_UP_RULE. */
  skipped: number;
  /** Why the search failed ('' when it ran). */
  error: string;
  /** 'schedule' or 'manual' (run-now). */
  trigger: 'schedule' | 'manual';
}

/** A saved search with what the scheduler knows of it. */
export interface SearchState extends SavedSearch {
  lastRun?: SearchRun;
  /** The end of the next window the scheduler evaluates (scheduled searches only). */
  nextRun?: string;
}

export const MAX_SAVED_SEARCHES = 500;
export const MAX_SEARCH_NAME = 200;
export const MAX_SEARCH_QUERY = 20_000;
/** Shortest interval: a schedule faster than this would keep a query running all the time. */
export const MIN_INTERVAL_SECONDS = 60;
/** Longest interval and look-back: 30 days. */
export const MAX_SCHEDULE_SECONDS = 30 * 86_400;
export const MAX_ROW_THRESHOLD = 1_000_000;

export const LEVELS: readonly RuleLevel[] = ['informational', 'low', 'medium', 'high', 'critical'];

/**
 * What happens to windows missed while no process ran the scheduler (documented in docs/searches.md):
 * only the latest due window is evaluated, and the number passed over is recorded on its run.
 */
export const CATCH_UP_RULE = 'only the latest missed window runs; the ones before it are skipped and counted on that run';

/** Bad input; `field`: the schedule or search property at fault (the console shows the message beside it). */
export class SearchInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90s`, `5m`, `1h`, `7d` (or a bare number of seconds) → seconds. */
export function durationSeconds(text: string, what: string): number {
  const m = /^\s*(\d{1,9})\s*([smhd]?)\s*$/.exec(text);
  if (!m) throw new SearchInputError(`${what} must be a duration like 15m, 1h or 7d, got '${text}'`);
  return Number(m[1]) * UNITS[m[2] || 's']!;
}

/** Seconds as the shortest exact duration text: 3600 → `1h`. */
export function durationText(seconds: number): string {
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60]] as const) if (seconds % size === 0 && seconds >= size) return `${seconds / size}${unit}`;
  return `${seconds}s`;
}

/** `rows>10`, `rows > 0`, `per-row` → a condition. */
export function conditionOf(text: string): SearchCondition {
  const t = text.trim().toLowerCase();
  if (t === 'per-row' || t === 'per row' || t === 'each-row') return { kind: 'per-row' };
  const m = /^rows\s*>\s*(\d{1,7})$/.exec(t);
  if (m) return checkCondition({ kind: 'rows', threshold: Number(m[1]) });
  throw new SearchInputError(`the condition must be 'rows>N' or 'per-row', got '${text}'`);
}

export function conditionText(c: SearchCondition): string {
  return c.kind === 'per-row' ? 'per-row' : `rows>${c.threshold}`;
}

function checkCondition(c: SearchCondition): SearchCondition {
  if (c.kind === 'rows' && !(Number.isInteger(c.threshold) && c.threshold >= 0 && c.threshold <= MAX_ROW_THRESHOLD)) {
    throw new SearchInputError(`the row threshold must be a whole number from 0 to ${MAX_ROW_THRESHOLD}`, 'condition');
  }
  return c;
}

/** Checks a schedule from any caller (API body, CLI options, the table); throws SearchInputError naming what is wrong. */
export function checkSchedule(s: SearchSchedule): SearchSchedule {
  const whole = (n: unknown, what: string, min: number, field: string) => {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > MAX_SCHEDULE_SECONDS) throw new SearchInputError(`${what} must be from ${durationText(min)} to ${durationText(MAX_SCHEDULE_SECONDS)}, got ${String(n)}`, field);
  };
  whole(s.intervalSeconds, 'the interval', MIN_INTERVAL_SECONDS, 'intervalSeconds');
  whole(s.lookBackSeconds, 'the look-back window', MIN_INTERVAL_SECONDS, 'lookBackSeconds');
  if (!s.condition || (s.condition.kind !== 'rows' && s.condition.kind !== 'per-row')) throw new SearchInputError(`the condition must be rows>N or per-row`, 'condition');
  checkCondition(s.condition);
  if (!LEVELS.includes(s.level)) throw new SearchInputError(`the level must be one of ${LEVELS.join(', ')}, got '${String(s.level)}'`, 'level');
  if (typeof s.title !== 'string' || !s.title.trim() || s.title.length > MAX_SEARCH_NAME) throw new SearchInputError(`the title must be 1 to ${MAX_SEARCH_NAME} characters`, 'title');
  const condition: SearchCondition = s.condition.kind === 'rows' ? { kind: 'rows', threshold: s.condition.threshold } : { kind: 'per-row' };
  return { intervalSeconds: s.intervalSeconds, lookBackSeconds: s.lookBackSeconds, condition, level: s.level, title: s.title.trim() };
}

/**
 * A scheduled search's window has to reach the query: SPL gets earliest=/latest= on its base search
 * (so it must start with a search, not a `|` command); SQL names $window_start / $window_end.
 */
export function checkSchedulable(query: string, language: 'spl' | 'sql'): void {
  if (language === 'sql') {
    if (!/\$window_(start|end)\b/.test(query)) throw new SearchInputError('a scheduled SQL search must bound its time with $window_start and $window_end (TIMESTAMP text, [start, end))', 'query');
    return;
  }
  if (/^\s*\|/.test(query)) throw new SearchInputError('a scheduled SPL search must start with a search (the window is applied as earliest=/latest= on it), not with a | command', 'query');
}

/** The end of the window due at `nowMs`: the last multiple of the interval at or before it. */
export function windowEndAt(nowMs: number, intervalSeconds: number): number {
  const step = intervalSeconds * 1000;
  return Math.floor(nowMs / step) * step;
}
