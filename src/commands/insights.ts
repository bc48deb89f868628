import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderTable, terminalSafe } from '../cli/text.js';
import { renderReport } from '../insights/render.js';
import type { InsightOptions } from '../insights/report.js';
import { InsightOptionError, isoSeconds } from '../insights/time-range.js';
import { getInsightView, INSIGHT_VIEWS } from '../insights/views.js';
import { addStoreOption, commandStoreLocation, DEFAULT_DB, openStoreForReading } from './common.js';
import { shownLocation } from '../store/open.js';
import { parseTimeBound } from '../cli/time-bound.js';
import { GeoLookup, loadNetworks } from '../enrich/geo/index.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface InsightsCliOptions {
  db: string;
  store?: string;
  since?: string;
  until?: string;
  distribution?: string;
  bucket?: string;
  limit?: string;
  json?: boolean;
  diagnose?: boolean;
  networks?: string;
}

function positiveInt(text: string | undefined, name: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new CliError(`${name} must be a whole number from 1 to ${max}, got '${text}'`);
  return n;
}

/** Seconds, or with a unit: 300, 5m, 1h, 1d. */
function bucketOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)\s*([smhd]?)$/.exec(text.trim());
  const n = m ? Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]!]! : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 31 * 86400) throw new CliError(`--bucket must be a width like 300, 5m, 1h or 1d, got '${text}'`);
  return n;
}

/** The databases with the file's networks in front; bad lines are reported (file:line) and skipped. */
function networkOverrides(path: string): GeoLookup {
  let loaded: ReturnType<typeof loadNetworks>;
  try {
    loaded = loadNetworks(path);
  } catch (e) {
    throw new CliError(`cannot read --networks ${terminalSafe(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  for (const error of loaded.errors) process.stderr.write(`packettrail: warning: ${terminalSafe(error)}; line skipped\n`);
  return new GeoLookup(loaded.networks);
}

function listViews(): string {
  return renderTable(['view', 'what'], INSIGHT_VIEWS.map((v) => [v.id, v.description]), 140);
}

/** `location`: the store (commandStoreLocation); default --db. */
export async function runInsights(viewId: string | undefined, o: InsightsCliOptions, location: string = o.db): Promise<string> {
  if (viewId === undefined) return `Views (packettrail insights <view>):\n${listViews()}\n`;
  const view = getInsightView(viewId);
  if (!view) throw new CliError(`unknown view '${terminalSafe(viewId)}'; views: ${INSIGHT_VIEWS.map((v) => v.id).join(', ')}`);
  if (o.diagnose && view.id !== 'vpc') throw new CliError('--diagnose applies to the vpc view only');
  const options: InsightOptions & { diagnose?: boolean } = {};
  if (o.since !== undefined) options.since = isoSeconds(parseTimeBound(o.since, '--since'));
  if (o.until !== undefined) options.until = isoSeconds(parseTimeBound(o.until, '--until'));
  if (o.distribution !== undefined) options.distribution = o.distribution;
  const bucket = bucketOption(o.bucket);
  if (bucket !== undefined) options.bucketSeconds = bucket;
  const limit = positiveInt(o.limit, '--limit', 10_000);
  if (limit !== undefined) options.limit = limit;
  if (o.diagnose) options.diagnose = true;
  if (o.networks !== undefined) {
    if (view.id !== 'cloudfront') throw new CliError('--networks applies to the cloudfront view only');
    options.geo = networkOverrides(o.networks);
  }
  const store = await openStoreForReading(location);
  try {
    const report = await view.run(store, options);
    // The diagnosis's explanations are whole sentences: give its table room.
    return o.json ? JSON.stringify(report, null, 2) + '\n' : renderReport(report, { cellWidth: o.diagnose ? 220 : 60 });
  } catch (e) {
    if (e instanceof InsightOptionError) throw new CliError(e.message);
    throw new CliError(`${view.id} view failed on ${shownLocation(location)}: ${(e as Error).message}`, EXIT.FATAL);
  } finally {
    await store.close();
  }
}

export function registerInsights(program: Command): void {
  addStoreOption(program
    .command('insights')
    .argument('[view]', `the view: ${INSIGHT_VIEWS.map((v) => v.id).join(', ')} (none: list them)`)
    .description(COMMAND_INDEX.insights.description)
    .option('--db <path>', 'database file', DEFAULT_DB))
    .option('--since <time>', 'from this time (ISO 8601 UTC, epoch seconds, or an age like 24h)')
    .option('--until <time>', 'up to this time')
    .option('--distribution <id>', 'only this CloudFront distribution')
    .option('--bucket <width>', 'time-series bucket width (300, 5m, 1h, 1d); default from the range')
    .option('--limit <n>', 'rows per top-N table (default 10)')
    .option('--diagnose', 'vpc: also explain each rejected connection (network ACL or security group), as vpcflow diagnose does')
    .option('--networks <file>', 'cloudfront: CSV of cidr,asn,as_name,country that overrides the IP databases (corporate egress, partners)')
    .option('--json', 'print the report as JSON')
    .addHelpText(
      'after',
      `
Views:
${INSIGHT_VIEWS.map((v) => `  ${v.id.padEnd(12)} ${v.description}`).join('\n')}

Examples:
  packettrail insights cloudtrail --since 24h
  packettrail insights vpc --diagnose --limit 20
  packettrail insights coverage --json
  packettrail insights cloudfront --networks networks.csv
${EXIT_CODES_HELP}`,
    )
    .action(async (view: string | undefined, o: InsightsCliOptions, cmd: Command) => {
      process.stdout.write(await runInsights(view, o, commandStoreLocation(o, cmd)));
    });
}
