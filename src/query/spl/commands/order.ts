import type { Ctx, Scope } from '../context.js';
import type { Located } from '../errors.js';
import { ROW } from './stage.js';

/**
 * The order of a relation's rows as Splunk would deliver them, for a window's ORDER BY: raw events
 * that no command ordered come newest first (then by event id, so equal times keep one order);
 * otherwise the rows are already in order and the window keeps it (empty string).
 */
export function inputOrder(ctx: Ctx, scope: Scope, at: Located): string {
  if (!scope.base || scope.sorted) return '';
  const id = scope.cols.has('event_id') ? ', "event_id"' : '';
  return `ORDER BY ${ctx.time(scope, at)} DESC${id}`;
}

/** The relation with its rows numbered in input order (column ROW), for commands that keep or use the order. */
export function numbered(ctx: Ctx, scope: Scope, from: string, at: Located): string {
  return ctx.fn.numberedRows(from, inputOrder(ctx, scope, at), ROW);
}
