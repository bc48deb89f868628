import { Command } from 'commander';
import { createRequire } from 'node:module';
import { EXIT, EXIT_CODES_HELP } from './exit-codes.js';
import { applySettings, DB_ENV, LOCAL_CONFIG, SETTINGS } from './settings.js';
import { COMMAND_INDEX, type CommandName } from './command-index.js';

type Register = (program: Command) => void;

/**
 * Every command, in help order, loaded on demand: a command imports only its own modules (the
 * formats and parsers, DuckDB, the web server…), which took a run of any one command from 1.1 to
 * 0.8 CPU-seconds of start-up before it read a byte.
 */
const COMMANDS: Record<CommandName, () => Promise<Register>> = {
  normalize: async () => (await import('../commands/normalize.js')).registerNormalize,
  ingest: async () => (await import('../commands/ingest.js')).registerIngest,
  detect: async () => (await import('../commands/detect.js')).registerDetect,
  query: async () => (await import('../commands/query.js')).registerQuery,
  formats: async () => (await import('../commands/formats.js')).registerFormats,
  vpcflow: async () => (await import('../commands/vpcflow.js')).registerVpcflow,
  rules: async () => (await import('../commands/rules.js')).registerRules,
  generate: async () => (await import('../commands/generate.js')).registerGenerate,
  demo: async () => (await import('../commands/demo.js')).registerDemo,
  trail: async () => (await import('../commands/trail.js')).registerTrail,
  index: async () => (await import('../commands/indexes.js')).registerIndex,
  insights: async () => (await import('../commands/insights.js')).registerInsights,
  posture: async () => (await import('../commands/posture.js')).registerPosture,
  collect: async () => (await import('../commands/collect.js')).registerCollect,
  serve: async () => (await import('../commands/serve.js')).registerServe,
  store: async () => (await import('../commands/store.js')).registerStore,
  alerts: async () => (await import('../commands/alerts.js')).registerAlerts,
  searches: async () => (await import('../commands/searches.js')).registerSearches,
  users: async () => (await import('../commands/users.js')).registerUsers,
  audit: async () => (await import('../commands/users.js')).registerAudit,
  worker: async () => (await import('../commands/worker.js')).registerWorker,
  cluster: async () => (await import('../commands/cluster.js')).registerCluster,
};

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The program with the command `argv` names; for top-level help (`--help`, `help`, no argument) the
 * command index alone; with every command loaded otherwise (a typo: commander suggests from them).
 */
export async function buildProgram(argv: readonly string[] = []): Promise<Command> {
  const program = new Command('packettrail')
    .description('Follow a web request across the security logs it touched: normalize to ECS, store, query.')
    .version(version)
    .exitOverride()
    // A usage error is the error and one hint, not the whole help.
    .configureOutput({ outputError: (text, write) => write(`packettrail: ${text.replace(/^error: /, '')}`) })
    .addHelpText(
      'after',
      `\nRun "packettrail <command> --help" for a command's options and examples.\n` +
        `Defaults: --db from ${DB_ENV}; --db, --threads, --timezone, --rules, --intel, --aliases and --networks from\n` +
        `./${LOCAL_CONFIG}, then ~/.config/packettrail/config.yml (the command line wins; see the README).\n${EXIT_CODES_HELP}`,
    );
  const args = argv.slice(2);
  const named = args.find((a) => !a.startsWith('-'));
  const onlyFlags = (flags: string[]) => named === undefined && args.every((a) => flags.includes(a));
  // `--version` alone needs no command (loading them all took 0.6 s); top-level help needs only the index.
  const versionOnly = args.length > 0 && onlyFlags(['-V', '--version']);
  if (onlyFlags(['-h', '--help']) || (args.length === 1 && named === 'help')) listCommands(program);
  else if (!versionOnly) {
    const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named as CommandName] : (Object.keys(COMMANDS) as CommandName[]);
    for (const register of await Promise.all(wanted.map((name) => COMMANDS[name]()))) register(program);
  }
  for (const cmd of program.commands) prepare(cmd);
  program.showHelpAfterError(`Run "packettrail --help" for the commands.`);
  // Flag > PACKETTRAIL_DB > ./packettrail.yml > the user's config > the built-in default.
  program.hook('preAction', (_program, action) => applySettings(action));
  return program;
}

/** A command and its subcommands: usage errors end with one hint line; options a config file may set say so. */
function prepare(cmd: Command, path = `packettrail ${cmd.name()}`): void {
  cmd.exitOverride().showHelpAfterError(`Run "${path} --help" for its options and examples.`);
  if (cmd.name() !== 'demo') {
    for (const option of cmd.options) {
      const key = Object.entries(SETTINGS).find(([, s]) => s.option === option.attributeName())?.[0];
      if (key) option.description += key === 'db' ? ` (else ${DB_ENV}, else db: in a config file)` : ` (else ${key}: in a config file)`;
    }
  }
  if (cmd.commands.length) missingSubcommandIsUsageError(cmd, path);
  for (const sub of cmd.commands) prepare(sub, `${path} ${sub.name()}`);
}

/**
 * `packettrail rules` with no subcommand: commander prints the whole help on stderr (help with
 * `error: true`); like every usage error it is the error and one hint line. `--help` is unchanged.
 */
function missingSubcommandIsUsageError(cmd: Command, path: string): void {
  const help = cmd.help.bind(cmd);
  cmd.help = ((context?: { error: boolean }) => {
    if (!context?.error) return help(context);
    const names = cmd.commands.map((c) => c.name()).filter((n) => n !== 'help');
    return cmd.error(`${path.replace(/^packettrail /, '')} needs a command: ${names.join(', ')}`, { exitCode: EXIT.USAGE, code: 'packettrail.missingCommand' });
  }) as Command['help'];
}

/** Top-level help: every command as the index lists it, none of them loaded. */
function listCommands(program: Command): void {
  for (const [name, { description }] of Object.entries(COMMAND_INDEX)) program.command(name).description(description);
  const standard = program.createHelp();
  program.configureHelp({ subcommandTerm: (cmd) => (Object.hasOwn(COMMAND_INDEX, cmd.name()) ? COMMAND_INDEX[cmd.name() as CommandName].term : standard.subcommandTerm(cmd)) });
}
