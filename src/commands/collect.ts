import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import type { CollectConfig } from '../collect/config.js';
import { collectLog } from '../collect/log.js';
import { defaultThreads } from '../pipeline/pool.js';
import type { CollectPart } from '../service/daemon.js';
import { addStoreOption, DEFAULT_DB, defaultDeadLetterPath } from './common.js';
import { isClickHouseUrl, shownLocation, STORE_ENV } from '../store/open.js';
import { parseStoreUrl } from '../store/clickhouse/url.js';
import { alertSinks, prepareDetection } from './detect.js';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { DEFAULT_INTAKE_STREAM } from '../collect/nats/names.js';
import { correlateEveryOf } from '../detect/shared/schedule.js';
import { METRICS_TOKEN_ENV } from '../observe/server.js';
import type { Observability, ObservabilityOptions } from '../observe/observability.js';

/** startObservability with its errors (a bad --metrics-listen, a port taken, NATS unreachable) as usage or fatal errors of the command. */
export async function observe(o: ObservabilityOptions): Promise<Observability> {
  const { natsServers, startObservability } = await import('../observe/observability.js');
  const { parseListen } = await import('../observe/server.js');
  try {
    if (o.listen !== undefined) parseListen(o.listen);
    if (o.register !== undefined) natsServers(o.register);
  } catch (e) {
    throw new CliError(terminalSafe((e as Error).message), EXIT.USAGE);
  }
  try {
    return await startObservability(o);
  } catch (e) {
    throw new CliError(terminalSafe((e as Error).message), EXIT.FATAL);
  }
}

interface CollectOptions {
  config: string;
  store?: string;
  check?: boolean;
  quiet?: boolean;
  statusEvery: string;
  analysesEvery?: string;
  to?: string;
  stream?: string;
  replicas?: string;
  sharedDetection?: boolean;
  correlateEvery?: string;
  metricsListen?: string;
  register?: string;
}

export function registerCollect(program: Command): void {
  addStoreOption(program
    .command('collect')
    .description(COMMAND_INDEX.collect.description)
    .requiredOption('-c, --config <file>', 'collect config (YAML); see docs/collect.md'), `; overrides the config's db: (which may hold a clickhouse:// URL too; without either, $${STORE_ENV})`)
    .option('--check', 'validate the config (and the rules it names) and exit')
    .option('--status-every <seconds>', 'print running counts this often (0 = never)', '60')
    .option('--analyses-every <seconds>', 'run the post-ingest analyses (coverage, anomalies) this often when events arrived; 0: never (default 300)')
    .option('--to <url>', "append pushed records (syslog, HTTP intake, Firehose) to a NATS JetStream stream for packettrail worker instead of storing them here: nats://host:port[,host:port…] (overrides the config's to:)")
    .option('--stream <name>', `the stream of --to (default ${DEFAULT_INTAKE_STREAM})`)
    .option('--replicas <n>', 'copies of the stream on different NATS servers (default: 3, or the cluster size when smaller)')
    .option('--shared-detection', 'several processes feed this store: store rule matches instead of raising alerts (a correlation pass raises them, each once)')
    .option('--correlate-every <seconds>', 'run the correlation pass of shared detection this often (in one or more of the processes sharing the store); see docs/scale-out.md')
    .option('-q, --quiet', 'print only errors')
    .option('--metrics-listen <host:port>', `serve Prometheus metrics on GET /metrics there (per input: deliveries, records, events, stored, duplicates, rejected, errors, last error, SQS queue depth); loopback, or anywhere with ${METRICS_TOKEN_ENV} set (scrapers send it as a bearer token)`)
    .option('--register <nats-url>', 'register this process (with its counts, every few seconds) in NATS for packettrail cluster status: nats://host:4222[,nats://…]')
    .addHelpText(
      'after',
      `
Input types: s3-sqs, syslog, http, firehose, tail; every option of each is described in docs/collect.md.

Examples:
  packettrail collect --check --config collect.yml
  packettrail collect --config collect.yml
  packettrail collect --config intake.yml --to nats://10.0.0.1:4222,10.0.0.2:4222,10.0.0.3:4222

Every input feeds the pipeline of "ingest" (normalize, detect, store in the store of the config: a DuckDB
database, or with --store / db: clickhouse://… a ClickHouse server or cluster, which nothing holds: the other
commands reach it directly with --store).
collect holds the database: query, trail, insights, index and ingest on it run through this process while it
runs (see "Running alongside" in the README); packettrail serve reads through it. To have the console in the
same process, run packettrail serve --collect <config> instead.
SIGINT/SIGTERM stop within 10 s: inputs stop taking work, objects being read are finished or handed back, queue
messages not started are handed back, a summary is printed; a second signal exits at once (nothing is lost:
unacknowledged work is delivered again).
${EXIT_CODES_HELP}`,
    )
    .action(async (o: CollectOptions) => {
      const part = await collectPart(o.config, o.statusEvery, o.quiet ?? false, o.store, o);
      if (o.sharedDetection) part.sharedDetection = true;
      if (o.correlateEvery !== undefined) {
        try {
          part.correlateEveryMs = correlateEveryOf(o.correlateEvery);
        } catch (e) {
          throw new CliError((e as Error).message);
        }
      }
      if (o.check) {
        const config = part.config;
        const to = config.to ? `; pushed records to the NATS stream ${terminalSafe(config.to.stream.name)} at ${terminalSafe(config.to.url)}` : '';
        process.stdout.write(`${terminalSafe(o.config)}: valid; ${config.inputs.length} input(s): ${config.inputs.map((i) => terminalSafe(i.name)).join(', ')}; ${isClickHouseUrl(config.db) ? 'store' : 'database'} ${terminalSafe(shownLocation(config.db))}${to}\n`);
        return;
      }
      collectLog.quiet = o.quiet ?? false;
      // collect holds the database: the other commands on it run through this process (src/service/).
      const { analysesEveryOf, runOwner } = await import('../service/daemon.js');
      const { DEFAULT_QUERY_LIMITS } = await import('../server/query-gate.js');
      const say = (line: string) => {
        if (!collectLog.quiet) process.stderr.write(`${line}\n`);
      };
      const observed = await observe({ kind: 'collect', listen: o.metricsListen, register: o.register, say });
      try {
        await runOwner({
          db: part.config.db, role: 'collect', queryLimits: DEFAULT_QUERY_LIMITS, collect: part, analysesEverySeconds: analysesEveryOf(o.analysesEvery),
          inputMetrics: observed.inputs, say,
        });
      } finally {
        await observed.stop();
      }
    });
}

/**
 * The collect config loaded and checked, with its detection prepared: what `collect` and `serve --collect`
 * run. The store: `store` (--store) when given, else the config's db:, else PACKETTRAIL_STORE, else the default file.
 */
export async function collectPart(configPath: string, statusEveryText: string, quiet: boolean, store?: string, nats: { to?: string | undefined; stream?: string | undefined; replicas?: string | undefined } = {}): Promise<CollectPart> {
  const statusEvery = Number(statusEveryText);
  if (!Number.isInteger(statusEvery) || statusEvery < 0) throw new CliError(`--status-every must be a whole number of seconds, got '${statusEveryText}'`);
  // The inputs (AWS SDK, HTTP server) load only when collect runs, not with every command.
  const { ConfigError, loadCollectConfig } = await import('../collect/config.js');
  let config: CollectConfig;
  try {
    const fromEnv = process.env[STORE_ENV]?.trim();
    config = await loadCollectConfig(configPath, { db: fromEnv || DEFAULT_DB, threads: Math.min(4, defaultThreads()), deadLetterFor: defaultDeadLetterPath });
  } catch (e) {
    // One problem a line, each line made safe (the message quotes config values).
    if (e instanceof ConfigError) throw new CliError(e.message.split('\n').map(terminalSafe).join('\n'));
    throw e;
  }
  if (store !== undefined) config = { ...config, db: store };
  try {
    const { overrideNatsTarget } = await import('../collect/nats/target.js');
    const to = overrideNatsTarget(config.to, nats);
    if (to) config = { ...config, to };
  } catch (e) {
    throw new CliError(terminalSafe((e as Error).message));
  }
  if (isClickHouseUrl(config.db)) {
    try {
      parseStoreUrl(config.db);
    } catch (e) {
      throw new CliError(terminalSafe((e as Error).message));
    }
  }
  const d = config.detection;
  const detectionOptions = { rules: d.rules, intel: d.intel, builtinRules: d.builtinRules, alertWebhook: d.alertWebhook };
  const detection = prepareDetection(detectionOptions, quiet);
  return { config, deadLetterPath: config.deadLetter ?? defaultDeadLetterPath(config.db), detection, sinks: alertSinks(detectionOptions, []), statusEvery };
}
