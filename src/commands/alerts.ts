import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderTable, terminalSafe } from '../cli/text.js';
import { ALERT_STATUSES, checkTriageRequest, isStatus, MAX_NOTE_CHARS, NOBODY, TriageInputError, type TriageRequest } from '../detect/alerts/triage.js';
import { InsightOptionError } from '../insights/time-range.js';
import { auditFileFor, FileAuditLog } from '../server/users/audit.js';
import { FileUserStore, usersFileFor } from '../server/users/user-store.js';
import { alertHistory, applyTriage, UnknownAlertsError } from '../store/alert-changes.js';
import { listAlertGroups, listAlerts, oneAlert, type AlertListFilter } from '../store/alert-list.js';
import { isClickHouseUrl, STORE_ENV } from '../store/open.js';
import { commandStoreLocation, DEFAULT_DB, openExistingStore, type CommandStore } from './common.js';

/** Alerts `alerts list` shows at most (more: --offset). */
export const MAX_CLI_ALERTS = 1_000;

interface StoreOptions {
  db?: string;
  store?: string;
  json?: boolean;
}

/** The OS user running the command: the actor of its triage changes (via `cli`). */
function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid-${process.getuid?.() ?? '?'}`;
  }
}

async function withStore<T>(o: StoreOptions, cmd: Command, readOnly: boolean, fn: (store: CommandStore, location: string) => Promise<T>): Promise<T> {
  const location = commandStoreLocation(o, cmd);
  const store = await openExistingStore(location, readOnly);
  try {
    return await fn(store, location);
  } catch (e) {
    if (e instanceof TriageInputError || e instanceof InsightOptionError) throw new CliError(e.message);
    if (e instanceof UnknownAlertsError) throw new CliError(e.message, EXIT.FATAL);
    throw e;
  } finally {
    await store.close();
  }
}

const listOf = (values: string[] | undefined) => (values?.length ? [...new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))] : undefined);
const collect = (v: string, prev: string[] = []) => [...prev, v];

function whole(text: string, option: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new CliError(`${option} must be a whole number from ${min} to ${max}, got '${text}'`);
  return n;
}

const out = (text: string): void => void process.stdout.write(`${text}\n`);

function storeOptions(c: Command): Command {
  return c
    .option('--db <path>', 'database file', DEFAULT_DB)
    .option('--store <url>', `the store: clickhouse://… or a DuckDB file (default: $${STORE_ENV}, else --db)`)
    .option('--json', 'JSON instead of a table');
}

export function registerAlerts(program: Command): void {
  const alerts = program
    .command('alerts')
    .description(COMMAND_INDEX.alerts.description)
    .addHelpText(
      'after',
      `
Statuses: ${ALERT_STATUSES.join(', ')} (new: nobody triaged it yet). An assignee is an account of
the console (packettrail users, in <db>.users.json), you, or ${NOBODY}. Every change is one row of the
store's alert_changes table (append-only, on DuckDB and ClickHouse): alerts show lists them. The
command line acts as the operating system user running it (via cli); on a DuckDB database the change
is also written to <db>.audit.ndjson. While serve or collect holds the database, changes are made
by that process.

Examples:
  packettrail alerts list --status new,acknowledged
  packettrail alerts list --group
  packettrail alerts show 3pV1Z0x6bmJ0YWdfcmQ1Sw
  packettrail alerts set ID1 ID2 --status false_positive --note "scanner of the red team"
${EXIT_CODES_HELP}`,
    );

  storeOptions(alerts.command('list').description('alerts, newest first, with their status and assignee (or grouped by rule and entity)'))
    .option('--status <list>', `only these statuses (comma-separated or repeated): ${ALERT_STATUSES.join(', ')}`, collect)
    .option('--assignee <list>', `only alerts assigned to these (${NOBODY}: unassigned)`, collect)
    .option('--rule <id-or-title>', 'only this rule')
    .option('--level <level>', 'only this level')
    .option('--entity <text>', 'only alerts whose entity key holds this text (an address, a user, a host)')
    .option('--since <time>', 'RFC 3339')
    .option('--until <time>', 'RFC 3339')
    .option('--group', 'group repeats of one rule on one entity: count, first and last seen')
    .option('--limit <n>', `at most this many (1 to ${MAX_CLI_ALERTS})`, '50')
    .option('--offset <n>', 'skip this many first', '0')
    .action(async (o: StoreOptions & { status?: string[]; assignee?: string[]; rule?: string; level?: string; entity?: string; since?: string; until?: string; group?: boolean; limit: string; offset: string }, cmd: Command) => {
      const statuses = listOf(o.status);
      const bad = statuses?.find((s) => !isStatus(s));
      if (bad !== undefined) throw new CliError(`unknown status '${terminalSafe(bad)}': expected one of ${ALERT_STATUSES.join(', ')}`);
      const page = { limit: whole(o.limit, '--limit', 1, MAX_CLI_ALERTS), offset: whole(o.offset, '--offset', 0, 100_000_000) };
      const filter: AlertListFilter = { statuses, assignees: listOf(o.assignee), rule: o.rule, level: o.level, entity: o.entity, since: o.since, until: o.until };
      await withStore(o, cmd, true, async (store) => {
        if (o.group) {
          const { total, groups } = await listAlertGroups(store, filter, page);
          if (o.json) return out(JSON.stringify({ total, groups }, null, 2));
          out(renderTable(['COUNT', 'NEW', 'FIRST SEEN', 'LAST SEEN', 'LEVEL', 'RULE', 'ENTITY'], groups.map((g) => [String(g.count), String(g.untriaged), g.first_seen, g.last_seen, g.level, g.rule_title, g.key]), 60, true));
          return out(`${groups.length} of ${total} groups${total > page.offset + groups.length ? ` (more: --offset ${page.offset + groups.length})` : ''}`);
        }
        const { total, alerts: rows } = await listAlerts(store, filter, page);
        if (o.json) return out(JSON.stringify({ total, alerts: rows }, null, 2));
        out(renderTable(['ID', 'TIME', 'LEVEL', 'STATUS', 'ASSIGNEE', 'RULE', 'ENTITY'], rows.map((a) => [a.id, a.timestamp, a.level, a.status, a.assignee, a.rule_title, a.key]), 60, true));
        out(`${rows.length} of ${total} alerts${total > page.offset + rows.length ? ` (more: --offset ${page.offset + rows.length})` : ''}`);
      });
    });

  storeOptions(alerts.command('show <id>').description('one alert: its rule, entity, status, assignee and the history of its changes'))
    .action(async (id: string, o: StoreOptions, cmd: Command) => {
      await withStore(o, cmd, true, async (store) => {
        const alert = await oneAlert(store, id);
        if (!alert) throw new CliError(`no alert with id ${terminalSafe(id)}`, EXIT.FATAL);
        const history = await alertHistory(store, id);
        if (o.json) return out(JSON.stringify({ ...alert, history }, null, 2));
        const lines = [
          `alert     ${alert.id}`, `time      ${alert.timestamp}`, `rule      ${alert.rule_title} (${alert.rule_id}, ${alert.level})`, `entity    ${alert.key}`,
          `status    ${alert.status}`, `assignee  ${alert.assignee}`, `history   ${history.length ? '' : 'none'}`,
          ...history.map((h) => `  ${h.changed_at}  ${h.actor} (${h.via})  ${h.field === 'note' ? `note: ${h.new_value}` : `${h.field}: ${h.old_value ?? ''} → ${h.new_value}`}`),
        ];
        for (const l of lines) out(terminalSafe(l));
      });
    });

  storeOptions(alerts.command('set <ids...>').description('set the status and/or assignee of alerts, and/or add a note to each'))
    .option('--status <status>', ALERT_STATUSES.join(', '))
    .option('--assignee <name>', `an account name, or ${NOBODY}`)
    .option('--note <text>', `a note (at most ${MAX_NOTE_CHARS} characters)`)
    .option('--users-file <path>', 'the accounts an alert may be assigned to (default: <db>.users.json beside a DuckDB database)')
    .action(async (ids: string[], o: StoreOptions & { status?: string; assignee?: string; note?: string; usersFile?: string }, cmd: Command) => {
      const actor = osUser();
      const location = commandStoreLocation(o, cmd);
      const usersFile = o.usersFile ?? (isClickHouseUrl(location) ? undefined : usersFileFor(location));
      const accounts = usersFile && existsSync(usersFile) ? new FileUserStore(usersFile) : undefined;
      let request: TriageRequest;
      try {
        request = checkTriageRequest({ ids, status: o.status, assignee: o.assignee, note: o.note }, (name) => name === actor || accounts?.get(name) !== undefined);
      } catch (e) {
        throw new CliError(terminalSafe((e as Error).message));
      }
      // The audit log lives beside a DuckDB database; a ClickHouse store's history is its alert_changes table.
      const audit = isClickHouseUrl(location) ? undefined : new FileAuditLog(auditFileFor(location));
      const detail = [o.status !== undefined ? `status=${o.status}` : '', o.assignee !== undefined ? `assignee=${o.assignee}` : '', o.note !== undefined ? `note (${[...o.note].length} characters)` : ''].filter(Boolean).join(' ');
      const entry = { actor: `cli:${actor}`, via: 'cli' as const, address: 'local', action: 'alert.triage', target: request.ids.length === 1 ? `alert ${request.ids[0]}` : `${request.ids.length} alerts`, detail };
      const outcome = await withStore(o, cmd, false, (store) => applyTriage(store, request, { actor, via: 'cli' })).catch((e: Error) => {
        audit?.append({ ...entry, outcome: 'failed', detail: `${detail} — ${e.message}` });
        throw e;
      });
      audit?.append({ ...entry, outcome: 'ok' });
      if (o.json) return out(JSON.stringify({ changed: outcome.changes.length, alerts: outcome.states }, null, 2));
      for (const [id, s] of Object.entries(outcome.states)) out(terminalSafe(`${id}  ${s.status}  ${s.assignee}${s.notes ? `  ${s.notes} note${s.notes === 1 ? '' : 's'}` : ''}`));
      out(`${outcome.changes.length} change${outcome.changes.length === 1 ? '' : 's'} recorded`);
    });
}
