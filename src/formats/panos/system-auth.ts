import { canonicalIp } from '../../ecs/ip.js';

/**
 * SYSTEM-log authentication events (admin and portal logins, `auth-success`, `auth-fail`, SSH
 * failures, pre-9.1 GlobalProtect) carry who logged in and from where only in the description
 * (field 15). PAN does not publish a catalogue of these texts; the wordings below are the ones
 * observed and quoted by the syslog-ng panos-parser() docs, PAN's Splunk add-on regexes and
 * published parsers (../shared/reference/panos-variants.md §4). Each piece is matched on its own
 * (loosely, as the wording varies between releases), so a text with some of them still yields those.
 */
export type AuthPiece =
  | 'user' | 'source_ip' | 'source_port' | 'auth_profile' | 'vsys' | 'server_profile' | 'server_address' | 'reason'
  | 'method' | 'client_version' | 'private_ip';

/** Longest description read: PAN-OS descriptions are a few hundred characters; beyond, nothing is looked for. */
export const MAX_DESCRIPTION_CHARS = 2048;

// An address followed by an optional sentence-ending period (`From: 10.0.10.55.`).
const ADDRESS = '([0-9A-Fa-f:.]{2,45}?)\\.?(?=[\\s,;]|$)';

/** [piece, pattern]: the first pattern of a piece that matches (and, for addresses, holds an IP) wins. */
const PATTERNS: readonly (readonly [AuthPiece, RegExp])[] = [
  // auth-fail: "failed authentication for user 'admin'. Reason: Invalid username/password. From: 10.0.10.55."
  // auth-success: "authenticated for user 'admin'. auth profile 'ad', vsys 'shared', server profile 'dc',
  //   server address '10.0.0.5', From: 10.0.10.55."
  ['user', /\bfor user '([^']{1,256})'/i],
  // "User admin logged in via Web from 10.1.2.3 using https" / "… logged out …"
  ['user', /^User ([^\s']{1,256}) logged (?:in|out)\b/i],
  // SSH on the management interface: "Failed password for [invalid user] admin from 10.1.2.3 port 5555 ssh2"
  ['user', /\bFailed password for (?:invalid user )?(\S{1,256}) from /i],
  // GlobalProtect before 9.1 (SYSTEM subtype globalprotect): "… User name: lee, Login from: 198.51.100.7, …"
  ['user', /\bUser name: ([^,]{1,256})/i],
  ['source_ip', new RegExp(`\\bFrom: ${ADDRESS}`, 'i')],
  ['source_ip', new RegExp(`\\bLogin from: ${ADDRESS}`, 'i')],
  ['source_ip', new RegExp(`\\bfrom ${ADDRESS}`, 'i')],
  ['source_port', /\bfrom [0-9A-Fa-f:.]{2,45} port (\d{1,5})\b/i],
  ['auth_profile', /\bauth profile '([^']{0,256})'/i],
  ['vsys', /\bvsys '([^']{1,256})'/i],
  ['server_profile', /\bserver profile '([^']{0,256})'/i],
  ['server_address', /\bserver address '([^']{0,256})'/i],
  ['reason', /\bReason: ([^.]{1,512})/i],
  ['method', /\blogged (?:in|out) via ([A-Za-z-]{1,32})/i],
  ['client_version', /\bClient version: ([^,]{1,64})/i],
  ['private_ip', new RegExp(`\\bPrivate IP: ${ADDRESS}`, 'i')],
];

const ADDRESSES = new Set<AuthPiece>(['source_ip', 'private_ip']);

/** SYSTEM event ids and subtypes that are authentication events (others count when the text names a login). */
const AUTH_EVENT_IDS = new Set(['auth-success', 'auth-fail', 'auth-failure']);
const AUTH_SUBTYPES = new Set(['auth', 'globalprotect']);
const LOGIN_TEXT = /\blogged (?:in|out) via\b|\bFailed password for\b/i;

/** Whether a SYSTEM record is an authentication event, whose description is worth reading for who and where. */
export function isAuthEvent(eventId: string | undefined, subtype: string | undefined, description: string): boolean {
  return (eventId !== undefined && AUTH_EVENT_IDS.has(eventId)) || (subtype !== undefined && AUTH_SUBTYPES.has(subtype)) || LOGIN_TEXT.test(description);
}

/** The pieces of an authentication description; empty when it names none. */
export function authPieces(description: string): Partial<Record<AuthPiece, string>> {
  const out: Partial<Record<AuthPiece, string>> = {};
  if (description.length > MAX_DESCRIPTION_CHARS) return out;
  for (const [piece, re] of PATTERNS) {
    if (out[piece] !== undefined) continue;
    const m = re.exec(description);
    const v = m?.[1]?.trim();
    if (v === undefined || v === '') continue;
    if (ADDRESSES.has(piece)) {
      const ip = canonicalIp(v);
      if (ip !== undefined) out[piece] = ip;
    } else out[piece] = v;
  }
  return out;
}
