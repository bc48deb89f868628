/**
 * The statistics behind the anomaly rules, pure and separately tested: robust baselines (median and
 * MAD), the seasonal choice of comparison buckets, and the spike/drop and error-rate tests.
 */

export function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median absolute deviation scaled to a standard deviation under normality. */
export function robustSigma(values: readonly number[], center = median(values)): number {
  return 1.4826 * median(values.map((v) => Math.abs(v - center)));
}

export type BaselineKind = 'same hour of week' | 'same hour of day' | 'preceding buckets';

export interface Baseline {
  kind: BaselineKind;
  /** Median of the comparison buckets. */
  value: number;
  /** Spread used by the test: the larger of the robust sigma and the Poisson noise of the median. */
  sigma: number;
  samples: number;
}

export const SEASONAL = { minWeeks: 2, minDays: 3, minPreceding: 3, preceding: 24, weeks: 4, days: 14 };

/**
 * The baseline for bucket `i` of `counts` (contiguous buckets of `widthS` seconds, aligned to UTC): the
 * same hour of the week when there are ≥ 2 earlier weeks of history, else the same hour of the day
 * with ≥ 3 earlier days, else the preceding buckets. Only earlier, final buckets count (`usable`),
 * so a bucket is never compared with the future or with a bucket still filling up.
 */
export function seasonalBaseline(counts: readonly number[], usable: readonly boolean[], i: number, widthS: number): Baseline | undefined {
  const perHour = 3600 / widthS;
  const earlier = (step: number, max: number) => {
    const out: number[] = [];
    for (let j = i - step, k = 0; j >= 0 && k < max; j -= step, k++) if (usable[j]) out.push(counts[j]!);
    return out;
  };
  const candidates: [BaselineKind, number[], number][] = [];
  if (widthS <= 3600 && Number.isInteger(perHour)) {
    candidates.push(['same hour of week', earlier(168 * perHour, SEASONAL.weeks), SEASONAL.minWeeks]);
    candidates.push(['same hour of day', earlier(24 * perHour, SEASONAL.days), SEASONAL.minDays]);
  }
  candidates.push(['preceding buckets', earlier(1, SEASONAL.preceding), SEASONAL.minPreceding]);
  for (const [kind, samples, min] of candidates) {
    if (samples.length < min) continue;
    const value = median(samples);
    return { kind, value, sigma: Math.max(robustSigma(samples, value), Math.sqrt(Math.max(value, 1))), samples: samples.length };
  }
  return undefined;
}

export const VOLUME_TEST = { sigmas: 4, spikeRatio: 1.5, dropRatio: 0.5, minChange: 50 };

/** 'spike' / 'drop' when the observed count is far from the baseline by every measure, else undefined. */
export function volumeVerdict(observed: number, b: Baseline, t = VOLUME_TEST): 'spike' | 'drop' | undefined {
  const change = observed - b.value;
  if (Math.abs(change) < t.minChange || Math.abs(change) < t.sigmas * b.sigma) return undefined;
  if (change > 0 && observed >= b.value * t.spikeRatio) return 'spike';
  if (change < 0 && observed <= b.value * t.dropRatio) return 'drop';
  return undefined;
}

export const ERROR_TEST = { minErrors: 10, minBaselineRequests: 100, ratio: 3, minRise: 0.05, z: 4 };

/**
 * Is `errors` of `requests` a spike against a baseline of `baseErrors` of `baseRequests`? The rate
 * must be several times the usual one, a few points above it, and improbable under it (binomial z);
 * the baseline rate is floored at half an error over its requests so a spotless history still has a
 * finite spread.
 */
export function errorSpike(errors: number, requests: number, baseErrors: number, baseRequests: number, t = ERROR_TEST): { rate: number; baseRate: number; z: number } | undefined {
  if (errors < t.minErrors || requests <= 0 || baseRequests < t.minBaselineRequests) return undefined;
  const rate = errors / requests;
  const baseRate = baseErrors / baseRequests;
  const p = Math.max(baseRate, 0.5 / baseRequests);
  const z = (errors - requests * p) / Math.sqrt(requests * p * (1 - p));
  if (rate < baseRate * t.ratio || rate < baseRate + t.minRise || z < t.z) return undefined;
  return { rate, baseRate, z };
}

export const RATE_TEST = { minRequests: 100, ratio: 10, sigmas: 6 };

/** A per-address or per-ASN bucket count far above that source's own mean per bucket. */
export function rateOutlier(observed: number, expected: number, t = RATE_TEST): boolean {
  const e = Math.max(expected, 1);
  return observed >= t.minRequests && observed >= t.ratio * e && observed - e >= t.sigmas * Math.sqrt(e);
}

/** Consecutive bucket indexes grouped into runs (an anomaly lasting three buckets is one episode). */
export function runs(indexes: readonly number[]): number[][] {
  const out: number[][] = [];
  for (const i of [...indexes].sort((a, b) => a - b)) {
    const last = out[out.length - 1];
    if (last && last[last.length - 1] === i - 1) last.push(i);
    else out.push([i]);
  }
  return out;
}
