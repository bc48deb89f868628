import type { Command } from 'commander';
import { CliError, EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { terminalSafe } from '../cli/text.js';
import { buildTrail, DEFAULT_WINDOW_SECONDS, TrailNotFoundError, TrailQueryError, type Trail, type TrailQuery } from '../trail/index.js';
import { addStoreOption, commandStoreLocation, DEFAULT_DB, openStoreForReading } from './common.js';
import { COMMAND_INDEX } from '../cli/command-index.js';

interface TrailCliOptions {
  db: string;
  store?: string;
  requestId?: string;
  alert?: string;
  url?: string;
  user?: string;
  at?: string;
  window?: string;
  json?: boolean;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `--window`: `90s`, `2m`, `1h` or plain seconds. */
export function parseWindow(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(text.trim());
  const seconds = m ? Number(m[1]) * UNIT_SECONDS[m[2] || 's']! : NaN;
  if (!(seconds > 0)) throw new CliError(`--window must be a duration like 90s, 2m or 1h, got '${text}'`);
  return seconds;
}

export function queryOf(o: TrailCliOptions): TrailQuery {
  const q: TrailQuery = {};
  if (o.requestId !== undefined) q.requestId = o.requestId;
  if (o.alert !== undefined) q.alertId = o.alert;
  if (o.url !== undefined) q.url = o.url;
  if (o.user !== undefined) q.user = o.user;
  if (o.at !== undefined) q.at = o.at;
  if (o.window !== undefined) {
    if (o.url === undefined) throw new CliError('--window narrows a --url search only');
    q.windowSeconds = parseWindow(o.window);
  }
  return q;
}

function selectorText(q: TrailQuery): string {
  if (q.requestId) return `request id ${q.requestId}`;
  if (q.alertId) return `alert ${q.alertId}`;
  return [`url ${q.url}`, q.user ? `user ${q.user}` : '', q.at ? `at ${q.at}` : ''].filter(Boolean).join(', ');
}

/** The trail as a hop list: verdict and summary, facts, the join with its confidence and evidence, then the gaps. */
export function renderTrail(t: Trail): string {
  const out: string[] = [`trail for ${selectorText(t.query)}`];
  if (t.anchor) out.push(`anchor: ${t.anchor.dataset} event ${t.anchor.eventId} at ${t.anchor.timestamp}`);
  for (const note of t.notes ?? []) out.push(`note: ${note}`);
  out.push('');
  t.hops.forEach((h, i) => {
    out.push(`${String(i + 1).padStart(2)}. ${h.kind.padEnd(9)} ${h.verdict.toUpperCase().padEnd(11)} ${h.summary}`);
    if (h.sources.length) out.push(`    sources: ${h.sources.join(', ')} (${h.events.length} event${h.events.length === 1 ? '' : 's'})`);
    const width = Math.max(0, ...Object.keys(h.facts).map((k) => k.length));
    for (const [k, v] of Object.entries(h.facts)) out.push(`    ${k.padEnd(width)}  ${v}`);
    for (const j of h.joins ?? (h.join ? [h.join] : [])) out.push(`    join: ${j.method} (confidence ${j.confidence.toFixed(2)}): ${j.evidence}`);
    if (h.gap && h.verdict !== 'missing' && h.verdict !== 'not-reached' && h.verdict !== 'bypassed') out.push(`    gap: ${h.gap}`);
    out.push('');
  });
  out.push(t.gaps.length ? 'gaps:' : 'gaps: none');
  for (const g of t.gaps) out.push(`  - ${g}`);
  out.push(`(${t.tookMs} ms, ${t.queries ?? '?'} queries)`);
  return out.map(terminalSafe).join('\n') + '\n';
}

export function registerTrail(program: Command): void {
  addStoreOption(program
    .command('trail')
    .description(COMMAND_INDEX.trail.description)
    .option('--db <path>', 'database file', DEFAULT_DB))
    .option('--request-id <id>', 'CloudFront x-edge-request-id (= WAF requestId = X-Amz-Cf-Id), or an ALB trace id (Root=1-…)')
    .option('--alert <id>', 'start from a stored alert (the alerts table)')
    .option('--url <url>', 'a URL or host name someone requested')
    .option('--user <name>', 'with --url: who requested it (any spelling: CORP\\lee.cole, lee.cole@corp.example …)')
    .option('--at <time>', 'with --url: when (RFC 3339, UTC when no zone is given)')
    .option('--window <duration>', `with --url and --at: how far around --at to search (default ${DEFAULT_WINDOW_SECONDS / 60}m)`)
    .option('--json', 'the trail as JSON (hops with their ECS events, joins, gaps)')
    .addHelpText(
      'after',
      `
Examples:
  packettrail trail --request-id 'SOX4xwn4XV6Q4rgb7XiVGOHms_BQpmaP5Npk9J9i6m5uxzTVxkzwEw=='
  packettrail trail --alert RYsRNo6k2qp0zijVXrlmzg
  packettrail trail --url https://app.example.com/api/items --user 'CORP\\lee.cole' --at 2026-11-20T12:00:00Z --window 2m
  packettrail trail --url api.telegram.org --json

Joins, strongest first: exact ids (request id, ALB trace id, PAN-OS session id); NAT address + port +
time; internal address + port or domain + time; identity + URL + time. Inferred joins show their
evidence and a confidence that drops when several candidates compete.
An unknown id, alert or URL prints a message and exits 2.
${EXIT_CODES_HELP}`,
    )
    .action(async (o: TrailCliOptions, cmd: Command) => {
      const query = queryOf(o);
      const store = await openStoreForReading(commandStoreLocation(o, cmd));
      try {
        const trail = await buildTrail(store, query);
        process.stdout.write(o.json ? JSON.stringify(trail, null, 2) + '\n' : renderTrail(trail));
      } catch (e) {
        if (e instanceof TrailQueryError) throw new CliError(terminalSafe(e.message), EXIT.USAGE);
        if (e instanceof TrailNotFoundError) throw new CliError(`not found: ${terminalSafe(e.message)}`, EXIT.USAGE);
        throw new CliError(`trail failed: ${terminalSafe((e as Error).message)}`, EXIT.FATAL);
      } finally {
        await store.close();
      }
    });
}
