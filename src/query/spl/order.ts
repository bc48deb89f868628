import type { Command } from './ast.js';
import type { Token } from './lexer.js';

/**
 * Splunk hands a search's events on newest first, and some commands answer from that order: `head 5`
 * is the five newest events, `dedup user` keeps each user's newest, a subsearch keeps its first
 * 10,000 rows and `return` its first. The store keeps no order, so before such a command the events
 * are sorted by time, newest first. Commands that keep the order without depending on it are
 * passed over; any other command (stats, sort, a generating command) sets its own order, and the
 * events' order no longer matters.
 */
const KEEPS_ORDER: ReadonlySet<string> = new Set([
  'search', 'where', 'eval', 'fields', 'table', 'rename', 'regex', 'fillnull', 'rex', 'spath', 'convert', 'lookup', 'iplocation',
  'eventstats', 'mvexpand', 'makemv', 'bin', 'bucket', 'addtotals', 'foreach',
  // The results keep the outer order; join's first match (max=1) is taken in the subsearch's order (commands/subpipeline.ts).
  'join', 'append',
]);
const NEEDS_ORDER: ReadonlySet<string> = new Set(['head', 'tail', 'dedup', 'streamstats', 'transaction']);

/**
 * Where a pipeline starting on events must sort them newest first: the index of the command the
 * sort goes before (right after the base search, while `_time` is still there), or -1.
 * `resultOrderMatters`: the pipeline's own rows are cut in order (a subsearch's limit).
 */
export function newestFirstAt(commands: readonly Command[], resultOrderMatters: boolean): number {
  if (!commands.length) return -1;
  const at = commands[0]!.cmd === 'search' ? 1 : 0;
  for (const c of commands.slice(at)) {
    const name = c.cmd === 'module' ? c.name : c.cmd;
    if (NEEDS_ORDER.has(name)) return at;
    if (!KEEPS_ORDER.has(name)) return -1;
  }
  return resultOrderMatters ? at : -1;
}

/**
 * `sort 0 -_time event_id`, placed at a command's position (errors point there). Events of the same
 * time keep one order (their ids'), as inputOrder gives them: otherwise which of them dedup or head
 * keeps would depend on how the engine happened to sort them.
 */
export function newestFirst(at: Token): Command {
  const tok = (text: string): Token => ({ kind: 'word', text, pos: at.pos, end: at.end });
  return { cmd: 'sort', limit: tok('0'), keys: [{ field: tok('_time'), desc: true }, { field: tok('event_id'), desc: false }], tok: tok('sort') };
}
