import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deadline } from '../../store/bounds.js';
import type { DuckDbStore } from '../../store/duckdb/duckdb-store.js';
import { MacroError, builtinMacroFile, expandMacros, loadMacros, parseLenientYaml, type MacroTable } from './macros.js';
import { compileSplOn } from './compile.js';
import { SplError } from './errors.js';
import { LookupError, type LookupCatalog } from './lookups/catalog.js';
import { commandWord, splitPipeline } from './lexer.js';
import { parse } from './parser.js';
import { ALIASES, CATALOG, NOW } from './testing.fixture.js';

/**
 * Measures packettrail's SPL on Splunk's security_content detections (`../shared/spl-corpus`): which
 * of the detections over data packettrail ingests run as written, and how much of the whole corpus
 * parses. Used by the corpus test (`node --test dist/query/spl/corpus.test.js`; figures in bench/README.md).
 */
export interface Detection {
  file: string;
  name: string;
  search: string;
  dataSources: string[];
}

/**
 * Data sources packettrail ingests, by the detection's `data_source` names, and the macros that
 * select them for detections that name no data source.
 */
export const INGESTED_DATA_SOURCES: readonly RegExp[] = [/^AWS CloudTrail/, /^AWS CloudWatchLogs VPCflow/, /^Palo Alto Network (Threat|Traffic)/, /Zscaler/, /^Cisco Umbrella/, /^AWS S3 Server Access/];
export const INGESTED_MACROS: readonly string[] = ['cloudtrail', 'cloudwatchlogs_vpcflow', 'cloudwatch_vpc', 'zscaler_proxy', 'aws_s3_accesslogs', 's3_accesslogs'];

/** Detection files the YAML parser refuses (reported with the figures). */
export const unreadable: string[] = [];

/** Every detection of the corpus (`detections/**.yml` with a `search:`). */
export function readDetections(corpus: string): Detection[] {
  const out: Detection[] = [];
  const walk = (dir: string) => {
    for (const f of readdirSync(dir).sort()) {
      const path = join(dir, f);
      if (statSync(path).isDirectory()) walk(path);
      else if (f.endsWith('.yml')) {
        let d: Record<string, unknown> | null;
        try {
          d = parseLenientYaml(readFileSync(path, 'utf8')) as Record<string, unknown> | null;
        } catch (e) {
          unreadable.push(`${path.slice(corpus.length + 1)}: ${(e as Error).message.split('\n')[0]}`);
          continue;
        }
        if (d && typeof d.search === 'string') out.push({ file: path.slice(corpus.length + 1), name: String(d.name ?? f), search: d.search, dataSources: Array.isArray(d.data_source) ? d.data_source.map(String) : [] });
      }
    }
  };
  walk(join(corpus, 'detections'));
  return out;
}

export function ingested(d: Detection): boolean {
  if (d.dataSources.some((s) => INGESTED_DATA_SOURCES.some((re) => re.test(s)))) return true;
  return INGESTED_MACROS.some((m) => d.search.includes(`\`${m}\``));
}

/** The corpus's macros, with packettrail's own data-source macros winning (they point at its sourcetypes). */
export function corpusMacros(corpus: string): MacroTable {
  return loadMacros([join(corpus, 'macros'), builtinMacroFile()]);
}

export type Outcome = 'ran' | 'empty' | 'refused' | 'broken';

export interface Result {
  detection: Detection;
  outcome: Outcome;
  /** Refused: the construct named (`command tstats`, `macro x`); broken: the error. */
  reason?: string;
  rows?: number;
  warnings?: string[];
}

/** A short name for the construct a refusal names, for counting. */
export function construct(e: Error): string {
  const msg = e instanceof SplError ? e.reason : e.message;
  const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
    [/unknown or unsupported command '([^']*)'/, (m) => `command ${m[1]}`],
    [/unknown function '([^']*)'/, (m) => `function ${m[1]}`],
    [/unknown aggregation '([^']*)'/, (m) => `aggregation ${m[1]}`],
    [/unknown macro `([^`]*)`/, (m) => `macro ${m[1]}`],
    [/unknown (index|sourcetype) '([^']*)'/, (m) => `${m[1]} ${m[2]}`],
    [/unknown (\w+) option '([^']*)'/, (m) => `${m[1]} option ${m[2]}`],
  ];
  for (const [re, name] of patterns) {
    const m = re.exec(msg);
    if (m) return name(m);
  }
  return msg.split('\n')[0]!.replace(/'[^']*'/g, "'…'").slice(0, 80);
}

/** How long one detection may run on the demo store. */
export const DETECTION_TIMEOUT_MS = 30_000;

/** `lookups`: the corpus's lookups (the test gives a writable copy: outputlookup writes there, never into ../shared). */
export async function runDetection(store: DuckDbStore, macros: MacroTable, d: Detection, lookups?: LookupCatalog): Promise<Result> {
  let compiled;
  try {
    const tables = await store.datasetColumns();
    compiled = await compileSplOn((sql, params) => store.query(sql, params).then((r) => r.rows), d.search, { catalog: CATALOG, aliases: ALIASES, now: NOW, macros, tables, ...(lookups ? { lookups } : {}) });
  } catch (e) {
    if (e instanceof SplError || e instanceof MacroError || e instanceof LookupError) return { detection: d, outcome: 'refused', reason: construct(e) };
    return { detection: d, outcome: 'broken', reason: `compile: ${(e as Error).stack ?? String(e)}` };
  }
  const limit = deadline(DETECTION_TIMEOUT_MS, 'the corpus timeout');
  try {
    const r = await store.query(compiled.sql, compiled.params, { signal: limit.signal, maxResultBytes: 256 * 2 ** 20 });
    return { detection: d, outcome: r.rows.length ? 'ran' : 'empty', rows: r.rows.length, warnings: compiled.warnings };
  } catch (e) {
    return { detection: d, outcome: 'broken', reason: `run: ${(e as Error).message.split('\n')[0]}` };
  } finally {
    limit.done();
  }
}

export interface ParseCoverage {
  searches: number;
  /** Parsed without a parser error (commands packettrail does not run count as parsed). */
  parsed: number;
  /** Every command of the search is one packettrail runs. */
  understood: number;
  /** Searches whose macros could not be expanded (macros outside the development set). */
  macroMissing: number;
  /** Parser errors by first words, for fixing. */
  errors: Map<string, number>;
  /** Commands packettrail does not have, by how many searches use them. */
  unsupported: Map<string, number>;
}

/** Parses every search of the corpus, command by command. */
export function parseCoverage(detections: readonly Detection[], macros: MacroTable): ParseCoverage {
  const cov: ParseCoverage = { searches: detections.length, parsed: 0, understood: 0, macroMissing: 0, errors: new Map(), unsupported: new Map() };
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const d of detections) {
    let text: string;
    try {
      text = expandMacros(d.search, macros);
    } catch {
      cov.macroMissing++;
      continue;
    }
    let ok = true;
    const missing = new Set<string>();
    try {
      const segments = splitPipeline(text);
      segments.forEach((seg, i) => {
        const t = text.slice(seg.pos, seg.end);
        if (!t.trim()) return;
        try {
          parse(i === 0 ? t : `| ${t}`);
        } catch (e) {
          if (!(e instanceof SplError)) throw e;
          const m = /unknown or unsupported command '([^']*)'/.exec(e.reason);
          if (m) missing.add(commandWord(text, seg).name || m[1]!);
          else {
            ok = false;
            bump(cov.errors, `${commandWord(text, seg).name || 'search'}: ${e.reason.replace(/'[^']*'/g, "'…'").slice(0, 70)}`);
          }
        }
      });
    } catch (e) {
      if (!(e instanceof SplError)) throw e;
      ok = false;
      bump(cov.errors, e.reason.slice(0, 70));
    }
    if (ok) cov.parsed++;
    if (ok && !missing.size) cov.understood++;
    for (const c of missing) bump(cov.unsupported, c);
  }
  return cov;
}

/** The summary the test prints (and bench/README.md records). */
export function summarize(results: readonly Result[], cov: ParseCoverage): string {
  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const pct = (n: number, of: number) => `${of ? ((100 * n) / of).toFixed(1) : '0.0'} %`;
  const refusals = new Map<string, number>();
  for (const r of results) if (r.outcome === 'refused') refusals.set(r.reason!, (refusals.get(r.reason!) ?? 0) + 1);
  const top = (m: Map<string, number>, n: number) => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n).map(([k, v]) => `    ${String(v).padStart(4)}  ${k}`);
  const lines = [
    `SPL corpus: ${results.length} detections over ingested data sources`,
    `  ran ${count('ran')}, empty ${count('empty')} (ran as written: ${pct(count('ran') + count('empty'), results.length)}), refused ${count('refused')}, broken ${count('broken')}`,
    `  refused, by construct:`,
    ...top(refusals, 20),
    `SPL corpus parse coverage: ${cov.searches} searches, ${cov.parsed} parse (${pct(cov.parsed, cov.searches - cov.macroMissing)} of those with their macros), ${cov.understood} use only commands packettrail runs, ${cov.macroMissing} call macros outside the set`,
    `  commands packettrail does not run, by searches using them:`,
    ...top(cov.unsupported, 25),
    `  parser errors:`,
    ...top(cov.errors, 15),
  ];
  if (unreadable.length) lines.push(`  ${unreadable.length} detection file(s) are not valid YAML and are not counted: ${unreadable.join('; ')}`);
  for (const r of results) if (r.outcome === 'broken') lines.push(`  BROKEN ${r.detection.file}: ${r.reason!.split('\n')[0]}`);
  return lines.join('\n');
}
