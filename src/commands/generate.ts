import type { Command } from 'commander';
import { CliError, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { formatCount, renderTable, terminalSafe } from '../cli/text.js';
import { generate, type GenerateOptions, type Manifest } from '../generate/index.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface GenerateCliOptions {
  out: string;
  users: string;
  hours: string;
  start?: string;
  end?: string;
  seed: string;
  scale?: string;
}

function positive(text: string, name: string, integer: boolean, max: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max || (integer && !Number.isInteger(n))) {
    throw new CliError(`${name} must be a positive ${integer ? 'integer' : 'number'} up to ${max}, got '${text}'`);
  }
  return n;
}

const MINUTE_MS = 60_000;

function zonedTime(text: string, name: string): number {
  const t = Date.parse(text);
  if (!Number.isFinite(t) || !/(Z|[+-]\d{2}:?\d{2})$/i.test(text.trim())) throw new CliError(`${name} must be an RFC 3339 time with a zone (2026-11-20T08:00:00Z), got '${text}'`);
  return t;
}

/**
 * Parses the CLI's generate options; shared with `demo`. Without --start or --end the scenario ends
 * at the current minute (`now`, for tests).
 */
export function generateOptionsOf(o: Omit<GenerateCliOptions, 'out'>, out: string, now: () => number = Date.now): GenerateOptions {
  const users = positive(o.users, '--users', true, 100_000);
  // The incidents need five distinct laptops (several behind Zscaler, one bypassing it).
  if (users < 5) throw new CliError(`--users must be at least 5, got '${o.users}'`);
  const opts: GenerateOptions = { out, users, hours: positive(o.hours, '--hours', true, 24 * 31), seed: o.seed };
  if (o.start !== undefined && o.end !== undefined) throw new CliError('give --start or --end, not both: the scenario lasts --hours from one or up to the other');
  if (o.start !== undefined) opts.start = Math.floor(zonedTime(o.start, '--start') / 3_600_000) * 3_600_000;
  // The day ends now unless told otherwise, so relative times (--since 24h, earliest=-24h) find it;
  // `--end` gives the same content at a fixed time, as reproducible fixtures need.
  else opts.end = Math.floor((o.end === undefined || o.end === 'now' ? now() : zonedTime(o.end, '--end')) / MINUTE_MS) * MINUTE_MS;
  if (o.scale !== undefined) opts.scale = positive(o.scale, '--scale', false, 10_000);
  return opts;
}

export function renderManifest(m: Manifest): string {
  const rows = Object.entries(m.sources).map(([source, c]) => [source, formatCount(c.files), formatCount(c.lines)]);
  return renderTable(['source', 'files', 'events'], rows);
}

export function addGenerateOptions(cmd: Command): Command {
  return cmd
    .option('--users <n>', 'managed laptops/users in the organization (at least 5)', '25')
    .option('--hours <h>', 'hours of activity', '8')
    .option('--end <time>', 'when the scenario ends, RFC 3339 UTC or now (default: now, to the minute); the same seed writes the same records, shifted in time')
    .option('--start <time>', 'or when it starts (rounded down to the hour), e.g. 2026-11-20T08:00:00Z')
    .option('--seed <s>', 'random seed: the same seed writes the same records (the same files with the same --end or --start)', 'packettrail')
    .option('--scale <x>', 'add x × 100,000 internet CloudFront lines (benchmarks; 100 ≈ 10 million)');
}

export function registerGenerate(program: Command): void {
  addGenerateOptions(
    program
      .command('generate')
      .description(COMMAND_INDEX.generate.description)
      .requiredOption('--out <dir>', 'output directory (logs under <dir>/logs, plus truth.json and manifest.json)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  packettrail generate --out scenario/
  packettrail generate --out fixture/ --end 2026-11-20T16:00:00Z   # the same files on every run
  packettrail generate --out big/ --users 200 --hours 24 --seed 7
  packettrail generate --out bench/ --hours 1 --scale 100     # ~10 million CloudFront lines

Every request is one object carrying every identifier, so the hops line up: the DNS answer, NAT address and
port, Zscaler egress, x-edge-request-id = WAF requestId = X-Amz-Cf-Id at the app, the user as each vendor writes it.
${EXIT_CODES_HELP}`,
    )
    .action(async (o: GenerateCliOptions) => {
      const opts = generateOptionsOf(o, o.out);
      const started = performance.now();
      const manifest = await generate(opts);
      const secs = (performance.now() - started) / 1000;
      process.stderr.write(`${renderManifest(manifest)}\n${manifest.incidents} incidents in truth.json; wrote ${terminalSafe(o.out)} in ${secs.toFixed(1)} s\n`);
    });
}
