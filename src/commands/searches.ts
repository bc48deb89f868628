import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import { SearchBook, SearchNotFoundError } from '../searches/scheduler.js';
import { MAX_RUNS_LISTED, RemoteSearches, type SearchService } from '../searches/service.js';
import { legacySearchFileFor, migrateSearchFile, SearchTable } from '../searches/table.js';
import {
  CATCH_UP_RULE, conditionOf, conditionText, durationSeconds, durationText, LEVELS, SearchInputError,
  type SearchLanguage, type SearchRun, type SearchSchedule, type SearchState,
} from '../searches/types.js';
import { queryCatalog } from '../server/context.js';
import { DEFAULT_QUERY_LIMITS } from '../server/query-gate.js';
import { auditFileFor, FileAuditLog } from '../server/users/audit.js';
import { DuckDbStore } from '../store/duckdb/duckdb-store.js';
import { isClickHouseUrl, STORE_ENV } from '../store/open.js';
import type { RuleLevel } from '../detect/types.js';
import { commandStoreLocation, DEFAULT_DB, openExistingStore } from './common.js';

interface DbOption {
  db: string;
  store?: string;
}

interface ScheduleOptions {
  every?: string;
  lookBack?: string;
  condition?: string;
  level?: string;
  title?: string;
}

const operator = () => {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? '?'}`;
  }
};

/** The saved searches of a store opened read-write here (their tables exist on both engines). */
async function onStore<T>(store: DuckDbStore | Awaited<ReturnType<typeof openExistingStore>>, fn: (searches: SearchService) => Promise<T>): Promise<T> {
  const { catalog, aliases } = queryCatalog();
  return fn(new SearchBook({ table: new SearchTable(store), query: { store, catalog, aliases, queries: { limits: DEFAULT_QUERY_LIMITS } } }));
}

/**
 * The saved searches of the store: a ClickHouse store directly; a DuckDB database through the
 * process that holds it (serve, collect) when one runs — it writes them and runs the schedules —
 * else opened read-write here.
 */
async function withSearches<T>(db: string, fn: (searches: SearchService) => Promise<T>): Promise<T> {
  if (isClickHouseUrl(db)) {
    const store = await openExistingStore(db, false);
    try {
      return await onStore(store, fn);
    } finally {
      await store.close();
    }
  }
  if (!existsSync(db)) throw new CliError(`database ${db} does not exist (give --db)`, EXIT.FATAL);
  const { findOwner } = await import('../service/client.js');
  const owner = await findOwner(db, (line) => process.stderr.write(`${line}\n`));
  if (owner) {
    try {
      return await fn(new RemoteSearches(owner));
    } finally {
      owner.close();
    }
  }
  let store: DuckDbStore;
  try {
    store = await DuckDbStore.open(db);
  } catch (e) {
    throw new CliError(`cannot open database ${db}: ${(e as Error).message}`, EXIT.FATAL);
  }
  try {
    const moved = await migrateSearchFile(new SearchTable(store), legacySearchFileFor(db));
    if (moved !== undefined) process.stderr.write(`saved searches: ${moved} moved from ${terminalSafe(legacySearchFileFor(db))} into the database (the file is kept as a backup)\n`);
    return await onStore(store, fn);
  } finally {
    await store.close();
  }
}

/**
 * Runs a change, writes it to the audit log (refusals too), and maps refusals to exit 2. The audit
 * log lives beside a DuckDB database; a ClickHouse store has none (as for alerts set).
 */
async function change<T>(db: string, action: string, target: string | undefined, fn: (s: SearchService) => Promise<T>): Promise<T> {
  const audit = isClickHouseUrl(db) ? undefined : new FileAuditLog(auditFileFor(db));
  const entry = { actor: operator(), via: 'cli' as const, address: 'local', action, ...(target ? { target } : {}) };
  try {
    const out = await withSearches(db, fn);
    audit?.append({ ...entry, outcome: 'ok', ...(action === 'search.save' ? { target: (out as { id: string }).id } : {}) });
    return out;
  } catch (e) {
    if (e instanceof SearchInputError || e instanceof SearchNotFoundError) {
      audit?.append({ ...entry, outcome: 'failed', detail: e.message });
      throw new CliError(e.message);
    }
    throw e;
  }
}

function scheduleOf(o: ScheduleOptions, name: string): SearchSchedule | undefined {
  if (o.every === undefined && o.lookBack === undefined && o.condition === undefined && o.level === undefined && o.title === undefined) return undefined;
  try {
    if (o.every === undefined) throw new SearchInputError('a schedule needs --every (e.g. 1h)');
    const intervalSeconds = durationSeconds(o.every, '--every');
    const level = (o.level ?? 'medium') as RuleLevel;
    if (!LEVELS.includes(level)) throw new SearchInputError(`--level must be one of ${LEVELS.join(', ')}, got '${o.level}'`);
    return {
      intervalSeconds, lookBackSeconds: o.lookBack === undefined ? intervalSeconds : durationSeconds(o.lookBack, '--look-back'),
      condition: conditionOf(o.condition ?? 'rows>0'), level, title: o.title ?? name,
    };
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

const scheduleLine = (s: SearchSchedule) => `every ${durationText(s.intervalSeconds)} over ${durationText(s.lookBackSeconds)}, ${conditionText(s.condition)}, ${s.level}: ${s.title}`;
const runLine = (r: SearchRun) =>
  `${r.windowStart} – ${r.windowEnd} (${r.trigger}, ran ${r.ranAt}): ${r.error ? `FAILED: ${r.error}` : `${r.rows} rows, ${r.alerts} alerts`}${r.skipped ? `, ${r.skipped} missed windows skipped` : ''}`;

function show(s: SearchState): string {
  const lines = [`${s.id}  ${s.name}  (${s.language})`, `  query: ${s.query}`];
  if (s.schedule) lines.push(`  schedule: ${scheduleLine(s.schedule)}`, `  next run: ${s.nextRun ?? '-'}`);
  else lines.push('  not scheduled');
  if (s.lastRun) lines.push(`  last run: ${runLine(s.lastRun)}`);
  return lines.map(terminalSafe).join('\n');
}

const scheduleOptions = (c: Command) =>
  c
    .option('--every <duration>', 'run every 15m, 1h, 1d … (windows end on multiples of it, UTC)')
    .option('--look-back <duration>', 'each run reads this far back from its end (default: --every)')
    .option('--condition <cond>', "rows>N (one alert when the result has more than N rows) or per-row (one alert per row) (default rows>0)")
    .option('--level <level>', `${LEVELS.join(', ')} (default medium)`)
    .option('--title <title>', "the alerts' title (default: the search's name)");

export function registerSearches(program: Command): void {
  const searches = program
    .command('searches')
    .description(COMMAND_INDEX.searches.description)
    .addHelpText(
      'after',
      `
Saved searches are kept in the database (table saved_searches; runs in saved_search_runs). A scheduled
search is a detection: every --every it reads [end − look-back, end) — SPL gets earliest=/latest= on its
base search, SQL binds $window_start and $window_end — and raises alerts (rule kind "search", rule id
= the search's id) through the same suppression and alert sinks as Sigma rules. The process that holds
the database (serve, collect) runs the schedules and records every run, failures included; a restart
never evaluates a window twice. Missed windows: ${CATCH_UP_RULE}. While serve or collect runs, these
commands go through it. Every change is written to the audit log beside a DuckDB database. On a
ClickHouse store (--store clickhouse://… or $${STORE_ENV}) the same tables hold them, on the store.

Examples:
  packettrail searches add "404 burst" "index=cloudfront status=404" --every 15m --condition rows>50 --level high
  packettrail searches schedule <id> --every 1h --look-back 2h --condition per-row
  packettrail searches run-now <id>
${EXIT_CODES_HELP}`,
    );
  const dbOption = (c: Command) =>
    c.option('--db <path>', 'database file', DEFAULT_DB).option('--store <url>', `the store: clickhouse://… or a DuckDB file (default: $${STORE_ENV}, else --db)`);
  dbOption(searches.command('list').description('list the saved searches, their schedule, last and next run'))
    .option('--json', 'one JSON document')
    .action(async (o: DbOption & { json?: boolean }, cmd: Command) => {
      const list = await withSearches(commandStoreLocation(o, cmd), (s) => s.list());
      if (o.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      if (!list.length) return void process.stdout.write('no saved searches\n');
      process.stdout.write(`${list.map(show).join('\n')}\n`);
    });
  scheduleOptions(dbOption(searches.command('add <name> <query>').description('save a search, scheduled when --every is given')))
    .option('--language <language>', 'auto, spl or sql', 'auto')
    .action(async (name: string, query: string, o: DbOption & ScheduleOptions & { language: string }, cmd: Command) => {
      if (!['auto', 'spl', 'sql'].includes(o.language)) throw new CliError(`--language must be auto, spl or sql, got '${o.language}'`);
      const schedule = scheduleOf(o, name);
      const saved = await change(commandStoreLocation(o, cmd), 'search.save', undefined, (s) => s.add({ name, query, language: o.language as SearchLanguage, schedule }));
      process.stdout.write(`${terminalSafe(`saved ${saved.id} ${saved.name}${saved.schedule ? `, ${scheduleLine(saved.schedule)}` : ''}`)}\n`);
    });
  scheduleOptions(dbOption(searches.command('schedule <id>').description('schedule a saved search as a detection (or change its schedule)')))
    .action(async (id: string, o: DbOption & ScheduleOptions, cmd: Command) => {
      const at = commandStoreLocation(o, cmd);
      const current = await withSearches(at, (s) => s.get(id)).catch((e) => {
        throw e instanceof SearchNotFoundError ? new CliError(e.message) : e;
      });
      const given = scheduleOf({ ...o, every: o.every ?? (current.schedule ? durationText(current.schedule.intervalSeconds) : undefined) }, current.name);
      if (!given) throw new CliError('give --every (and --look-back, --condition, --level, --title as needed)');
      const kept = current.schedule;
      const schedule: SearchSchedule = {
        ...given,
        ...(kept && o.lookBack === undefined ? { lookBackSeconds: kept.lookBackSeconds } : {}),
        ...(kept && o.condition === undefined ? { condition: kept.condition } : {}),
        ...(kept && o.level === undefined ? { level: kept.level } : {}),
        ...(kept && o.title === undefined ? { title: kept.title } : {}),
      };
      const saved = await change(at, 'search.schedule', id, (s) => s.schedule(id, schedule));
      process.stdout.write(`${terminalSafe(`${saved.id} ${saved.name}: ${scheduleLine(saved.schedule!)}`)}\n`);
    });
  dbOption(searches.command('unschedule <id>').description('stop running a saved search on a schedule')).action(async (id: string, o: DbOption, cmd: Command) => {
    const saved = await change(commandStoreLocation(o, cmd), 'search.unschedule', id, (s) => s.schedule(id, undefined));
    process.stdout.write(`${terminalSafe(`${saved.id} ${saved.name}: not scheduled`)}\n`);
  });
  dbOption(searches.command('run-now <id>').description('run a scheduled search now over [now − look-back, now): its alerts go where scheduled ones go')).action(async (id: string, o: DbOption, cmd: Command) => {
    const run = await change(commandStoreLocation(o, cmd), 'search.run', id, (s) => s.runNow(id));
    process.stdout.write(`${terminalSafe(runLine(run))}\n`);
    if (run.error) process.exitCode = EXIT.FATAL;
  });
  dbOption(searches.command('runs <id>').description('the latest runs of a saved search, newest first'))
    .option('--limit <n>', `runs to show (at most ${MAX_RUNS_LISTED})`, '20')
    .action(async (id: string, o: DbOption & { limit: string }, cmd: Command) => {
      const limit = Number(o.limit);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_RUNS_LISTED) throw new CliError(`--limit must be a number from 1 to ${MAX_RUNS_LISTED}, got '${o.limit}'`);
      const runs = await withSearches(commandStoreLocation(o, cmd), async (s) => {
        await s.get(id);
        return s.runs(id, limit);
      }).catch((e) => {
        throw e instanceof SearchNotFoundError ? new CliError(e.message) : e;
      });
      process.stdout.write(runs.length ? `${runs.map((r) => terminalSafe(runLine(r))).join('\n')}\n` : 'no runs yet\n');
    });
  dbOption(searches.command('remove <id>').description('delete a saved search and its schedule')).action(async (id: string, o: DbOption, cmd: Command) => {
    const removed = await change(commandStoreLocation(o, cmd), 'search.delete', id, (s) => s.remove(id));
    process.stdout.write(`${terminalSafe(`removed ${removed.id} ${removed.name}`)}\n`);
  });
}
