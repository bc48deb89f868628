import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { renderTable, terminalSafe } from '../cli/text.js';
import { parseTimeBound } from '../cli/time-bound.js';
import { IANA_PROTOCOLS } from '../formats/vpcflow/fields.js';
import { diagnose, type Connection } from '../insights/vpcflow/diagnose.js';
import { readFlowRows, readInterfaceAddresses } from '../insights/vpcflow/flow-rows.js';
import { NEVER_LOGGED, expectedAbsences, parseAddressFilter, type AddressFilter } from '../insights/vpcflow/never-logged.js';
import { DEFAULT_DB, openStoreForReading } from './common.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface DiagnoseCliOptions {
  db: string;
  src?: string;
  dst?: string;
  port?: string;
  since?: string;
  until?: string;
  json?: boolean;
  all?: boolean;
  limit: string;
}

function addressOption(text: string | undefined, name: string): AddressFilter | undefined {
  if (text === undefined) return undefined;
  try {
    return parseAddressFilter(text);
  } catch {
    throw new CliError(`${name} '${text}' is not an IP address or CIDR (e.g. 10.0.0.0/16, 2001:db8::/32)`);
  }
}

function portOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 65535) throw new CliError(`--port must be a port number from 0 to 65535, got '${text}'`);
  return n;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

function endpoint(e: Connection['client']): string {
  if (e.port === undefined) return e.ip;
  return e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`;
}

function protocolName(n: number | undefined): string {
  if (n === undefined) return '';
  return IANA_PROTOCOLS[n] ?? String(n);
}

const BASIS: Record<Connection['basis'], string> = { 'tcp-flags': 'SYN without ACK', ports: 'ports', 'first-record': 'first record' };

export function renderDiagnosis(connections: readonly Connection[], info: { records: number; truncated: boolean; expected: string[]; all?: boolean | undefined }): string {
  const lines: string[] = [];
  for (const note of info.expected) lines.push(`Note: ${note}`);
  if (info.expected.length) lines.push('');
  if (connections.length) {
    const rows = connections.map((c) => [
      iso(c.firstMs),
      c.eni ?? '',
      `${c.startedBy === 'remote' ? 'remote' : 'this interface'} (${BASIS[c.basis]})`,
      endpoint(c.client),
      endpoint(c.server),
      protocolName(c.protocol),
      c.request ?? 'not logged',
      c.response ?? 'not logged',
      c.explanation,
    ]);
    lines.push(renderTable(['first seen', 'interface', 'started by', 'client', 'server', 'proto', 'request', 'return', 'explanation'], rows, 220));
  } else {
    lines.push(info.records ? 'No rejected connections match.' : `No VPC flow records${info.all ? '' : ' with a REJECT'} in the time and port range.`);
  }
  const rejected = connections.filter((c) => c.cause !== 'allowed').length;
  const scope = info.all ? 'in the time and port range' : 'of conversations with a REJECT in the time and port range';
  lines.push('', `${info.records} flow record${info.records === 1 ? '' : 's'} ${scope}, ${rejected} rejected connection${rejected === 1 ? '' : 's'} explained.`);
  if (info.truncated) lines.push('The record limit was reached: narrow the query with --since/--until/--port or raise --limit.');
  lines.push(
    '',
    'Security groups are stateful (replies to allowed traffic are always allowed); network ACLs are stateless (return traffic needs its own rule).',
    'Flow logs never record:',
    ...NEVER_LOGGED.map((n) => `  - ${n}`),
  );
  // Table cells are already made safe by renderTable; the rest carries command-line text.
  return lines.join('\n').split('\n').map(terminalSafe).join('\n') + '\n';
}

export function registerVpcflow(program: Command): void {
  const vpcflow = program.command('vpcflow').description(COMMAND_INDEX.vpcflow.description).addHelpText('after', `\n${EXIT_CODES_HELP}`);
  vpcflow
    .command('diagnose')
    .description('Explain rejected connections in VPC flow logs: pair each flow with its return traffic and say whether a network ACL or a security group dropped it.')
    .option('--db <path>', 'database file', DEFAULT_DB)
    .option('--src <cidr>', 'only connections started from this address or CIDR')
    .option('--dst <cidr>', 'only connections to this address or CIDR (the server side)')
    .option('--port <n>', 'only connections with this port on either side')
    .option('--since <time>', 'records ending at or after this time (ISO 8601 UTC, epoch seconds, or an age like 24h)')
    .option('--until <time>', 'records starting at or before this time')
    .option('--all', 'also list connections nothing rejected')
    .option('--limit <n>', 'most flow records read', '2000000')
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      `
How it decides:
  inbound REJECT                          → a network ACL or a security group (inbound rules)
  inbound ACCEPT, outbound REJECT         → the network ACL dropped the return traffic (security groups are stateful)
  outbound REJECT                         → a network ACL or a security group (outbound rules)
  outbound ACCEPT, inbound REJECT         → the network ACL dropped the return traffic
Inbound/outbound comes from flow-direction when logged, else from the interface's own address; the side that
started a connection from a SYN without ACK in tcp-flags, else from the ports (well-known or non-ephemeral = server).

Examples:
  packettrail vpcflow diagnose --dst 10.0.1.15 --port 22
  packettrail vpcflow diagnose --src 203.0.113.0/24 --since 24h --json
${EXIT_CODES_HELP}`,
    )
    .action(async (o: DiagnoseCliOptions) => {
      const src = addressOption(o.src, '--src');
      const dst = addressOption(o.dst, '--dst');
      const port = portOption(o.port);
      const sinceMs = o.since === undefined ? undefined : parseTimeBound(o.since, '--since');
      const untilMs = o.until === undefined ? undefined : parseTimeBound(o.until, '--until');
      const limit = Number(o.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive whole number, got '${o.limit}'`);
      const store = await openStoreForReading(o.db);
      try {
        const failed = (e: Error): never => {
          throw new CliError(`query failed (has VPC flow data been ingested into ${o.db}?): ${e.message}`, EXIT.FATAL);
        };
        const { rows, truncated } = await readFlowRows(store, { sinceMs, untilMs, port, limit, rejectedOnly: !o.all }).catch(failed);
        const interfaceAddresses = await readInterfaceAddresses(store, { sinceMs, untilMs }).catch(failed);
        const connections = diagnose(rows, { src, dst, port, all: o.all, interfaceAddresses });
        const expected = expectedAbsences({ src, dst, port });
        if (o.json) {
          const out = {
            records: rows.length,
            truncated,
            connections: connections.map((c) => ({ ...c, first: iso(c.firstMs), last: iso(c.lastMs), protocolName: protocolName(c.protocol) || undefined })),
            expectedAbsence: expected,
            neverLogged: NEVER_LOGGED,
          };
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        } else {
          process.stdout.write(renderDiagnosis(connections, { records: rows.length, truncated, expected, all: o.all }));
        }
      } finally {
        await store.close();
      }
    });
}
