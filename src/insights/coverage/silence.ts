import type { EventStore } from '../../store/store.js';
import type { InsightOptions } from '../report.js';
import { timeRange, type TimeRange } from '../time-range.js';
import { dataHorizon, dataSpan, sourceCadence, SOURCE_LEVELS, type SourceLevel, type SourceStats, type Tables } from './read.js';

/**
 * When is a source silent "longer than its usual cadence"? Its usual silence is the 95th percentile
 * of the gaps between its events (measured between 5-minute buckets); a silence counts when it is
 * longer than FACTOR times that and at least MIN_SILENCE, and the source has not been silent that
 * long at least twice before (a nightly lull is its cadence, not an outage).
 */
export const COVERAGE_DEFAULTS = { bucketSeconds: 300, minSilenceSeconds: 3600, factor: 4, minBuckets: 12, usualRepeats: 2 };

export interface CoverageOptions extends InsightOptions {
  /** Shortest silence that counts, seconds (default 1 hour). */
  minSilenceSeconds?: number;
  /** Times the usual (95th percentile) gap a silence must exceed (default 4). */
  factor?: number;
}

export interface Silence {
  level: SourceLevel;
  dataset: string;
  key: string;
  /** Last event before the silence. */
  sinceMs: number;
  sinceText: string;
  /** First event after it; undefined while the source is still silent. */
  untilMs: number | undefined;
  seconds: number;
  thresholdS: number;
  p95GapS: number | undefined;
  /** Other sources whose silence is the same one (an account of a dataset that has one account…). */
  alsoSilent: string[];
}

export interface CoverageResult {
  range: TimeRange;
  /** The store's dataset tables and their columns. */
  tables: Tables;
  /** Width of the buckets cadence is measured in, seconds. */
  widthS: number;
  /** Events per active bucket of each dataset (the series). */
  datasetBuckets: Map<string, { bucket: number; events: number }[]>;
  /** The data's "now": the last event in the range (or the range's end). */
  horizonMs: number | undefined;
  sources: (SourceStats & { thresholdS: number; status: 'ok' | 'silent' | 'gap' | 'too little history' })[];
  silences: Silence[];
}

export function sourceName(level: SourceLevel, dataset: string, key: string): string {
  if (level === 'dataset') return dataset;
  const label = SOURCE_LEVELS.find((l) => l.level === level)!.label;
  return `${dataset} ${label} ${key}`;
}

const LEVEL_ORDER: SourceLevel[] = ['dataset', 'account', 'distribution', 'interface'];

export async function findSilences(store: EventStore, o: CoverageOptions): Promise<CoverageResult> {
  const range = timeRange(o);
  // 5-minute buckets, wider over long spans so one pass returns at most ~20,000 buckets per source.
  const tables = await store.datasetColumns();
  const span = await dataSpan(store, tables, range);
  const spanS = span.firstMs === undefined || span.lastMs === undefined ? 0 : ((range.untilMs ?? span.lastMs) - (range.sinceMs ?? span.firstMs)) / 1000;
  const widthS = Math.max(COVERAGE_DEFAULTS.bucketSeconds, Math.ceil(spanS / 20_000 / COVERAGE_DEFAULTS.bucketSeconds) * COVERAGE_DEFAULTS.bucketSeconds);
  const minSilenceS = o.minSilenceSeconds ?? COVERAGE_DEFAULTS.minSilenceSeconds;
  const factor = o.factor ?? COVERAGE_DEFAULTS.factor;
  const cadence = await sourceCadence(store, tables, range, widthS, minSilenceS, factor);
  let stats = cadence.stats;
  if (o.distribution) stats = stats.filter((s) => s.level === 'distribution' && s.key === o.distribution);
  // Events stamped in the future (clock skew, junk) must not make every real source look silent.
  const last = dataHorizon(cadence.stats);
  const horizonMs = range.untilMs ?? (last === undefined ? undefined : Math.min(last, Date.now()));

  const sources: CoverageResult['sources'] = [];
  const candidates: Silence[] = [];
  for (const s of stats) {
    const thresholdS = Math.max(minSilenceS, factor * (s.p95GapS ?? 0));
    const row = { ...s, thresholdS, status: 'ok' as CoverageResult['sources'][number]['status'] };
    sources.push(row);
    if (s.buckets < COVERAGE_DEFAULTS.minBuckets) {
      row.status = 'too little history';
      continue;
    }
    // Usual: at least twice before, the source was silent at least this long.
    const usual = (seconds: number, beforeMs: number) => s.longGaps.filter((g) => g.seconds >= seconds && g.sinceMs < beforeMs).length >= COVERAGE_DEFAULTS.usualRepeats;
    for (const g of s.longGaps) {
      if (usual(g.seconds, g.sinceMs)) continue;
      row.status = 'gap';
      candidates.push({ level: s.level, dataset: s.dataset, key: s.key, sinceMs: g.sinceMs, sinceText: g.sinceText, untilMs: g.untilMs, seconds: g.seconds, thresholdS, p95GapS: s.p95GapS, alsoSilent: [] });
    }
    if (horizonMs !== undefined) {
      const tail = (horizonMs - s.lastMs) / 1000;
      if (tail > thresholdS && !usual(tail, s.lastMs + 1)) {
        row.status = 'silent';
        candidates.push({ level: s.level, dataset: s.dataset, key: s.key, sinceMs: s.lastMs, sinceText: s.lastText, untilMs: undefined, seconds: tail, thresholdS, p95GapS: s.p95GapS, alsoSilent: [] });
      }
    }
  }
  // One silence seen at several levels (a dataset with a single account) is reported once, at the widest level.
  candidates.sort((a, b) => LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) || a.sinceMs - b.sinceMs);
  const silences: Silence[] = [];
  const byEnd = new Map<string, Silence>();
  for (const c of candidates) {
    const k = `${c.dataset}\u0000${c.sinceText}\u0000${c.untilMs ?? ''}`;
    const seen = byEnd.get(k);
    if (seen) {
      seen.alsoSilent.push(sourceName(c.level, c.dataset, c.key));
      continue;
    }
    byEnd.set(k, c);
    silences.push(c);
  }
  sources.sort((a, b) => a.dataset.localeCompare(b.dataset) || LEVEL_ORDER.indexOf(a.level) - LEVEL_ORDER.indexOf(b.level) || a.key.localeCompare(b.key));
  return { range, tables, widthS, datasetBuckets: cadence.datasetBuckets, horizonMs, sources, silences };
}
