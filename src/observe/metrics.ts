import { checkLabelName, checkMetricName, renderFamily, type Labels, type MetricType } from './exposition.js';

/**
 * A small metrics registry of one process (no global: each process, and each test, has its own):
 * counters and gauges with labels, and families whose samples a callback reads at scrape time from
 * counts kept elsewhere (the pipeline's totals, a queue's depth). Rendered in the Prometheus text
 * format (exposition.ts) for `/metrics`, and read as plain samples for the process registry.
 */

/** Label sets one family may hold: label values come from configs (input names), never from log content, so more is a bug. */
export const MAX_SERIES_PER_FAMILY = 10_000;

export interface Sample {
  labels: Labels;
  value: number;
}

/** A sample with its family's name: what the process registry's heartbeat carries. */
export interface NamedSample extends Sample {
  name: string;
}

const COLLECT_ERRORS = 'packettrail_metrics_collect_errors_total';

type Collector = () => readonly Sample[];

class Family {
  readonly values = new Map<string, Sample>();
  readonly collectors: Collector[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
    readonly labelNames: readonly string[],
  ) {}

  /** The key of a label set, after checking it names exactly this family's labels. */
  key(labels: Labels): string {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || this.labelNames.some((l) => typeof labels[l] !== 'string')) {
      throw new Error(`metric ${this.name} takes the labels [${this.labelNames.join(', ')}], got [${given.join(', ')}]`);
    }
    return JSON.stringify(this.labelNames.map((l) => labels[l]));
  }

  slot(labels: Labels): Sample {
    const key = this.key(labels);
    let s = this.values.get(key);
    if (!s) {
      if (this.values.size >= MAX_SERIES_PER_FAMILY) throw new Error(`metric ${this.name} has ${MAX_SERIES_PER_FAMILY} label sets already (MAX_SERIES_PER_FAMILY)`);
      // The labels in the family's order, so every sample of a family spells them alike.
      s = { labels: Object.fromEntries(this.labelNames.map((l) => [l, labels[l]!])), value: 0 };
      this.values.set(key, s);
    }
    return s;
  }

  /** Own values, then each callback's; a label set already seen is left out (each appears once per family). */
  samples(onError: (e: unknown) => void): Sample[] {
    const out = [...this.values.values()];
    const seen = new Set(this.values.keys());
    for (const collect of this.collectors) {
      let got: readonly Sample[];
      try {
        got = collect();
      } catch (e) {
        onError(e);
        continue;
      }
      for (const s of got) {
        let key: string;
        try {
          key = this.key(s.labels);
        } catch (e) {
          onError(e);
          continue;
        }
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({ labels: Object.fromEntries(this.labelNames.map((l) => [l, s.labels[l]!])), value: s.value });
      }
    }
    return out;
  }
}

export class Counter {
  constructor(private readonly family: Family) {}

  /** Adds `by` (default 1; never negative: a counter only goes up). */
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0)) throw new Error(`counter ${this.family.name} can only go up (got ${by})`);
    this.family.slot(labels).value += by;
  }

  /** Makes the label set appear (at 0) before anything happened: a scrape then shows the series. */
  touch(labels: Labels = {}): void {
    this.family.slot(labels);
  }

  get(labels: Labels = {}): number {
    return this.family.values.get(this.family.key(labels))?.value ?? 0;
  }
}

export class Gauge {
  constructor(private readonly family: Family) {}

  set(labels: Labels, value: number): void {
    this.family.slot(labels).value = value;
  }

  get(labels: Labels = {}): number | undefined {
    return this.family.values.get(this.family.key(labels))?.value;
  }

  /** Removes a label set (a value no longer known: it disappears from scrapes rather than going stale). */
  remove(labels: Labels): void {
    this.family.values.delete(this.family.key(labels));
  }
}

export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  /** Callbacks that threw or returned samples with the wrong labels, over the life of the process. */
  private collectErrors = 0;

  constructor() {
    this.counterCallback(COLLECT_ERRORS, 'Metric callbacks that failed while a scrape was collected (their samples are left out).', [], () => [{ labels: {}, value: this.collectErrors }]);
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return new Counter(this.family(name, help, 'counter', labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return new Gauge(this.family(name, help, 'gauge', labelNames));
  }

  /** A gauge family whose samples `collect` reads when scraped; several callbacks may feed one family. */
  gaugeCallback(name: string, help: string, labelNames: readonly string[], collect: Collector): void {
    this.family(name, help, 'gauge', labelNames).collectors.push(collect);
  }

  /** A counter family read from totals kept elsewhere (they must only go up). */
  counterCallback(name: string, help: string, labelNames: readonly string[], collect: Collector): void {
    this.family(name, help, 'counter', labelNames).collectors.push(collect);
  }

  /** Every sample of every family, in registration order. */
  samples(): NamedSample[] {
    return this.collected().flatMap(({ family, samples }) => samples.map((s) => ({ name: family.name, ...s })));
  }

  /** The text exposition of every family (families without samples are left out). */
  render(): string {
    let out = '';
    for (const { family: f, samples } of this.collected()) if (samples.length) out += renderFamily({ name: f.name, help: f.help, type: f.type, samples });
    return out;
  }

  /** Each family with its samples; the count of failed callbacks last, so it includes this collection's. */
  private collected(): { family: Family; samples: Sample[] }[] {
    const onError = () => this.collectErrors++;
    const all = [...this.families.values()];
    const own = all.filter((f) => f.name === COLLECT_ERRORS);
    return [...all.filter((f) => f.name !== COLLECT_ERRORS), ...own].map((family) => ({ family, samples: family.samples(onError) }));
  }

  /** The family of this name, created on first use; asking again with another type, help or labels is refused (one family per name). */
  private family(name: string, help: string, type: MetricType, labelNames: readonly string[]): Family {
    const had = this.families.get(name);
    if (had) {
      if (had.type !== type || had.help !== help || had.labelNames.join(',') !== labelNames.join(',')) {
        throw new Error(`metric ${name} is already registered as a ${had.type} with labels [${had.labelNames.join(', ')}]`);
      }
      return had;
    }
    checkMetricName(name);
    for (const l of labelNames) checkLabelName(l);
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`metric ${name} names a label twice`);
    const f = new Family(name, help, type, [...labelNames]);
    this.families.set(name, f);
    return f;
  }
}
