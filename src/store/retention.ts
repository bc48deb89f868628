/**
 * Retention, as both stores keep it: events older than N days are removed, a whole UTC day at a
 * time (ClickHouse drops the day's partitions; DuckDB deletes the same rows), so the two engines
 * hold the same days after it runs.
 */

/** The table that keeps a store's settings (name → value; the newest row of a name wins). */
export const SETTINGS_TABLE = 'packettrail_settings';
/** The setting that holds the retention, in days. */
export const RETENTION_SETTING = 'retention_days';
/** The longest retention accepted (100 years): past it a day count is a typo, not a policy. */
export const MAX_RETENTION_DAYS = 36_500;

const DAY_MS = 86_400_000;

/** `--retention 90d` → 90; an error names what was expected. */
export function parseRetention(text: string): number {
  const m = /^\s*(\d{1,6})\s*d\s*$/i.exec(text);
  const days = m ? Number(m[1]) : NaN;
  if (!(days >= 1 && days <= MAX_RETENTION_DAYS)) throw new Error(`--retention must be a number of days from 1 to ${MAX_RETENTION_DAYS} followed by d (e.g. 90d), got '${text}'`);
  return days;
}

/**
 * The first instant kept: the start (00:00 UTC) of the day `days` days before `now`. Every event
 * before it lies in a day that is wholly older than the retention, so dropping whole days and
 * deleting rows before this instant remove the same events.
 */
export function retentionCutoff(days: number, now = Date.now()): number {
  return Math.floor((now - days * DAY_MS) / DAY_MS) * DAY_MS;
}

/** The day of an instant as ClickHouse's toYYYYMMDD gives it (the partition of its events). */
export function dayNumber(ms: number): number {
  const d = new Date(ms);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** What retention removed (or would remove, with --dry-run) from one table on one node. */
export interface RetentionDrop {
  node: string;
  table: string;
  /** The day (YYYYMMDD) of a dropped partition; absent for DuckDB, which deletes rows. */
  day?: number;
  rows: number;
}

export interface RetentionOutcome {
  days: number;
  /** The first instant kept (ms since the epoch). */
  cutoff: number;
  drops: RetentionDrop[];
  dryRun: boolean;
}
