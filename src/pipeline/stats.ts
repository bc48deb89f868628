/** What happened to one input (file, object or stdin). */
export interface SourceStats {
  source: string;
  format: string;
  bytes: number;
  /** Records read (lines or documents, not counting headers and blank lines). */
  records: number;
  events: number;
  rejected: number;
  skipped: Record<string, number>;
  /** Events kept with a malformed optional field left out and noted (tags: _field_dropped). */
  fieldsDropped?: number;
  /** Only when storing: events that were new, and events already stored before. */
  stored?: number;
  duplicates?: number;
  /** Problems with the source as a whole (unreadable, truncated, unrecognized format). */
  errors: string[];
  warnings: string[];
  /** The run stopped while reading this source (see RunSummary.stopped): only part of it was stored. */
  incomplete?: boolean;
}

export interface RunSummary {
  sources: SourceStats[];
  /** Inputs that matched nothing. */
  missing: { arg: string; reason: string }[];
  seconds: number;
  deadLetterPath?: string | undefined;
  deadLetters: number;
  /**
   * Something could not be written (dead letters, the store, staged rows, the output), so the run
   * stopped: why, how many sources were not read at all, and what else failed to be written after
   * (the bookkeeping of a store whose disk is full…). The counts are what was written. A run
   * interrupted (Ctrl-C) stops the same way, with `interrupted` set.
   */
  stopped?: {
    reason: string;
    unread: number;
    later?: string[];
    /** Set when the run was interrupted (the signal's name: SIGINT, SIGTERM) rather than failed. */
    interrupted?: string;
  };
}

export interface Totals {
  bytes: number;
  records: number;
  events: number;
  rejected: number;
  stored: number;
  duplicates: number;
  skipped: number;
  errors: number;
  fieldsDropped: number;
}

export function totals(summary: RunSummary): Totals {
  const t = { bytes: 0, records: 0, events: 0, rejected: 0, stored: 0, duplicates: 0, skipped: 0, errors: 0, fieldsDropped: 0 };
  for (const s of summary.sources) {
    t.bytes += s.bytes;
    t.records += s.records;
    t.events += s.events;
    t.rejected += s.rejected;
    t.stored += s.stored ?? 0;
    t.duplicates += s.duplicates ?? 0;
    t.skipped += Object.values(s.skipped).reduce((a, b) => a + b, 0);
    t.errors += s.errors.length;
    t.fieldsDropped += s.fieldsDropped ?? 0;
  }
  t.errors += summary.missing.length;
  return t;
}

/** True when anything was rejected, could not be read or could not be written: the exit code reports it. */
export function hadFailures(summary: RunSummary): boolean {
  const t = totals(summary);
  return t.rejected > 0 || t.errors > 0 || summary.stopped !== undefined;
}
