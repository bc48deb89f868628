import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { COMMAND_INDEX } from '../cli/command-index.js';
import { CliError, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { readSecret } from '../cli/secret-input.js';
import { terminalSafe } from '../cli/text.js';
import { parseTimeBound } from '../cli/time-bound.js';
import { auditFileFor, FileAuditLog, MAX_AUDIT_PAGE, type AuditEntry } from '../server/users/audit.js';
import { hashPassword, passwordProblem } from '../server/users/passwords.js';
import { roleOf, ROLES, type Role } from '../server/users/roles.js';
import { FileUserStore, publicUser, UserError, usersFileFor } from '../server/users/user-store.js';
import { addStoreOption, commandStoreLocation, DEFAULT_DB, stateBaseOf } from './common.js';
import { isClickHouseUrl } from '../store/open.js';

interface DbOption {
  db: string;
  store?: string;
  stateDir?: string;
}

/**
 * What the accounts and the audit log are named from, as serve names them: beside a DuckDB database,
 * or `<state-dir>/<database>` for a ClickHouse store (see stateBaseOf).
 */
function baseOf(o: DbOption, cmd: Command): string {
  const location = commandStoreLocation(o, cmd);
  const base = stateBaseOf(location, o.stateDir);
  if (!isClickHouseUrl(location) && !existsSync(location)) throw new CliError(`database ${location} does not exist (accounts are kept beside it, in ${usersFileFor(location)}; give --db)`);
  return base;
}

function stores(base: string): { users: FileUserStore; audit: FileAuditLog } {
  return { users: new FileUserStore(usersFileFor(base)), audit: new FileAuditLog(auditFileFor(base)) };
}

/** --db, --store and --state-dir, as serve has them. */
const storeOptions = (c: Command, what: string) =>
  addStoreOption(c.option('--db <path>', `database file (${what} kept beside it)`, DEFAULT_DB))
    .option('--state-dir <dir>', `with a ClickHouse store: the directory serve --state-dir names (${what} there)`);

/** Who ran the command, for the audit log. */
const operator = () => {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:uid-${process.getuid?.() ?? '?'}`;
  }
};

async function newPassword(name: string): Promise<string> {
  const password = await readSecret(`password for ${name}: `);
  if (process.stdin.isTTY && (await readSecret('again: ')) !== password) throw new CliError('the passwords differ: nothing changed');
  const problem = passwordProblem(password);
  if (problem) throw new CliError(problem);
  return password;
}

/** Runs a change, records it in the audit log (also when refused), and says what happened. */
async function change(db: string, action: string, target: string, detail: string | undefined, fn: (users: FileUserStore) => Promise<string>): Promise<void> {
  const { users, audit } = stores(db);
  const entry = { actor: operator(), via: 'cli' as const, address: 'local', action, target, ...(detail ? { detail } : {}) };
  let said: string;
  try {
    said = await fn(users);
  } catch (e) {
    if (!(e instanceof UserError || e instanceof CliError)) throw e;
    audit.append({ ...entry, outcome: 'failed', detail: [detail, e.message].filter(Boolean).join(' — ') });
    throw e instanceof CliError ? e : new CliError(e.message);
  }
  audit.append({ ...entry, outcome: 'ok' });
  process.stdout.write(`${terminalSafe(said)}\n`);
}

function role(text: string): Role {
  try {
    return roleOf(text);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}

export function registerUsers(program: Command): void {
  const users = program
    .command('users')
    .description(COMMAND_INDEX.users.description)
    .addHelpText(
      'after',
      `
Accounts are kept beside the database in <db>.users.json (mode 0600; passwords hashed with scrypt).
Roles: viewer (reads), analyst (also runs queries, saves searches, triages alerts), admin (also
manages users and reads the audit log). Passwords are typed at a prompt or read from the first line
of stdin, never given as an argument. A running serve sees changes at its next request; a new
password or a removal ends the account's sessions. Once an account exists, the console needs a
sign-in (or the access token) even on loopback. Every change is written to the audit log.

Examples:
  packettrail users add alice --role admin
  printf '%s\\n' "$PASSWORD" | packettrail users add bob --role analyst
  packettrail users set-role bob viewer
${EXIT_CODES_HELP}`,
    );
  const dbOption = (c: Command) => storeOptions(c, 'accounts are');
  dbOption(users.command('add <name>').description('add an account (password from a prompt or stdin)'))
    .requiredOption('--role <role>', `${ROLES.join(', ')}`)
    .action(async (name: string, o: DbOption & { role: string }, cmd: Command) => {
      const r = role(o.role);
      await change(baseOf(o, cmd), 'user.add', name.toLowerCase(), `role ${r}`, async (u) => {
        if (u.get(name)) throw new UserError('exists', `user ${name.toLowerCase()} already exists`);
        const added = u.add(name, r, await hashPassword(await newPassword(name)));
        return `added ${added.name} (${added.role})`;
      });
    });
  dbOption(users.command('list').description('list the accounts'))
    .option('--json', 'one JSON document')
    .action((o: DbOption & { json?: boolean }, cmd: Command) => {
      const list = stores(baseOf(o, cmd)).users.list().map(publicUser);
      if (o.json) return void process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      if (!list.length) return void process.stdout.write('no accounts: the console is open on loopback (see packettrail serve --help)\n');
      for (const u of list) process.stdout.write(`${terminalSafe(u.name.padEnd(24))} ${u.role.padEnd(8)} created ${u.created}  changed ${u.updated}${u.disabled ? '  disabled' : ''}\n`);
      const oidc = stores(baseOf(o, cmd)).users.oidcUsers();
      if (oidc.length) process.stdout.write(`signed in through OpenID Connect:\n`);
      for (const u of oidc) process.stdout.write(`${terminalSafe(u.name.padEnd(24))} ${u.role.padEnd(8)} last sign-in ${u.lastSignIn}  ${terminalSafe(u.subject)}${u.disabled ? '  disabled' : ''}\n`);
    });
  dbOption(users.command('set-role <name> <role>').description("change an account's role")).action(async (name: string, roleText: string, o: DbOption, cmd: Command) => {
    const r = role(roleText);
    await change(baseOf(o, cmd), 'user.change', name.toLowerCase(), `role ${r}`, async (u) => `${u.setRole(name, r).name} is now ${r}`);
  });
  dbOption(users.command('passwd <name>').description("set an account's password (ends its sessions)")).action(async (name: string, o: DbOption, cmd: Command) => {
    await change(baseOf(o, cmd), 'user.change', name.toLowerCase(), 'new password', async (u) => {
      if (!u.get(name)) throw new UserError('missing', `no user ${name.toLowerCase()}`);
      return `new password set for ${u.setPassword(name, await hashPassword(await newPassword(name))).name}`;
    });
  });
  for (const [verb, disabled] of [['disable', true], ['enable', false]] as const) {
    dbOption(users.command(`${verb} <name>`).description(disabled ? 'disable an account: it cannot sign in and its sessions end (name and role kept)' : 'enable a disabled account'))
      .action(async (name: string, o: DbOption, cmd: Command) => {
        await change(baseOf(o, cmd), 'user.change', name.toLowerCase(), disabled ? 'disabled' : 'enabled', async (u) => `${u.setDisabled(name, disabled).name} is ${disabled ? 'disabled' : 'enabled'}`);
      });
  }
  dbOption(users.command('remove <name>').description('remove an account (ends its sessions)')).action(async (name: string, o: DbOption, cmd: Command) => {
    await change(baseOf(o, cmd), 'user.remove', name.toLowerCase(), undefined, async (u) => `removed ${u.remove(name).name}`);
  });
}

const line = (e: AuditEntry) =>
  [e.time, e.outcome.padEnd(6), e.action.padEnd(13), `${e.actor} (${e.via}${e.role ? `, ${e.role}` : ''})`, `from ${e.address}`, e.target ? `→ ${e.target}` : '', e.detail ? `· ${e.detail}` : ''].filter(Boolean).join('  ');

export function registerAudit(program: Command): void {
  storeOptions(program
    .command('audit')
    .description(COMMAND_INDEX.audit.description), 'the audit log is')
    .option('--limit <n>', `entries to show (at most ${MAX_AUDIT_PAGE})`, '50')
    .option('--offset <n>', 'skip this many of the newest entries first', '0')
    .option('--actor <name>', 'only this actor')
    .option('--action <action>', 'only this action (sign-in, sign-out, user.add, user.change, user.remove, search.save, search.delete, query, access)')
    .option('--since <time>', 'entries at or after this time (ISO 8601 UTC, epoch seconds, or an age like 24h)')
    .option('--until <time>', 'entries before this time (same forms)')
    .option('--json', 'NDJSON, one entry per line')
    .addHelpText('after', `\nThe audit log is <db>.audit.ndjson (append-only, mode 0600), newest first here.\n${EXIT_CODES_HELP}`)
    .action((o: DbOption & { limit: string; offset: string; actor?: string; action?: string; since?: string; until?: string; json?: boolean }, cmd: Command) => {
      const limit = Number(o.limit);
      const offset = Number(o.offset);
      if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_AUDIT_PAGE) throw new CliError(`--limit must be a number from 1 to ${MAX_AUDIT_PAGE}, got '${o.limit}'`);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new CliError(`--offset must be a whole number, got '${o.offset}'`);
      const sinceMs = o.since === undefined ? undefined : parseTimeBound(o.since, '--since');
      const untilMs = o.until === undefined ? undefined : parseTimeBound(o.until, '--until');
      const page = stores(baseOf(o, cmd)).audit.read({
        limit, offset, ...(o.actor ? { actor: o.actor } : {}), ...(o.action ? { action: o.action } : {}),
        ...(sinceMs !== undefined ? { sinceMs } : {}), ...(untilMs !== undefined ? { untilMs } : {}),
      });
      for (const e of page.entries) process.stdout.write(`${o.json ? JSON.stringify(e) : terminalSafe(line(e))}\n`);
      if (!o.json && page.next !== null) process.stdout.write(`more: --offset ${page.next}\n`);
    });
}
