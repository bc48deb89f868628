import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { formatCount, renderTable, shellWord, terminalSafe } from '../cli/text.js';
import { DB_ENV } from '../cli/settings.js';
import { generate, LOGS_DIR, scoreAlerts, type Incident, type Score } from '../generate/index.js';
import { ingest, StoreOpenError } from '../pipeline/ingest.js';
import { OutputError } from '../pipeline/output.js';
import { addStoreOption, reportStopped } from './common.js';
import type { RunSummary } from '../pipeline/stats.js';
import { prepareDetection } from './detect.js';
import { addGenerateOptions, generateOptionsOf } from './generate.js';
import { isClickHouseUrl, openStore, shownLocation, STORE_ENV, type IndexableStore } from '../store/open.js';
import { parseStoreUrl, PASSWORD_ENV } from '../store/clickhouse/url.js';
import { buildTrail } from '../trail/index.js';
import { renderTrail } from './trail.js';
import { serveUntilStopped } from './serve.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { MemoryAlertSink } from '../detect/alerts/memory-sink.js';

interface DemoCliOptions {
  dir: string;
  db?: string;
  store?: string;
  stateDir?: string;
  serve?: boolean;
  users: string;
  hours: string;
  start?: string;
  end?: string;
  seed: string;
  scale?: string;
}


function sourceCounts(summary: RunSummary): string {
  const by = new Map<string, { files: number; events: number; stored: number; rejected: number }>();
  for (const s of summary.sources) {
    const row = by.get(s.format) ?? { files: 0, events: 0, stored: 0, rejected: 0 };
    by.set(s.format, row);
    row.files++;
    row.events += s.events;
    row.stored += s.stored ?? 0;
    row.rejected += s.rejected;
  }
  const rows = [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([f, r]) => [f, formatCount(r.files), formatCount(r.events), formatCount(r.stored), formatCount(r.rejected)]);
  return renderTable(['source', 'files', 'events', 'newly stored', 'rejected'], rows);
}

export function renderScore(score: Score): string {
  const rows = score.rules.map((r) => [terminalSafe(r.title), formatCount(r.alerts), formatCount(r.truePositives), formatCount(r.falsePositives)]);
  const lines = [
    renderTable(['rule', 'alerts', 'true positives', 'false positives'], rows, 80),
    `precision ${score.precision.toFixed(2)} (${score.truePositives}/${score.alerts} alerts belong to an injected incident), ` +
      `recall ${score.recall.toFixed(2)} (${score.detected}/${score.expected} expected detections fired)`,
  ];
  for (const m of score.missed) lines.push(`  missed: ${terminalSafe(m.rule)} on incident ${terminalSafe(m.incident)}`);
  return lines.join('\n');
}

/**
 * How to point the README's tour at the demo's database: the other commands read ./packettrail.duckdb
 * unless told otherwise.
 */
export function tourHint(db: string): string[] {
  if (isClickHouseUrl(db)) {
    return [
      'to explore this store with the other commands (the README\'s tour), point them at it:',
      // Shown without its password: that goes in the environment, never in shell history.
      `  export ${STORE_ENV}=${terminalSafe(shellWord(shownLocation(db)))}${parseStoreUrl(db).password ? `   (with the password in ${PASSWORD_ENV})` : ''}`,
      '  packettrail query "SELECT event_dataset, count() AS events FROM events GROUP BY event_dataset ORDER BY events DESC"',
      '  packettrail insights cloudfront        packettrail serve --state-dir <dir>',
    ];
  }
  return [
    'to explore this database with the other commands (the README\'s tour), point them at it:',
    // Absolute: the variable still names it after a cd.
    `  export ${DB_ENV}=${terminalSafe(shellWord(resolve(db)))}`,
    '  packettrail query "SELECT event_dataset, count(*) AS events FROM events GROUP BY 1 ORDER BY 2 DESC"',
    '  packettrail insights cloudfront        packettrail serve',
  ];
}

/** A request id of the Zscaler-bypass incident: it crosses the firewall, CloudFront, WAF, the ALB and the app. */
function followableRequest(incidents: readonly Incident[]): string | undefined {
  const refs = incidents.find((i) => i.id === 'zscaler-bypass')?.events ?? [];
  const appIds = new Set(refs.filter((r) => r.dataset === 'app.json').map((r) => String(r.match['http.request.id'])));
  return [...appIds][0];
}

/** The Zscaler-bypass request followed hop by hop, as `packettrail trail` prints it. */
async function followedTrail(db: string, requestId: string): Promise<string[]> {
  const command = `packettrail trail ${isClickHouseUrl(db) ? '--store' : '--db'} ${terminalSafe(shellWord(shownLocation(db)))} --request-id ${terminalSafe(requestId)}`;
  let store: IndexableStore;
  try {
    store = await openStore(db, { readOnly: true });
  } catch (e) {
    return [`follow the packet failed: ${terminalSafe((e as Error).message)}; try: ${command}`];
  }
  try {
    const trail = await buildTrail(store, { requestId });
    return [`follow the packet (${command}):`, renderTrail(trail)];
  } catch (e) {
    return [`follow the packet failed: ${terminalSafe((e as Error).message)}; try: ${command}`];
  } finally {
    await store.close();
  }
}

export function registerDemo(program: Command): void {
  addGenerateOptions(
    addStoreOption(
      program
        .command('demo')
        .description(COMMAND_INDEX.demo.description)
        .option('--dir <dir>', 'scenario directory (generated when it has no truth.json)', 'packettrail-demo')
        .option('--db <path>', 'database file (default: <dir>/packettrail.duckdb)')
        .option('--serve', 'serve the web console on the demo database afterwards (http://127.0.0.1:8080/)')
        .option('--state-dir <dir>', 'with --store clickhouse://… and --serve: where the console keeps its accounts, audit log and saved searches (default: <dir>)'),
      ' (not its default: demo stores into <dir>/packettrail.duckdb unless told)',
    ),
  )
    .addHelpText(
      'after',
      `
Examples:
  packettrail demo
  packettrail demo --dir /tmp/demo --users 10 --hours 2 --seed 42
  packettrail demo --store clickhouse://127.0.0.1:8123/demo

Re-running is idempotent: events already in the database are stored once. The generate options apply only
when the scenario is generated; its day ends when it is generated (--end to choose), so --since 24h and
earliest=-24h find it that day.
${EXIT_CODES_HELP}`,
    )
    .action(async (o: DemoCliOptions) => {
      const truthPath = join(o.dir, 'truth.json');
      if (!existsSync(truthPath)) {
        process.stderr.write(`generating the scenario in ${terminalSafe(o.dir)} …\n`);
        const manifest = await generate(generateOptionsOf(o, o.dir));
        process.stderr.write(`the scenario runs from ${manifest.start} to ${manifest.end}\n`);
      }
      const incidents = (JSON.parse(readFileSync(truthPath, 'utf8')) as { incidents: Incident[] }).incidents;
      if (o.store !== undefined && o.db !== undefined) throw new CliError('give --db or --store, not both');
      const db = o.store ?? o.db ?? join(o.dir, 'packettrail.duckdb');
      const clickhouse = isClickHouseUrl(db);
      if (clickhouse) {
        try {
          parseStoreUrl(db);
        } catch (e) {
          throw new CliError((e as Error).message);
        }
      }
      const detection = prepareDetection({}, true);
      const collect = new MemoryAlertSink('demo scoring');
      let summary: RunSummary;
      try {
        ({ summary } = await ingest({
          inputs: [join(o.dir, LOGS_DIR)], db, format: 'auto', threads: Math.max(0, Math.min(4, availableParallelism() - 1)),
          deadLetterPath: clickhouse ? join(o.dir, 'dead-letter.ndjson') : `${db}.dead-letter.ndjson`, detection, alertSinks: [collect],
        }));
      } catch (e) {
        throw e instanceof StoreOpenError || e instanceof OutputError ? new CliError(e.message, EXIT.FATAL) : e;
      }
      const out: string[] = [`packettrail demo — ${terminalSafe(o.dir)} → ${terminalSafe(shownLocation(db))}`, '', sourceCounts(summary), ''];
      if (detection.active) out.push(`alerts by rule, scored against truth.json (${incidents.length} incidents):`, renderScore(scoreAlerts(collect.alerts, incidents)));
      else out.push('detection not available: no rules loaded');
      const followed = followableRequest(incidents);
      if (followed) out.push('', ...(await followedTrail(db, followed)));
      out.push('', ...tourHint(db));
      process.stdout.write(out.join('\n') + '\n');
      const rejected = summary.sources.reduce((n, s) => n + s.rejected, 0);
      process.exitCode = rejected ? EXIT.REJECTED : EXIT.OK;
      if (summary.stopped) {
        reportStopped(summary.stopped, 'run the demo again: events already stored are skipped');
        process.exitCode = EXIT.FATAL;
        return;
      }
      if (o.serve) await serveUntilStopped({ db, host: '127.0.0.1', port: '8080', ...(clickhouse ? { stateDir: o.stateDir ?? o.dir } : {}) });
    });
}
