import { num, str, type Row } from '../rows.js';
import type { HopVerdict } from '../types.js';

/** What a hop shows when it has events: its control's verdict, one summary line and the key facts. */
export interface HopDescription {
  verdict: HopVerdict;
  summary: string;
  facts: Record<string, string>;
}

/** Facts as [label, value] pairs; empty values are left out. */
export function factsOf(pairs: readonly (readonly [string, string | number | undefined | null])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of pairs) if (v !== undefined && v !== null && v !== '') out[k] = String(v);
  return out;
}

/** `ip:port`, `[v6]:port`, or the address alone. */
export function socket(row: Row | undefined, ipColumn: string, portColumn: string): string | undefined {
  const ip = str(row, ipColumn);
  if (!ip) return undefined;
  const port = num(row, portColumn);
  if (port === undefined) return ip;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function joined(values: readonly (string | undefined)[], sep = ' '): string {
  return values.filter((v) => v !== undefined && v !== '').join(sep);
}

/** Actions vendors log for a request they stopped (lower-cased). */
const BLOCKING = new Set([
  'block', 'blocked', 'deny', 'denied', 'drop', 'reset-client', 'reset-server', 'reset-both', 'block-url', 'block-continue', 'sinkhole',
  'captcha', 'challenge', 'quarantine', 'connectionfailed', 'firewalloutboundconnectionblocked', 'smartscreenurlwarning',
  'smartscreenexploitwarning', 'exploitguardnetworkprotectionblocked',
]);

export function isBlocking(action: string | undefined): boolean {
  return action !== undefined && BLOCKING.has(action.toLowerCase());
}

export const verdictOf = (action: string | undefined): HopVerdict => (isBlocking(action) ? 'blocked' : 'allowed');
